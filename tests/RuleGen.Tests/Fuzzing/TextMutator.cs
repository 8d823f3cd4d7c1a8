using System.Text;

namespace RuleGen.Tests.Fuzzing;

/// <summary>
/// Deterministic mutations of rule files and event lines: one <see cref="Random"/> with a fixed seed drives them, so
/// a failure is reproduced by its seed and iteration alone. The mutations are the ones hostile or broken inputs show:
/// truncation, byte flips, token and line edits, the language's own special tokens, deep nesting, YAML alias bombs,
/// huge strings, invalid UTF-8, NUL and BOM.
/// </summary>
/// <remarks>
/// Written by hand rather than with a property-testing library: the interesting inputs are edits of real rule files
/// (structure kept almost whole, so the parser gets deep before it fails), which a generic generator would have to be
/// taught anyway, and a fixed seed plus the saved input reproduces a failure without a shrinker.
/// </remarks>
public sealed class TextMutator(Random random)
{
    private const int DeepNesting = 10_000;

    /// <summary>The mutations of the last <see cref="Mutate"/>, by name, for a failure's report.</summary>
    public List<string> Applied { get; } = new();

    /// <summary>One to three random mutations of <paramref name="text"/>; <paramref name="specials"/> are the language's tokens.</summary>
    public string Mutate(string text, IReadOnlyList<string> specials)
    {
        Applied.Clear();
        var count = 1 + random.Next(3);
        for (var i = 0; i < count; i++) text = MutateOnce(text, specials);
        return text;
    }

    private string MutateOnce(string text, IReadOnlyList<string> specials)
    {
        switch (random.Next(16))
        {
            case 0: Applied.Add("truncate"); return text.Length == 0 ? text : text[..random.Next(text.Length)];
            case 1: Applied.Add("flip-bit"); return MutateBytes(text, bytes => { if (bytes.Count > 0) bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8)); });
            case 2: Applied.Add("random-byte"); return MutateBytes(text, bytes => { if (bytes.Count > 0) bytes[random.Next(bytes.Count)] = (byte)random.Next(256); });
            case 3: Applied.Add("invalid-utf8"); return MutateBytes(text, bytes => bytes.InsertRange(random.Next(bytes.Count + 1), InvalidUtf8[random.Next(InvalidUtf8.Length)]));
            case 4: Applied.Add("control-char"); return Insert(text, ControlChars[random.Next(ControlChars.Length)]);
            case 5: Applied.Add("bom"); return random.Next(2) == 0 ? "\uFEFF" + text : Insert(text, "\uFEFF");
            case 6: Applied.Add("line-edit"); return EditLines(text);
            case 7:
            case 8: Applied.Add("token-edit"); return EditTokens(text);
            case 9:
            case 10: Applied.Add("special-token"); return Insert(text, specials[random.Next(specials.Count)]);
            case 11: Applied.Add("repeat-special"); return Insert(text, string.Concat(Enumerable.Repeat(specials[random.Next(specials.Count)], 1 + random.Next(200))));
            case 12: Applied.Add("deep-nesting"); return Insert(text, Nesting());
            case 13: Applied.Add("huge-string"); return ReplaceToken(text, new string((char)('a' + random.Next(26)), 1_000_000 + random.Next(1_000_000)));
            case 14: Applied.Add("lone-surrogate"); return Insert(text, random.Next(2) == 0 ? "\uD800" : "\uDC00");
            default: Applied.Add("duplicate-block"); return DuplicateBlock(text);
        }
    }

    private static readonly byte[][] InvalidUtf8 =
    {
        new byte[] { 0xFF }, new byte[] { 0xFE, 0xFF }, new byte[] { 0xC0, 0x80 }, new byte[] { 0xED, 0xA0, 0x80 },
        new byte[] { 0xE2, 0x82 }, new byte[] { 0xF4, 0x90, 0x80, 0x80 }, new byte[] { 0x80 }, new byte[] { 0xF0, 0x9F },
    };

    private static readonly string[] ControlChars = { "\0", "\0\0\0", "\u0001", "\u001b[31m", "\r", "\t", "\v", "\f", "\u0085", "\u2028", "\u00a0" };

    /// <summary>Bytes edited as the file's UTF-8 and read back as a compiler reads a file (invalid sequences become U+FFFD).</summary>
    private static string MutateBytes(string text, Action<List<byte>> edit)
    {
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(text));
        edit(bytes);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private string Insert(string text, string fragment)
    {
        // Half the insertions go at a line start or end, where a parser is most likely to take them for structure.
        var at = random.Next(text.Length + 1);
        if (random.Next(2) == 0)
        {
            var lineStart = text.LastIndexOf('\n', Math.Max(0, at - 1));
            at = random.Next(2) == 0 ? lineStart + 1 : (text.IndexOf('\n', at) is var end and >= 0 ? end : text.Length);
        }
        return text.Insert(at, fragment);
    }

    private string EditLines(string text)
    {
        var lines = text.Split('\n').ToList();
        var i = random.Next(lines.Count);
        switch (random.Next(4))
        {
            case 0: lines.RemoveAt(i); break;
            case 1: lines.Insert(i, lines[i]); break;
            case 2:
                var j = random.Next(lines.Count);
                (lines[i], lines[j]) = (lines[j], lines[i]);
                break;
            default:
                // Indentation is structure in YAML: shift a line by one or two columns either way.
                var shift = random.Next(-2, 3);
                lines[i] = shift >= 0 ? new string(' ', shift) + lines[i] : lines[i].TrimStart().PadLeft(Math.Max(0, lines[i].Length + shift));
                break;
        }
        return string.Join('\n', lines);
    }

    /// <summary>Tokens are runs of letters/digits or single other characters, so a quote, bracket or operator is one token.</summary>
    private static List<(int Start, int Length)> Tokens(string text)
    {
        var tokens = new List<(int, int)>();
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            if (char.IsLetterOrDigit(text[i]) || text[i] == '_') while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
            else i++;
            if (!char.IsWhiteSpace(text[start])) tokens.Add((start, i - start));
        }
        return tokens;
    }

    private string EditTokens(string text)
    {
        var tokens = Tokens(text);
        if (tokens.Count == 0) return text;
        var (start, length) = tokens[random.Next(tokens.Count)];
        var token = text.Substring(start, length);
        switch (random.Next(3))
        {
            case 0: return text.Remove(start, length);
            case 1: return text.Insert(start, token);
            default:
                var (otherStart, otherLength) = tokens[random.Next(tokens.Count)];
                if (otherStart == start) return text;
                var other = text.Substring(otherStart, otherLength);
                // Replace the later one first so the earlier offsets still hold.
                return otherStart > start
                    ? text.Remove(otherStart, otherLength).Insert(otherStart, token).Remove(start, length).Insert(start, other)
                    : text.Remove(start, length).Insert(start, other).Remove(otherStart, otherLength).Insert(otherStart, token);
        }
    }

    private string ReplaceToken(string text, string replacement)
    {
        var tokens = Tokens(text).Where(t => char.IsLetterOrDigit(text[t.Start])).ToList();
        if (tokens.Count == 0) return text + replacement;
        var (start, length) = tokens[random.Next(tokens.Count)];
        return text.Remove(start, length).Insert(start, replacement);
    }

    private string DuplicateBlock(string text)
    {
        if (text.Length == 0) return text;
        var start = random.Next(text.Length);
        var length = random.Next(Math.Min(400, text.Length - start) + 1);
        var block = text.Substring(start, length);
        return text.Insert(start, string.Concat(Enumerable.Repeat(block, 1 + random.Next(8))));
    }

    /// <summary>10,000 levels of one of the language's openers (with their closers half of the time: unclosed nesting is its own test).</summary>
    private string Nesting()
    {
        var (open, close, inner) = random.Next(5) switch
        {
            0 => ("(", ")", "a"),
            1 => ("[", "]", "1"),
            2 => ("{a: ", "}", "1"),
            3 => ("not (", ")", "x:1"),
            _ => ("- ", "", "x"),
        };
        var closed = random.Next(2) == 0;
        var depth = random.Next(2) == 0 ? DeepNesting : random.Next(1, 600);
        var sb = new StringBuilder(depth * (open.Length + close.Length) + inner.Length);
        for (var i = 0; i < depth; i++) sb.Append(open);
        sb.Append(inner);
        if (closed) for (var i = 0; i < depth; i++) sb.Append(close);
        return sb.ToString();
    }
}

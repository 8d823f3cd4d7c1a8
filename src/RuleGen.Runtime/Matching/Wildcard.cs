using System.Text;

namespace RuleGen.Runtime;

/// <summary>
/// A compiled wildcard pattern over UTF-8 text: <c>*</c> matches any run of characters (none included), <c>?</c>
/// exactly one character (one Unicode scalar, however many bytes), <c>\</c> makes the next character literal.
/// This is the canonical pattern syntax the generator emits, whatever the source language's own escapes were.
/// </summary>
public sealed class Wildcard
{
    private enum PartKind : byte { Literal, AnyRun, AnyChar }

    private readonly PartKind[] _kinds;
    private readonly byte[][] _literals;
    private readonly bool _ignoreCase;

    private Wildcard(List<PartKind> kinds, List<byte[]> literals, bool ignoreCase)
    {
        _kinds = kinds.ToArray();
        _literals = literals.ToArray();
        _ignoreCase = ignoreCase;
    }

    /// <summary>The pattern as given to <see cref="Parse"/>.</summary>
    public string Pattern { get; private init; } = "";

    /// <summary>Parses the canonical syntax (<c>*</c>, <c>?</c>, <c>\</c> escapes).</summary>
    public static Wildcard Parse(string pattern, bool ignoreCase) => Build(pattern, ignoreCase, questionIsWild: true);

    /// <summary>A pattern where only <c>*</c> is wild (field-name patterns).</summary>
    public static Wildcard FromStarPattern(string pattern, bool ignoreCase) => Build(pattern, ignoreCase, questionIsWild: false);

    private static Wildcard Build(string pattern, bool ignoreCase, bool questionIsWild)
    {
        var kinds = new List<PartKind>();
        var literals = new List<byte[]>();
        var literal = new StringBuilder();
        void Flush()
        {
            if (literal.Length == 0) return;
            var bytes = Encoding.UTF8.GetBytes(literal.ToString());
            if (ignoreCase) bytes = AsciiText.ToLower(bytes);
            kinds.Add(PartKind.Literal);
            literals.Add(bytes);
            literal.Clear();
        }
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && questionIsWild)
            {
                literal.Append(pattern[++i]);
            }
            else if (c == '*')
            {
                Flush();
                if (kinds.Count == 0 || kinds[^1] != PartKind.AnyRun)
                {
                    kinds.Add(PartKind.AnyRun);
                    literals.Add(Array.Empty<byte>());
                }
            }
            else if (c == '?' && questionIsWild)
            {
                Flush();
                kinds.Add(PartKind.AnyChar);
                literals.Add(Array.Empty<byte>());
            }
            else
            {
                literal.Append(c);
            }
        }
        Flush();
        return new Wildcard(kinds, literals, ignoreCase) { Pattern = pattern };
    }

    /// <summary>Whether the whole of <paramref name="text"/> matches.</summary>
    public bool IsMatch(ReadOnlySpan<byte> text) => MatchFrom(0, text);

    // Backtracking over '*' only: each '*' tries every split point, innermost first. Patterns in rules have few stars,
    // and the literal search between them is vectorised.
    private bool MatchFrom(int part, ReadOnlySpan<byte> text)
    {
        while (part < _kinds.Length)
        {
            switch (_kinds[part])
            {
                case PartKind.Literal:
                {
                    var literal = _literals[part];
                    if (text.Length < literal.Length) return false;
                    if (!RegionEquals(text.Slice(0, literal.Length), literal)) return false;
                    text = text.Slice(literal.Length);
                    part++;
                    break;
                }
                case PartKind.AnyChar:
                {
                    if (text.IsEmpty) return false;
                    text = text.Slice(ScalarLength(text));
                    part++;
                    break;
                }
                default:
                {
                    part++;
                    if (part == _kinds.Length) return true;
                    if (_kinds[part] == PartKind.Literal)
                    {
                        // Jump straight to each occurrence of the next literal.
                        var literal = _literals[part];
                        var offset = 0;
                        while (true)
                        {
                            var hit = IndexOf(text.Slice(offset), literal);
                            if (hit < 0) return false;
                            var at = offset + hit;
                            if (MatchFrom(part + 1, text.Slice(at + literal.Length))) return true;
                            offset = at + 1;
                        }
                    }
                    for (var at = 0; at <= text.Length; at++)
                    {
                        if (at > 0 && at < text.Length && IsContinuation(text[at])) continue;
                        if (MatchFrom(part, text.Slice(at))) return true;
                    }
                    return false;
                }
            }
        }
        return text.IsEmpty;
    }

    private bool RegionEquals(ReadOnlySpan<byte> text, byte[] literal)
    {
        if (!_ignoreCase) return text.SequenceEqual(literal);
        for (var i = 0; i < literal.Length; i++)
        {
            if (AsciiText.Fold(text[i]) != literal[i]) return false;
        }
        return true;
    }

    private int IndexOf(ReadOnlySpan<byte> text, byte[] literal) =>
        _ignoreCase ? AsciiText.IndexOfIgnoreCase(text, literal) : text.IndexOf(literal);

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;

    private static int ScalarLength(ReadOnlySpan<byte> text)
    {
        var b = text[0];
        var length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return Math.Min(length, text.Length);
    }

    public override string ToString() => Pattern;
}

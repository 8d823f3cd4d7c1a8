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

    /// <summary>One item of a segment: a literal (its bytes, lower-cased when ignoring case) or <c>?</c> (null).</summary>
    private readonly struct Item
    {
        public Item(byte[]? literal) => Literal = literal;

        public byte[]? Literal { get; }
    }

    // The pattern split at its stars: _segments[0] before the first star, _segments[^1] after the last (either may be
    // empty); without a star, one segment that must cover the whole text.
    private readonly Item[][] _segments;
    private readonly bool _ignoreCase;

    private Wildcard(List<PartKind> kinds, List<byte[]> literals, bool ignoreCase)
    {
        var segments = new List<Item[]>();
        var current = new List<Item>();
        for (var i = 0; i < kinds.Count; i++)
        {
            if (kinds[i] == PartKind.AnyRun)
            {
                segments.Add(current.ToArray());
                current.Clear();
            }
            else current.Add(new Item(kinds[i] == PartKind.Literal ? literals[i] : null));
        }
        segments.Add(current.ToArray());
        _segments = segments.ToArray();
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
    /// <remarks>
    /// Linear in the text (times the pattern's length), however many stars: between stars each segment matches a
    /// fixed number of characters, so the first segment is anchored at the start, the last at the end, and each
    /// segment between takes its leftmost occurrence after the one before. An earlier occurrence leaves more room to
    /// the ones after it, so nothing is ever retried (backtracking over the stars' split points would be exponential
    /// in the number of stars: <c>*a*a*a*a*b</c> over a long run of <c>a</c>).
    /// </remarks>
    public bool IsMatch(ReadOnlySpan<byte> text)
    {
        var first = _segments[0];
        if (_segments.Length == 1) return MatchAt(first, text, 0, text.Length) == text.Length;
        var from = MatchAt(first, text, 0, text.Length);
        if (from < 0) return false;
        var to = MatchEndingAt(_segments[^1], text, from, text.Length);
        if (to < 0) return false;
        for (var s = 1; s < _segments.Length - 1; s++)
        {
            from = Leftmost(_segments[s], text, from, to);
            if (from < 0) return false;
        }
        return true;
    }

    /// <summary>Where the segment ends when it matches at <paramref name="at"/> without passing <paramref name="limit"/>, or -1.</summary>
    private int MatchAt(Item[] segment, ReadOnlySpan<byte> text, int at, int limit)
    {
        foreach (var item in segment)
        {
            if (item.Literal is { } literal)
            {
                if (limit - at < literal.Length || !RegionEquals(text.Slice(at, literal.Length), literal)) return -1;
                at += literal.Length;
            }
            else
            {
                if (at >= limit) return -1;
                at += Math.Min(ScalarLength(text[at]), limit - at);
            }
        }
        return at;
    }

    /// <summary>Where the segment starts when it ends exactly at <paramref name="end"/> and starts at or after <paramref name="floor"/>, or -1.</summary>
    private int MatchEndingAt(Item[] segment, ReadOnlySpan<byte> text, int floor, int end)
    {
        for (var i = segment.Length - 1; i >= 0; i--)
        {
            if (segment[i].Literal is { } literal)
            {
                if (end - floor < literal.Length || !RegionEquals(text.Slice(end - literal.Length, literal.Length), literal)) return -1;
                end -= literal.Length;
            }
            else
            {
                // One character back: its lead byte is the first byte before end that is not a continuation byte.
                if (end <= floor) return -1;
                var lead = end - 1;
                while (lead > floor && end - lead < 4 && IsContinuation(text[lead])) lead--;
                end = lead;
            }
        }
        return end;
    }

    /// <summary>The end of the segment's leftmost occurrence in [from, limit), or -1.</summary>
    private int Leftmost(Item[] segment, ReadOnlySpan<byte> text, int from, int limit)
    {
        var at = from;
        while (at <= limit)
        {
            if (segment[0].Literal is { } literal)
            {
                // Jump straight to the next occurrence of the segment's first literal (a vectorised search).
                var hit = IndexOf(text.Slice(at, limit - at), literal);
                if (hit < 0) return -1;
                at += hit;
            }
            else if (at > from && at < limit && IsContinuation(text[at]))
            {
                at++; // a '?' starts on a character, not inside one
                continue;
            }
            var end = MatchAt(segment, text, at, limit);
            if (end >= 0) return end;
            at++;
        }
        return -1;
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

    private static int ScalarLength(byte lead) => lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;

    public override string ToString() => Pattern;
}

using System;
using System.Collections.Generic;

namespace RuleGen.Generator.Planning;

/// <summary>
/// A construct of a .NET pattern that only the backtracking regex engine runs: <see cref="Name"/> says what it is
/// ("a lookbehind"), <see cref="Text"/> is where it starts in the pattern (a few characters, for the user to find it).
/// </summary>
public sealed record BacktrackingConstruct(string Name, string Text)
{
    public override string ToString() => $"{Name} '{Text}'";
}

/// <summary>
/// Finds what keeps a .NET pattern from <c>RegexOptions.NonBacktracking</c>, which matches in time linear in the
/// input: backreferences (<c>\1</c>, <c>\k&lt;n&gt;</c>), lookarounds (<c>(?=</c>, <c>(?!</c>, <c>(?&lt;=</c>,
/// <c>(?&lt;!</c>), atomic groups (<c>(?&gt;</c>), conditionals (<c>(?(</c>), balancing groups
/// (<c>(?&lt;a-b&gt;</c>), <c>\G</c>, and patterns whose counted repetitions unfold into more states than the engine
/// allows. A syntactic reading of a pattern that already compiles: the generator targets netstandard2.0, where
/// <c>NonBacktracking</c> does not exist to ask, and the tests check this reading against the engine itself.
/// </summary>
public static class BacktrackingConstructs
{
    /// <summary>
    /// The node limit of .NET's non-backtracking engine (its <c>SymbolicRegexThresholds</c>): a pattern that unfolds
    /// into more, such as <c>(a{100}){101}</c>, is refused.
    /// </summary>
    public const int NonBacktrackingNodeLimit = 10_000;

    /// <summary>The first construct that needs backtracking, or null when the non-backtracking engine runs the pattern.</summary>
    public static BacktrackingConstruct? Find(string pattern)
    {
        var captures = CaptureSlots(pattern);
        var extended = false; // (?x): whitespace is ignored and '#' starts a comment
        // The unfolded size of the groups being read: each entry holds the finished alternatives' size and the
        // current alternative's, and the size of its last item (what a quantifier multiplies).
        var sizes = new Stack<GroupSize>();
        var current = new GroupSize();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (extended && char.IsWhiteSpace(c)) continue;
            if (extended && c == '#')
            {
                while (i + 1 < pattern.Length && pattern[i + 1] != '\n') i++;
                continue;
            }
            switch (c)
            {
                case '\\':
                {
                    if (i + 1 >= pattern.Length) return null;
                    var next = pattern[i + 1];
                    if (next == 'G') return new BacktrackingConstruct("a contiguous-match anchor", @"\G");
                    if (next == 'k' || (next is '<' or '\'' && NamedReferenceEnd(pattern, i + 1) > 0))
                    {
                        var start = next == 'k' ? i + 2 : i + 1;
                        var end = NamedReferenceEnd(pattern, start);
                        return new BacktrackingConstruct("a backreference", Excerpt(pattern, i, end > 0 ? end + 1 - i : 3));
                    }
                    if (next is >= '1' and <= '9')
                    {
                        var end = i + 1;
                        while (end < pattern.Length && pattern[end] is >= '0' and <= '9') end++;
                        // .NET reads \N as a backreference when group N exists (it must, for N < 10, or the pattern
                        // would not compile); a larger number without its group is an octal escape.
                        if (end - (i + 1) == 1 || (int.TryParse(pattern.Substring(i + 1, end - i - 1), out var n) && n <= captures))
                            return new BacktrackingConstruct("a backreference", pattern.Substring(i, end - i));
                    }
                    i = SkipEscape(pattern, i);
                    current.Item(1);
                    break;
                }
                case '[':
                    i = SkipClass(pattern, i);
                    current.Item(1);
                    break;
                case '(':
                {
                    if (i + 1 < pattern.Length && pattern[i + 1] == '?')
                    {
                        var kind = GroupKind(pattern, i);
                        if (kind is not null) return new BacktrackingConstruct(kind, Excerpt(pattern, i, GroupEnd(pattern, i) + 1 - i));
                        if (i + 2 < pattern.Length && pattern[i + 2] == '#')
                        {
                            i = pattern.IndexOf(')', i);
                            if (i < 0) return null;
                            break;
                        }
                        if (OptionsGroup(pattern, i, out var optionsEnd, out var on, out var off, out var scoped))
                        {
                            if (on.IndexOf('x') >= 0) extended = true;
                            if (off.IndexOf('x') >= 0) extended = false;
                            if (!scoped)
                            {
                                i = optionsEnd;
                                break;
                            }
                        }
                    }
                    sizes.Push(current);
                    current = new GroupSize();
                    i = GroupBodyStart(pattern, i) - 1;
                    break;
                }
                case ')':
                {
                    var inner = current.Total;
                    current = sizes.Count > 0 ? sizes.Pop() : new GroupSize();
                    current.Item(inner);
                    break;
                }
                case '|':
                    current.Alternative();
                    break;
                case '*': case '+': case '?':
                    // Lazy marks (a*?) change nothing in the size.
                    break;
                case '{':
                {
                    if (!Repeat(pattern, i, out var end, out var bound))
                    {
                        current.Item(1); // a literal '{'
                        break;
                    }
                    current.Repeat(bound);
                    i = end;
                    break;
                }
                default:
                    current.Item(1);
                    break;
            }
        }
        while (sizes.Count > 0)
        {
            var inner = current.Total;
            current = sizes.Pop();
            current.Item(inner);
        }
        if (current.Total + 1 > NonBacktrackingNodeLimit)
            return new BacktrackingConstruct("counted repetitions that unfold beyond the non-backtracking engine's limit", $"about {current.Total:N0} states, over {NonBacktrackingNodeLimit:N0}");
        return null;
    }

    /// <summary>The kind of a <c>(?...</c> group that needs backtracking, or null.</summary>
    internal static string? GroupKind(string pattern, int open)
    {
        var rest = pattern.Length - open;
        bool At(string s) => rest >= s.Length && string.CompareOrdinal(pattern, open, s, 0, s.Length) == 0;
        if (At("(?=")) return "a lookahead";
        if (At("(?!")) return "a negative lookahead";
        if (At("(?<=")) return "a lookbehind";
        if (At("(?<!")) return "a negative lookbehind";
        if (At("(?>")) return "an atomic group";
        if (At("(?(")) return "a conditional";
        if (At("(?<") || At("(?'"))
        {
            var close = pattern[open + 2] == '<' ? '>' : '\'';
            var end = pattern.IndexOf(close, open + 3);
            if (end > 0 && pattern.IndexOf('-', open + 3, end - open - 3) >= 0) return "a balancing group";
        }
        return null;
    }

    /// <summary>Where a group's body begins: after <c>(</c>, <c>(?:</c>, <c>(?&lt;name&gt;</c>, <c>(?'name'</c> or <c>(?i:</c>.</summary>
    internal static int GroupBodyStart(string pattern, int open)
    {
        if (open + 1 >= pattern.Length || pattern[open + 1] != '?') return open + 1;
        if (open + 2 >= pattern.Length) return open + 2;
        var marker = pattern[open + 2];
        if (marker is '<' or '\'')
        {
            var end = pattern.IndexOf(marker == '<' ? '>' : '\'', open + 3);
            return end > 0 ? end + 1 : pattern.Length;
        }
        var colon = open + 2;
        while (colon < pattern.Length && pattern[colon] != ':' && pattern[colon] != ')') colon++;
        return Math.Min(colon + 1, pattern.Length);
    }

    /// <summary>An options group: <c>(?imnsx-imnsx)</c> (for the rest of the enclosing group) or <c>(?imnsx-imnsx:</c> (scoped).</summary>
    internal static bool OptionsGroup(string pattern, int open, out int end, out string on, out string off, out bool scoped)
    {
        on = off = "";
        scoped = false;
        var i = open + 2;
        var minus = -1;
        while (i < pattern.Length && (pattern[i] is 'i' or 'm' or 'n' or 's' or 'x' || (pattern[i] == '-' && minus < 0)))
        {
            if (pattern[i] == '-') minus = i;
            i++;
        }
        end = i;
        if (i == open + 2 || i >= pattern.Length || pattern[i] is not (')' or ':')) return false;
        scoped = pattern[i] == ':';
        on = pattern.Substring(open + 2, (minus < 0 ? i : minus) - open - 2);
        off = minus < 0 ? "" : pattern.Substring(minus + 1, i - minus - 1);
        return true;
    }

    /// <summary>The index of the closing <c>&gt;</c> or <c>'</c> of a name after <paramref name="open"/>, or -1.</summary>
    internal static int NamedReferenceEnd(string pattern, int open)
    {
        if (open >= pattern.Length || pattern[open] is not ('<' or '\'')) return -1;
        var close = pattern[open] == '<' ? '>' : '\'';
        var i = open + 1;
        while (i < pattern.Length && (char.IsLetterOrDigit(pattern[i]) || pattern[i] == '_')) i++;
        return i > open + 1 && i < pattern.Length && pattern[i] == close ? i : -1;
    }

    /// <summary>How many capture groups the pattern numbers (unnamed ones, then named ones), for telling \12 from an octal escape.</summary>
    internal static int CaptureSlots(string pattern)
    {
        var count = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\') i = SkipEscape(pattern, i);
            else if (c == '[') i = SkipClass(pattern, i);
            else if (c == '(')
            {
                if (i + 1 >= pattern.Length || pattern[i + 1] != '?') count++;
                else if (i + 2 < pattern.Length && pattern[i + 2] is '<' or '\'' && GroupKind(pattern, i) is null)
                {
                    var close = pattern[i + 2] == '<' ? '>' : '\'';
                    var end = pattern.IndexOf(close, i + 3);
                    if (end < 0) continue;
                    count = int.TryParse(pattern.Substring(i + 3, end - i - 3), out var number) ? Math.Max(count, number) : count + 1;
                }
            }
        }
        return count;
    }

    /// <summary>The index of an escape's last character (<c>\p{L}</c>, <c>\x41</c>, <c>\u0041</c>, <c>\cA</c> or a single character).</summary>
    internal static int SkipEscape(string pattern, int backslash)
    {
        var i = backslash + 1;
        if (i >= pattern.Length) return backslash;
        switch (pattern[i])
        {
            case 'p' or 'P' when i + 1 < pattern.Length && pattern[i + 1] == '{':
            {
                var close = pattern.IndexOf('}', i);
                return close < 0 ? pattern.Length - 1 : close;
            }
            case 'x': return Math.Min(i + 2, pattern.Length - 1);
            case 'u': return Math.Min(i + 4, pattern.Length - 1);
            case 'c': return Math.Min(i + 1, pattern.Length - 1);
            default: return i;
        }
    }

    /// <summary>The index of a character class's closing <c>]</c> (subtractions <c>[a-z-[aeiou]]</c> included).</summary>
    internal static int SkipClass(string pattern, int open)
    {
        var depth = 0;
        var i = open;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == '[' && (i == open || pattern[i - 1] == '-'))
            {
                depth++;
                i++;
                if (i < pattern.Length && pattern[i] == '^') i++;
                if (i < pattern.Length && pattern[i] == ']') i++; // a ']' first in the class is literal
                continue;
            }
            if (c == '\\') i = SkipEscape(pattern, i);
            else if (c == ']' && --depth == 0) return i;
            i++;
        }
        return pattern.Length - 1;
    }

    /// <summary>A <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c> quantifier at <paramref name="open"/>: its end and how many copies it unfolds into.</summary>
    internal static bool Repeat(string pattern, int open, out int end, out long bound)
    {
        end = open;
        bound = 0;
        var i = open + 1;
        long min = 0, max = -1;
        var digits = i;
        while (i < pattern.Length && pattern[i] is >= '0' and <= '9') min = Math.Min(min * 10 + (pattern[i++] - '0'), int.MaxValue);
        if (i == digits) return false;
        if (i < pattern.Length && pattern[i] == ',')
        {
            i++;
            var maxDigits = i;
            long m = 0;
            while (i < pattern.Length && pattern[i] is >= '0' and <= '9') m = Math.Min(m * 10 + (pattern[i++] - '0'), int.MaxValue);
            if (i > maxDigits) max = m;
        }
        else max = min;
        if (i >= pattern.Length || pattern[i] != '}') return false;
        end = i;
        // An open upper bound unfolds the minimum and loops on one more copy.
        bound = max < 0 ? min + 1 : Math.Max(min, max);
        return true;
    }

    /// <summary>The unfolded size of one group being read: the finished alternatives, the current one, and its last item.</summary>
    private struct GroupSize
    {
        private long _alternatives;
        private long _sequence;
        private long _last;

        public readonly long Total => _alternatives + _sequence;

        public void Item(long size)
        {
            _sequence += size;
            _last = size;
        }

        public void Repeat(long copies)
        {
            _sequence += _last * (copies - 1);
            _last *= copies;
            // Saturate: the verdict only needs "over the limit".
            if (_sequence > int.MaxValue) _sequence = int.MaxValue;
            if (_last > int.MaxValue) _last = int.MaxValue;
        }

        public void Alternative()
        {
            _alternatives += _sequence;
            _sequence = 0;
            _last = 0;
        }
    }

    /// <summary>The index of the <c>)</c> that closes the group opened at <paramref name="open"/> (or the pattern's end).</summary>
    internal static int GroupEnd(string pattern, int open)
    {
        var depth = 0;
        for (var i = open; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\') i = SkipEscape(pattern, i);
            else if (c == '[') i = SkipClass(pattern, i);
            else if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return i;
        }
        return pattern.Length - 1;
    }

    /// <summary>Up to 40 characters of the pattern from <paramref name="start"/>, enough to find the construct.</summary>
    private static string Excerpt(string pattern, int start, int length)
    {
        const int Longest = 40;
        length = Math.Min(Math.Max(length, 1), pattern.Length - start);
        return length <= Longest ? pattern.Substring(start, length) : pattern.Substring(start, Longest - 3) + "...";
    }
}

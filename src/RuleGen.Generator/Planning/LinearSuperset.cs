using System.Text;

namespace RuleGen.Generator.Planning;

/// <summary>
/// A pattern that only the backtracking engine runs, relaxed into one that the linear-time engine runs and that
/// matches at least everything the original matches: lookarounds become empty (they only constrain where a match
/// may be), backreferences become "anything" (<c>(?:[\s\S]*)</c>, which holds whatever text the group captured), atomic
/// groups plain groups, <c>\G</c> empty (an assertion), and, when the pattern still unfolds beyond the engine's limit,
/// counted repetitions <c>*</c>. A value the relaxed pattern does not match cannot match the original, so the runtime
/// answers it in linear time without ever starting the backtracking engine (ThreadRegex's pre-filter); only values the
/// relaxed pattern matches go on to the backtracking engine and its timeout.
/// </summary>
/// <remarks>
/// Null when the relaxation would not be sound or is not worth it: conditionals and balancing groups (their branches
/// depend on captures), extended mode (<c>(?x)</c>, whose comments this syntactic reading does not follow through a
/// lookaround), or a relaxed pattern that still needs backtracking.
/// </remarks>
public static class LinearSuperset
{
    // A group, so a quantifier after the backreference (\1{3}) stays valid.
    private const string Anything = @"(?:[\s\S]*)";

    public static string? Of(string pattern)
    {
        var relaxed = Relax(pattern, countedToStar: false);
        if (relaxed is null) return null;
        var still = BacktrackingConstructs.Find(relaxed);
        if (still is null) return relaxed;
        if (!still.Name.StartsWith("counted repetitions", System.StringComparison.Ordinal)) return null;
        relaxed = Relax(pattern, countedToStar: true);
        return relaxed is not null && BacktrackingConstructs.Find(relaxed) is null ? relaxed : null;
    }

    private static string? Relax(string pattern, bool countedToStar)
    {
        var captures = BacktrackingConstructs.CaptureSlots(pattern);
        var sb = new StringBuilder(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                {
                    if (i + 1 >= pattern.Length)
                    {
                        sb.Append(c);
                        break;
                    }
                    var next = pattern[i + 1];
                    if (next == 'G')
                    {
                        sb.Append("(?:)");
                        i++;
                        break;
                    }
                    if (next == 'k' || (next is '<' or '\'' && BacktrackingConstructs.NamedReferenceEnd(pattern, i + 1) > 0))
                    {
                        var end = BacktrackingConstructs.NamedReferenceEnd(pattern, next == 'k' ? i + 2 : i + 1);
                        if (end < 0) return null;
                        sb.Append(Anything);
                        i = end;
                        break;
                    }
                    if (next is >= '1' and <= '9')
                    {
                        var end = i + 1;
                        while (end < pattern.Length && pattern[end] is >= '0' and <= '9') end++;
                        if (end - (i + 1) == 1 || (int.TryParse(pattern.Substring(i + 1, end - i - 1), out var n) && n <= captures))
                        {
                            sb.Append(Anything);
                            i = end - 1;
                            break;
                        }
                    }
                    var last = BacktrackingConstructs.SkipEscape(pattern, i);
                    sb.Append(pattern, i, last - i + 1);
                    i = last;
                    break;
                }
                case '[':
                {
                    var close = BacktrackingConstructs.SkipClass(pattern, i);
                    sb.Append(pattern, i, close - i + 1);
                    i = close;
                    break;
                }
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?':
                {
                    if (i + 2 < pattern.Length && pattern[i + 2] == '#')
                    {
                        // A comment, copied whole: what it holds is not pattern.
                        var close = pattern.IndexOf(')', i);
                        if (close < 0) return null;
                        sb.Append(pattern, i, close - i + 1);
                        i = close;
                        break;
                    }
                    switch (BacktrackingConstructs.GroupKind(pattern, i))
                    {
                        case "a lookahead" or "a negative lookahead" or "a lookbehind" or "a negative lookbehind":
                            // Zero-width: dropped whole, an empty group in its place (a quantifier after it stays valid).
                            sb.Append("(?:)");
                            i = BacktrackingConstructs.GroupEnd(pattern, i);
                            continue;
                        case "an atomic group":
                            sb.Append("(?:");
                            i += 2;
                            continue;
                        case null:
                            break;
                        default:
                            return null; // a conditional or a balancing group
                    }
                    if (BacktrackingConstructs.OptionsGroup(pattern, i, out _, out var on, out _, out _) && on.IndexOf('x') >= 0) return null;
                    sb.Append(c);
                    break;
                }
                case '{' when countedToStar && BacktrackingConstructs.Repeat(pattern, i, out var repeatEnd, out _):
                    sb.Append('*');
                    i = repeatEnd;
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}

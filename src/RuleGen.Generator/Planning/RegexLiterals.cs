using System.Text;

namespace RuleGen.Generator.Planning;

/// <summary>
/// The longest run of literal characters every match of a .NET regular expression contains, for the candidate
/// index: <c>ipconfig\s+/all</c> contains <c>ipconfig</c> wherever it matches. Conservative: a top-level
/// alternation, or anything this reader does not understand, gives no literal; groups, classes, escapes with a
/// meaning and quantified characters end a run.
/// </summary>
public static class RegexLiterals
{
    /// <summary>The longest required literal, or null.</summary>
    public static string? Longest(string pattern)
    {
        string best = "";
        var run = new StringBuilder();
        var i = 0;
        // Leading inline options such as (?i) or (?s).
        while (i + 2 < pattern.Length && pattern[i] == '(' && pattern[i + 1] == '?' && IsOptionGroup(pattern, i, out var end)) i = end + 1;

        void EndRun()
        {
            if (run.Length > best.Length) best = run.ToString();
            run.Clear();
        }

        while (i < pattern.Length)
        {
            var c = pattern[i];
            switch (c)
            {
                case '|':
                    return null; // a top-level alternative: nothing is required of every match
                case '(':
                {
                    EndRun();
                    if (!SkipGroup(pattern, ref i)) return null;
                    SkipQuantifier(pattern, ref i);
                    continue;
                }
                case '[':
                {
                    EndRun();
                    if (!SkipClass(pattern, ref i)) return null;
                    SkipQuantifier(pattern, ref i);
                    continue;
                }
                case '.': case '^': case '$':
                    EndRun();
                    i++;
                    SkipQuantifier(pattern, ref i);
                    continue;
                case '*': case '+': case '?': case '{':
                    // A quantifier after an anchor or at the start: nothing to keep.
                    EndRun();
                    SkipQuantifier(pattern, ref i);
                    continue;
                case ')':
                    return null;
                case '\\':
                {
                    if (i + 1 >= pattern.Length) return null;
                    var next = pattern[i + 1];
                    if (IsLiteralEscape(next))
                    {
                        AppendLiteral(pattern, ref i, run, next, 2, EndRun);
                        continue;
                    }
                    // \s \d \w \b \x41 \u0041 \p{..} \1 ...: not a plain character.
                    EndRun();
                    i += 2;
                    if (next is 'x' or 'u' or 'p' or 'P' or 'k' or 'c') return null;
                    SkipQuantifier(pattern, ref i);
                    continue;
                }
                default:
                    AppendLiteral(pattern, ref i, run, c, 1, EndRun);
                    continue;
            }
        }
        EndRun();
        return best.Length > 0 ? best : null;
    }

    /// <summary>Appends one literal character, or ends the run when a quantifier follows it (it may be absent or repeat).</summary>
    private static void AppendLiteral(string pattern, ref int i, StringBuilder run, char c, int width, System.Action endRun)
    {
        var after = i + width;
        if (after < pattern.Length && pattern[after] is '*' or '+' or '?' or '{')
        {
            endRun();
            i = after;
            SkipQuantifier(pattern, ref i);
            return;
        }
        run.Append(c);
        i = after;
    }

    private static bool IsLiteralEscape(char c) => c is '\\' or '.' or '/' or '-' or '*' or '+' or '?' or '(' or ')' or '[' or ']'
        or '{' or '}' or '|' or '^' or '$' or ' ' or '"' or '\'' or ':' or '#' or '%' or '&' or ',' or ';' or '<' or '>' or '=' or '@' or '!' or '~' or '_';

    private static bool IsOptionGroup(string pattern, int start, out int end)
    {
        end = start + 2;
        while (end < pattern.Length && char.IsLetter(pattern[end]) || end < pattern.Length && pattern[end] == '-') end++;
        return end < pattern.Length && pattern[end] == ')' && end > start + 2;
    }

    private static bool SkipGroup(string pattern, ref int i)
    {
        var depth = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == '[')
            {
                if (!SkipClass(pattern, ref i)) return false;
                continue;
            }
            if (c == '(') depth++;
            if (c == ')' && --depth == 0)
            {
                i++;
                return true;
            }
            i++;
        }
        return false;
    }

    private static bool SkipClass(string pattern, ref int i)
    {
        i++;
        if (i < pattern.Length && pattern[i] == '^') i++;
        if (i < pattern.Length && pattern[i] == ']') i++;
        while (i < pattern.Length)
        {
            if (pattern[i] == '\\')
            {
                i += 2;
                continue;
            }
            if (pattern[i] == ']')
            {
                i++;
                return true;
            }
            i++;
        }
        return false;
    }

    private static void SkipQuantifier(string pattern, ref int i)
    {
        if (i >= pattern.Length) return;
        if (pattern[i] is '*' or '+' or '?')
        {
            i++;
        }
        else if (pattern[i] == '{')
        {
            var close = pattern.IndexOf('}', i);
            i = close < 0 ? pattern.Length : close + 1;
        }
        else
        {
            return;
        }
        if (i < pattern.Length && pattern[i] is '?' or '+') i++; // lazy or possessive
    }
}

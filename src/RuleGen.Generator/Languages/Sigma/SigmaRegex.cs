using System;
using System.Text;
using System.Text.RegularExpressions;

namespace RuleGen.Generator.Languages.Sigma;

/// <summary>
/// Sigma regular expressions (the specification's PCRE subset, as pySigma and its backends accept them in Python's
/// <c>re</c> syntax) translated into .NET syntax, and checked by compiling them. Matching is a search (unanchored
/// unless the pattern anchors itself), so the <c>.*</c> that <c>contains</c>/<c>startswith</c>/<c>endswith</c> add
/// around a regex changes nothing and is not added.
/// </summary>
public static class SigmaRegex
{
    /// <summary>Translates Python-only syntax: named groups <c>(?P&lt;n&gt;)</c> and <c>(?P=n)</c>, <c>\Z</c>, <c>{,n}</c>, and <c>[</c> inside a class (which .NET would read as a subtraction).</summary>
    public static string ToDotNet(string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 8);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[i + 1];
                if (next == 'Z' && !inClass) sb.Append("\\z");
                else sb.Append(c).Append(next);
                i++;
                continue;
            }
            if (inClass)
            {
                if (c == ']' ) inClass = false;
                else if (c == '[') { sb.Append("\\["); continue; }
                sb.Append(c);
                continue;
            }
            if (c == '[')
            {
                inClass = true;
                sb.Append(c);
                // A ']' right after '[' or '[^' is a literal.
                if (i + 1 < pattern.Length && pattern[i + 1] == '^') { sb.Append('^'); i++; }
                if (i + 1 < pattern.Length && pattern[i + 1] == ']') { sb.Append("\\]"); i++; }
                continue;
            }
            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0)
            {
                sb.Append("(?<");
                i += 3;
                continue;
            }
            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P=", 0, 4) == 0)
            {
                var close = pattern.IndexOf(')', i);
                if (close > 0)
                {
                    sb.Append("\\k<").Append(pattern, i + 4, close - i - 4).Append('>');
                    i = close;
                    continue;
                }
            }
            if (c == '{' && i + 1 < pattern.Length && pattern[i + 1] == ',')
            {
                var m = Regex.Match(pattern.Substring(i), @"^\{,(\d+)\}");
                if (m.Success && i > 0)
                {
                    sb.Append("{0,").Append(m.Groups[1].Value).Append('}');
                    i += m.Length - 1;
                    continue;
                }
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Null when .NET compiles the pattern, else the reason it does not.</summary>
    public static string? Check(string dotNetPattern, RegexOptions options)
    {
        try
        {
            _ = new Regex(dotNetPattern, options | RegexOptions.CultureInvariant);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }
}

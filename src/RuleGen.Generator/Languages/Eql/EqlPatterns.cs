using System.Collections.Generic;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Eql;

/// <summary>The two wildcard dialects EQL ends up in.</summary>
public static class EqlPatterns
{
    /// <summary>
    /// A <c>like</c> / <c>:</c> pattern: <c>*</c> is any run, <c>?</c> one character, and every other character,
    /// the backslash included, is literal (Elasticsearch's EQL turns the pattern into a Lucene wildcard with
    /// <c>\</c> escaped: eql util/StringUtils.toLikePattern).
    /// </summary>
    public static WildcardPattern Like(string pattern)
    {
        var parts = new List<WildcardPart>();
        var literal = new StringBuilder();
        foreach (var c in pattern)
        {
            if (c is '*' or '?')
            {
                if (literal.Length > 0)
                {
                    parts.Add(new WildcardPart(WildcardPartKind.Literal, literal.ToString()));
                    literal.Clear();
                }
                parts.Add(c == '*' ? WildcardPart.AnyRun : WildcardPart.AnyChar);
            }
            else
            {
                literal.Append(c);
            }
        }
        if (literal.Length > 0) parts.Add(new WildcardPart(WildcardPartKind.Literal, literal.ToString()));
        return WildcardPattern.Create(parts);
    }

    /// <summary>
    /// An Elasticsearch <c>wildcard</c> query value: <c>*</c> and <c>?</c> are wild, <c>\</c> makes the next
    /// character literal (a trailing backslash is literal). Elasticsearch's EQL builds such a query for
    /// <c>endsWith</c> and <c>stringContains</c> on a field, from the constant without escaping it
    /// (eql planner/QueryTranslator.java), so wildcards in those constants are live.
    /// </summary>
    public static WildcardPattern WildcardQuery(string value)
    {
        var parts = new List<WildcardPart>();
        var literal = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\' && i + 1 < value.Length)
            {
                literal.Append(value[++i]);
            }
            else if (c is '*' or '?')
            {
                if (literal.Length > 0)
                {
                    parts.Add(new WildcardPart(WildcardPartKind.Literal, literal.ToString()));
                    literal.Clear();
                }
                parts.Add(c == '*' ? WildcardPart.AnyRun : WildcardPart.AnyChar);
            }
            else
            {
                literal.Append(c);
            }
        }
        if (literal.Length > 0) parts.Add(new WildcardPart(WildcardPartKind.Literal, literal.ToString()));
        return WildcardPattern.Create(parts);
    }
}

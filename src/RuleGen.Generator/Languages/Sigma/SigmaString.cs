using System.Collections.Generic;
using System.Linq;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Sigma;

/// <summary>What one part of a Sigma string is.</summary>
public enum SigmaPartKind
{
    Literal,
    AnyRun,
    AnyChar,
    Placeholder,
}

public sealed record SigmaPart(SigmaPartKind Kind, string Text)
{
    public static readonly SigmaPart AnyRun = new(SigmaPartKind.AnyRun, "*");
    public static readonly SigmaPart AnyChar = new(SigmaPartKind.AnyChar, "?");
}

/// <summary>
/// A Sigma string value: literal text, <c>*</c> / <c>?</c> wildcards and (after <c>|expand</c>) placeholders, with the
/// specification's escapes resolved. The one home of Sigma's escape rules:
/// <c>\*</c> and <c>\?</c> are literal, <c>\\</c> is one backslash, a backslash before any other character (or at the
/// end) is kept as it is (<c>C:\Windows</c> needs no doubling).
/// </summary>
public sealed class SigmaString
{
    public SigmaString(IReadOnlyList<SigmaPart> parts) => Parts = Normalize(parts);

    public IReadOnlyList<SigmaPart> Parts { get; }

    public static SigmaString Parse(string text)
    {
        var parts = new List<SigmaPart>();
        var literal = new StringBuilder();
        void Flush()
        {
            if (literal.Length > 0) parts.Add(new SigmaPart(SigmaPartKind.Literal, literal.ToString()));
            literal.Clear();
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                if (i + 1 < text.Length && text[i + 1] is '*' or '?' or '\\')
                {
                    literal.Append(text[++i]);
                }
                else
                {
                    literal.Append('\\');
                }
            }
            else if (c == '*')
            {
                Flush();
                parts.Add(SigmaPart.AnyRun);
            }
            else if (c == '?')
            {
                Flush();
                parts.Add(SigmaPart.AnyChar);
            }
            else
            {
                literal.Append(c);
            }
        }
        Flush();
        return new SigmaString(parts);
    }

    public static SigmaString Literal(string text) => new(new[] { new SigmaPart(SigmaPartKind.Literal, text) });

    public bool HasWildcards => Parts.Any(p => p.Kind is SigmaPartKind.AnyRun or SigmaPartKind.AnyChar);

    public bool HasPlaceholders => Parts.Any(p => p.Kind == SigmaPartKind.Placeholder);

    public bool StartsWithAnyRun => Parts.Count > 0 && Parts[0].Kind == SigmaPartKind.AnyRun;

    public bool EndsWithAnyRun => Parts.Count > 0 && Parts[Parts.Count - 1].Kind == SigmaPartKind.AnyRun;

    public SigmaString Prepend(SigmaPart part) => new(new[] { part }.Concat(Parts).ToList());

    public SigmaString Append(SigmaPart part) => new(Parts.Concat(new[] { part }).ToList());

    /// <summary>The literal text (only meaningful when there are no wildcards or placeholders).</summary>
    public string PlainText => string.Concat(Parts.Select(p => p.Kind == SigmaPartKind.Literal ? p.Text : p.Kind == SigmaPartKind.Placeholder ? "%" + p.Text + "%" : p.Text));

    /// <summary>Applies <paramref name="map"/> to each literal part (encodings work on the literal text only).</summary>
    public SigmaString MapLiterals(System.Func<string, string> map) =>
        new(Parts.Select(p => p.Kind == SigmaPartKind.Literal ? new SigmaPart(SigmaPartKind.Literal, map(p.Text)) : p).ToList());

    /// <summary>
    /// Replaces <c>%name%</c> in literal parts with placeholder parts (the <c>expand</c> modifier); <c>\%</c> stays a
    /// literal percent sign.
    /// </summary>
    public SigmaString InsertPlaceholders()
    {
        var parts = new List<SigmaPart>();
        var regex = new System.Text.RegularExpressions.Regex(@"(?<!\\)%(\w+)%", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        foreach (var part in Parts)
        {
            if (part.Kind != SigmaPartKind.Literal)
            {
                parts.Add(part);
                continue;
            }
            var last = 0;
            foreach (System.Text.RegularExpressions.Match m in regex.Matches(part.Text))
            {
                var before = part.Text.Substring(last, m.Index - last).Replace("\\%", "%");
                if (before.Length > 0) parts.Add(new SigmaPart(SigmaPartKind.Literal, before));
                parts.Add(new SigmaPart(SigmaPartKind.Placeholder, m.Groups[1].Value));
                last = m.Index + m.Length;
            }
            var rest = part.Text.Substring(last).Replace("\\%", "%");
            if (rest.Length > 0) parts.Add(new SigmaPart(SigmaPartKind.Literal, rest));
        }
        return new SigmaString(parts);
    }

    /// <summary>The string as a wildcard pattern of the shared model (placeholders must be resolved first).</summary>
    public WildcardPattern ToPattern() => WildcardPattern.Create(Parts.Select(p => p.Kind switch
    {
        SigmaPartKind.AnyRun => WildcardPart.AnyRun,
        SigmaPartKind.AnyChar => WildcardPart.AnyChar,
        _ => new WildcardPart(WildcardPartKind.Literal, p.Text),
    }));

    private static IReadOnlyList<SigmaPart> Normalize(IReadOnlyList<SigmaPart> parts)
    {
        var result = new List<SigmaPart>();
        foreach (var part in parts)
        {
            if (part.Kind == SigmaPartKind.Literal)
            {
                if (part.Text.Length == 0) continue;
                if (result.Count > 0 && result[result.Count - 1].Kind == SigmaPartKind.Literal)
                {
                    result[result.Count - 1] = new SigmaPart(SigmaPartKind.Literal, result[result.Count - 1].Text + part.Text);
                    continue;
                }
            }
            result.Add(part);
        }
        return result;
    }

    public override string ToString() => new WildcardPattern(ToPattern().Parts).ToString();
}

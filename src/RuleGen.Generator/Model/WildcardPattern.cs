using System.Text;

namespace RuleGen.Generator.Model;

/// <summary>What one part of a wildcard pattern matches.</summary>
public enum WildcardPartKind
{
    /// <summary>Exactly the literal text.</summary>
    Literal,

    /// <summary>Any run of characters, the empty run included (<c>*</c>).</summary>
    AnyRun,

    /// <summary>Exactly one character (a Unicode scalar value; Sigma's and EQL's <c>?</c>).</summary>
    AnyChar,
}

public sealed record WildcardPart(WildcardPartKind Kind, string Literal)
{
    public static readonly WildcardPart AnyRun = new(WildcardPartKind.AnyRun, "");
    public static readonly WildcardPart AnyChar = new(WildcardPartKind.AnyChar, "");
}

/// <summary>
/// A wildcard pattern with its escapes already resolved by the language front end: literals are exact text, and
/// only <see cref="WildcardPartKind.AnyRun"/> / <see cref="WildcardPartKind.AnyChar"/> parts are wild.
/// Adjacent literals are merged and runs of <c>*</c> collapsed, so equal patterns have equal parts.
/// </summary>
public sealed record WildcardPattern(EquatableArray<WildcardPart> Parts)
{
    public bool HasWildcards
    {
        get
        {
            foreach (var part in Parts) if (part.Kind != WildcardPartKind.Literal) return true;
            return false;
        }
    }

    /// <summary>Builds a normalised pattern from parts.</summary>
    public static WildcardPattern Create(System.Collections.Generic.IEnumerable<WildcardPart> parts)
    {
        var result = new System.Collections.Generic.List<WildcardPart>();
        var literal = new StringBuilder();
        void Flush()
        {
            if (literal.Length == 0) return;
            result.Add(new WildcardPart(WildcardPartKind.Literal, literal.ToString()));
            literal.Clear();
        }
        foreach (var part in parts)
        {
            switch (part.Kind)
            {
                case WildcardPartKind.Literal:
                    literal.Append(part.Literal);
                    break;
                case WildcardPartKind.AnyRun:
                    Flush();
                    if (result.Count == 0 || result[result.Count - 1].Kind != WildcardPartKind.AnyRun) result.Add(WildcardPart.AnyRun);
                    break;
                default:
                    Flush();
                    result.Add(WildcardPart.AnyChar);
                    break;
            }
        }
        Flush();
        return new WildcardPattern(result.ToEquatableArray());
    }

    /// <summary>The pattern written with <c>*</c> and <c>?</c>, literal wildcard characters escaped with <c>\</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var part in Parts)
        {
            switch (part.Kind)
            {
                case WildcardPartKind.AnyRun: sb.Append('*'); break;
                case WildcardPartKind.AnyChar: sb.Append('?'); break;
                default:
                    foreach (var c in part.Literal)
                    {
                        if (c is '*' or '?' or '\\') sb.Append('\\');
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.ToString();
    }
}

namespace RuleGen.Generator.Model;

/// <summary>Builds the most specific matcher for a pattern, so every language gets the fast paths for free.</summary>
public static class Matchers
{
    /// <summary>
    /// A matcher for a wildcard pattern: exact text when it has no wildcard, a prefix, suffix or substring test for
    /// <c>abc*</c>, <c>*abc</c> and <c>*abc*</c>, a general wildcard otherwise.
    /// </summary>
    public static ValueMatcher ForPattern(WildcardPattern pattern, CaseMode caseMode, ValueKinds kinds)
    {
        var parts = pattern.Parts;
        if (parts.Count == 0) return new StringMatcher(StringOperation.Equals, "", caseMode, kinds);
        if (parts.Count == 1 && parts[0].Kind == WildcardPartKind.Literal)
            return new StringMatcher(StringOperation.Equals, parts[0].Literal, caseMode, kinds);
        if (parts.Count == 2)
        {
            if (parts[0].Kind == WildcardPartKind.Literal && parts[1].Kind == WildcardPartKind.AnyRun)
                return new StringMatcher(StringOperation.StartsWith, parts[0].Literal, caseMode, kinds);
            if (parts[0].Kind == WildcardPartKind.AnyRun && parts[1].Kind == WildcardPartKind.Literal)
                return new StringMatcher(StringOperation.EndsWith, parts[1].Literal, caseMode, kinds);
        }
        if (parts.Count == 3 && parts[0].Kind == WildcardPartKind.AnyRun && parts[1].Kind == WildcardPartKind.Literal
            && parts[2].Kind == WildcardPartKind.AnyRun)
            return new StringMatcher(StringOperation.Contains, parts[1].Literal, caseMode, kinds);
        return new WildcardMatcher(pattern, caseMode, kinds);
    }

    /// <summary>Exact text.</summary>
    public static ValueMatcher Exact(string value, CaseMode caseMode, ValueKinds kinds) =>
        new StringMatcher(StringOperation.Equals, value, caseMode, kinds);
}

namespace RuleGen.Runtime;

/// <summary>A Sigma rule's logsource: which log the rule reads (empty strings for keys the rule does not set).</summary>
public sealed record SigmaLogsource(string Product, string Category, string Service, string Definition);

/// <summary>A Sigma <c>related</c> entry: another rule's id and the relation (derived, obsolete, merged, renamed, similar).</summary>
public sealed record SigmaRelatedRule(string Id, string Type);

/// <summary>
/// What a Sigma rule says beyond the metadata all rules share (title is <see cref="RuleInfo.Name"/>, tags, authors,
/// references and false positives are on <see cref="RuleInfo"/>; <c>attack.*</c> tags are also in
/// <see cref="RuleInfo.Threat"/>).
/// </summary>
public sealed class SigmaRuleInfo
{
    /// <summary>stable, test, experimental, deprecated or unsupported ("" when not set).</summary>
    public string Status { get; init; } = "";
    /// <summary>informational, low, medium, high or critical, as written ("" when not set).</summary>
    public string Level { get; init; } = "";
    /// <summary>Creation date as written (YYYY-MM-DD).</summary>
    public string Date { get; init; } = "";
    /// <summary>Last modification date as written ("" when not set).</summary>
    public string Modified { get; init; } = "";
    public SigmaLogsource Logsource { get; init; } = new("", "", "", "");
    /// <summary>The fields the rule suggests showing with a match.</summary>
    public IReadOnlyList<string> Fields { get; init; } = Array.Empty<string>();
    public IReadOnlyList<SigmaRelatedRule> Related { get; init; } = Array.Empty<SigmaRelatedRule>();
    /// <summary>The field profile the rule was compiled with (flat, ecs, or a user profile).</summary>
    public string Profile { get; init; } = "";
}

namespace RuleGen.Runtime;

/// <summary>A MITRE ATT&amp;CK tactic, technique or sub-technique.</summary>
public sealed record MitreEntry(string Id, string Name, string Reference);

/// <summary>A technique and its sub-techniques.</summary>
public sealed record MitreTechnique(MitreEntry Technique, IReadOnlyList<MitreEntry> Subtechniques);

/// <summary>One threat mapping: framework, tactic and the techniques under it.</summary>
public sealed record ThreatMapping(string Framework, MitreEntry Tactic, IReadOnlyList<MitreTechnique> Techniques);

/// <summary>
/// Everything a rule file says about a compiled rule besides its condition. Optional values are null when the file
/// does not set them. <see cref="Properties"/> keeps every key of the rule as JSON, so nothing the file says is lost
/// even where there is no typed property.
/// </summary>
public sealed class RuleInfo
{
    /// <summary>The rule's id (Elastic <c>rule_id</c>, Sigma <c>id</c>).</summary>
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>"elastic" or "sigma".</summary>
    public required string Format { get; init; }
    /// <summary>Elastic rule type (query, eql, threshold, new_terms, threat_match, ...) or "sigma".</summary>
    public required string Type { get; init; }
    /// <summary>kuery, eql, sigma, ...</summary>
    public required string Language { get; init; }
    /// <summary>The query text as written in the rule file.</summary>
    public string? Query { get; init; }
    /// <summary>The rule file, relative to the project when possible.</summary>
    public required string SourceFile { get; init; }
    /// <summary>low, medium, high or critical (a Sigma rule's level informational is low here; see <see cref="SigmaRuleInfo.Level"/>).</summary>
    public string Severity { get; init; } = "";
    public int RiskScore { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Authors { get; init; } = Array.Empty<string>();
    public string? License { get; init; }
    public IReadOnlyList<string> FalsePositives { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> References { get; init; } = Array.Empty<string>();
    public string? Note { get; init; }
    public string? Setup { get; init; }
    public int? Version { get; init; }
    /// <summary>Index patterns the rule searches (Elastic).</summary>
    public IReadOnlyList<string> Index { get; init; } = Array.Empty<string>();
    /// <summary>How often the rule runs (Elastic <c>interval</c>, e.g. "5m"); null means Kibana's default, 5m.</summary>
    public string? Interval { get; init; }
    /// <summary>Look-back start (Elastic <c>from</c>, e.g. "now-25m"); null means Kibana's default, now-6m.</summary>
    public string? From { get; init; }
    /// <summary>Maximum alerts per execution; null means Kibana's default, 100.</summary>
    public int? MaxSignals { get; init; }
    /// <summary>The event field that holds the rule's time (Elastic <c>timestamp_override</c>).</summary>
    public string? TimestampOverride { get; init; }
    /// <summary>"default" for building-block rules.</summary>
    public string? BuildingBlockType { get; init; }
    public IReadOnlyList<ThreatMapping> Threat { get; init; } = Array.Empty<ThreatMapping>();
    /// <summary>What a Sigma rule says beyond the common metadata (null for other formats).</summary>
    public SigmaRuleInfo? Sigma { get; init; }
    /// <summary>Every key of the file's <c>[metadata]</c> table, as JSON text.</summary>
    public IReadOnlyDictionary<string, string> FileMetadata { get; init; } = EmptyMap;
    /// <summary>Every key of the rule, typed above or not, as JSON text.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = EmptyMap;
    /// <summary>Elastic rules: the rule type's settings (threshold, new_terms, threat_match) and alert shaping; null otherwise.</summary>
    public ElasticRuleSettings? Elastic { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyMap = new Dictionary<string, string>();

    public override string ToString() => $"{Name} ({Id})";
}

namespace RuleGen.Generator.Model;

/// <summary>The rule file format a rule came from.</summary>
public enum RuleFormat
{
    Elastic,
    Sigma,
}

/// <summary>One MITRE ATT&amp;CK entry (a technique or sub-technique, or a tactic).</summary>
public sealed record MitreEntry(string Id, string Name, string Reference);

/// <summary>A technique with its sub-techniques.</summary>
public sealed record MitreTechnique(MitreEntry Technique, EquatableArray<MitreEntry> Subtechniques);

/// <summary>One <c>[[rule.threat]]</c> entry: a framework, a tactic and the techniques under it.</summary>
public sealed record ThreatMapping(string Framework, MitreEntry Tactic, EquatableArray<MitreTechnique> Techniques);

/// <summary>A Sigma <c>related</c> entry: another rule's id and how this one relates to it (derived, obsolete, merged, renamed, similar).</summary>
public sealed record SigmaRelated(string Id, string Type);

/// <summary>What a Sigma rule says beyond the common metadata: status, level, dates, logsource, fields, related rules.</summary>
public sealed record SigmaRuleMetadata(
    string Status,
    string Level,
    string Date,
    string Modified,
    string Product,
    string Category,
    string Service,
    string Definition,
    EquatableArray<string> Fields,
    EquatableArray<SigmaRelated> Related,
    string Profile)
{
    /// <summary>The rule's Sigma <c>name</c> (how correlation rules may refer to it), or empty.</summary>
    public string RuleName { get; init; } = "";
}

/// <summary>A key and its value, rendered as JSON, for metadata that has no typed property.</summary>
public sealed record MetadataEntry(string Key, string Json);

/// <summary>
/// Everything a rule file says about a rule besides its condition, in the shape the runtime's
/// <c>RuleInfo</c> exposes it. Optional values are null when the file does not set them.
/// </summary>
public sealed record RuleMetadata
{
    /// <summary>"elastic" or "sigma".</summary>
    public string Format { get; init; } = "";
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>Elastic rule type (query, eql, threshold, ...) or "sigma".</summary>
    public string Type { get; init; } = "";
    /// <summary>kuery, eql, esql, lucene, sigma.</summary>
    public string Language { get; init; } = "";
    public string? Query { get; init; }
    public string Severity { get; init; } = "";
    public int RiskScore { get; init; }
    public EquatableArray<string> Tags { get; init; } = EquatableArray<string>.Empty;
    public EquatableArray<string> Authors { get; init; } = EquatableArray<string>.Empty;
    public string? License { get; init; }
    public EquatableArray<string> FalsePositives { get; init; } = EquatableArray<string>.Empty;
    public EquatableArray<string> References { get; init; } = EquatableArray<string>.Empty;
    public string? Note { get; init; }
    public string? Setup { get; init; }
    public int? Version { get; init; }
    public EquatableArray<string> Index { get; init; } = EquatableArray<string>.Empty;
    public string? Interval { get; init; }
    public string? From { get; init; }
    public int? MaxSignals { get; init; }
    public string? TimestampOverride { get; init; }
    /// <summary>Where an event's time is, in order (a Sigma rule's profile); empty: the override, then <c>@timestamp</c>.</summary>
    public EquatableArray<string> TimeFields { get; init; } = EquatableArray<string>.Empty;
    public string? BuildingBlockType { get; init; }
    public EquatableArray<ThreatMapping> Threat { get; init; } = EquatableArray<ThreatMapping>.Empty;
    /// <summary>Every key of the file's <c>[metadata]</c> table, as JSON values.</summary>
    public EquatableArray<MetadataEntry> FileMetadata { get; init; } = EquatableArray<MetadataEntry>.Empty;
    /// <summary>Sigma-specific metadata (null for other formats).</summary>
    public SigmaRuleMetadata? Sigma { get; init; }
    /// <summary>Every key of the rule without a typed property above, as JSON values, so nothing the file says is lost.</summary>
    public EquatableArray<MetadataEntry> Properties { get; init; } = EquatableArray<MetadataEntry>.Empty;
    /// <summary>Elastic rule-type settings (threshold, new_terms, threat_match, alert shaping); null for other formats.</summary>
    public ElasticRuleDetails? Elastic { get; init; }
}

/// <summary>
/// A parsed rule: its metadata, its condition lowered into the shared predicate model (null when the rule cannot be
/// compiled), and the diagnostics found on the way. Pure data with value equality.
/// </summary>
/// <remarks>
/// A rule matches when <see cref="Gate"/> (if any) and <see cref="Condition"/> both hold. The gate is what the rule
/// format adds around the query itself (a Sigma rule's logsource); generated code offers the full match and the
/// condition alone ("detection only").
/// </remarks>
public sealed record RuleModel(
    string SourcePath,
    RuleFormat Format,
    RuleMetadata Metadata,
    Predicate? Condition,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>A condition the format adds around the query (Sigma logsource), or null.</summary>
    public Predicate? Gate { get; init; }

    /// <summary>
    /// A multi-event rule (EQL sequence or sample), whose steps the host joins across events; null for single-event
    /// rules. A sequence rule has no single-event <see cref="Condition"/>.
    /// </summary>
    public SequenceModel? Sequence { get; init; }

    /// <summary>The path shown to users (relative to the project or the rules folder), forward slashes.</summary>
    public string DisplayPath { get; init; } = SourcePath;

    /// <summary>
    /// The names of the rule sets the rule belongs to (its folder's <c>RuleSet</c> metadata); empty for the default
    /// rule set, <c>RuleSet</c>.
    /// </summary>
    public EquatableArray<string> RuleSets { get; init; } = EquatableArray<string>.Empty;

    /// <summary>
    /// A Sigma correlation rule, which the host evaluates over the matches of the rules it names; null for other
    /// rules. A correlation has no <see cref="Condition"/> of its own and is emitted into its rule set's
    /// <c>Correlations</c>, not as a rule.
    /// </summary>
    public CorrelationModel? Correlation { get; init; }

    /// <summary>A Sigma filter document (applied to the rules it names, Planning/SigmaFilterPlan); null for other rules.</summary>
    public RuleFormats.Sigma.SigmaFilterModel? Filter { get; init; }

    /// <summary>The Sigma filters ANDed into this rule's condition, as their generated code shows them.</summary>
    public EquatableArray<string> AppliedFilters { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Where the rule's id is written (for diagnostics about it), or the file start.</summary>
    public SourceLocation? IdLocation { get; init; }

    public bool IsCompiled => Condition is not null || Sequence is not null;
}

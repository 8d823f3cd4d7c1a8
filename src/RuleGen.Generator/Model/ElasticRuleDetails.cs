namespace RuleGen.Generator.Model;

// What an Elastic rule says beyond its per-event query: the settings of threshold, new_terms and threat_match rules
// (which the host evaluates across events), alert shaping and investigation hints. Mirrored by the runtime's
// ElasticRuleSettings (Rules/ElasticRuleSettings.cs), which documents each for the host.

public sealed record NewTermsSettings(EquatableArray<string> Fields, string HistoryWindowStart);

public sealed record ThresholdCardinalityEntry(string Field, long Value);

public sealed record ThresholdSettings(EquatableArray<string> Fields, long Value, EquatableArray<ThresholdCardinalityEntry> Cardinality);

public sealed record ThreatMappingEntry(string Field, string Type, string Value);

public sealed record ThreatMappingGroup(EquatableArray<ThreatMappingEntry> Entries);

public sealed record ThreatMatchSettings(
    EquatableArray<ThreatMappingGroup> Mappings,
    EquatableArray<string> Index,
    string? Query,
    string? Language,
    string IndicatorPath,
    EquatableArray<string> FiltersJson);

public sealed record AlertSuppressionSettings(EquatableArray<string> GroupBy, long? DurationValue, string? DurationUnit, string? MissingFieldsStrategy);

public sealed record SeverityMappingEntry(string Field, string Operator, string Value, string Severity);

public sealed record RiskScoreMappingEntry(string Field, string Operator, string Value, int? RiskScore);

public sealed record ExceptionListReference(string Id, string ListId, string NamespaceType, string Type);

/// <summary>The Elastic-specific settings of a rule; empty parts are null or empty arrays.</summary>
public sealed record ElasticRuleDetails
{
    public NewTermsSettings? NewTerms { get; init; }
    public ThresholdSettings? Threshold { get; init; }
    public ThreatMatchSettings? ThreatMatch { get; init; }
    public AlertSuppressionSettings? AlertSuppression { get; init; }
    public EquatableArray<SeverityMappingEntry> SeverityMapping { get; init; } = EquatableArray<SeverityMappingEntry>.Empty;
    public EquatableArray<RiskScoreMappingEntry> RiskScoreMapping { get; init; } = EquatableArray<RiskScoreMappingEntry>.Empty;
    public string? RuleNameOverride { get; init; }
    public EquatableArray<string> InvestigationFields { get; init; } = EquatableArray<string>.Empty;
    /// <summary>The rule's Kibana filters as JSON (compiled into the condition as well).</summary>
    public EquatableArray<string> FiltersJson { get; init; } = EquatableArray<string>.Empty;
    public EquatableArray<ExceptionListReference> ExceptionsList { get; init; } = EquatableArray<ExceptionListReference>.Empty;
    public bool? Enabled { get; init; }
}

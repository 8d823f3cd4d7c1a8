namespace RuleGen.Runtime;

/// <summary>
/// What an Elastic rule says beyond the per-event query that its generated matcher evaluates: how threshold,
/// new_terms and threat_match rules aggregate matching events, and how alerts are shaped. RuleGen compiles the
/// per-event query (and the rule's Kibana <c>filters</c>) of every kuery rule; a host implements the cross-event part
/// of these rule types from the settings below, exactly as Kibana's detection engine documents them.
/// </summary>
/// <remarks>
/// Execution model of the rule types (Kibana detection engine):
/// <list type="bullet">
/// <item><b>query</b>: every event the matcher accepts is an alert.</item>
/// <item><b>threshold</b> (<see cref="Threshold"/>): events the matcher accepts are grouped by the values of
/// <see cref="ThresholdSettings.Fields"/> (one group for all events when empty; an event missing a field is not
/// counted in any group); a group whose count reaches <see cref="ThresholdSettings.Value"/> (count &gt;= value), and
/// whose distinct counts of each <see cref="ThresholdSettings.Cardinality"/> field also reach their values, raises one
/// alert per rule execution window (<see cref="RuleInfo.From"/> .. now, every <see cref="RuleInfo.Interval"/>).</item>
/// <item><b>new_terms</b> (<see cref="NewTerms"/>): an event the matcher accepts is an alert when the combination
/// of values of <see cref="NewTermsSettings.Fields"/> (each field's values; array fields contribute each value) was not
/// seen in any accepted event within the history window (<see cref="NewTermsSettings.HistoryWindowStart"/>, e.g.
/// now-7d, up to the start of the execution window). Events missing one of the fields are skipped.</item>
/// <item><b>threat_match</b> (<see cref="ThreatMatch"/>): an event the matcher accepts is an alert when it matches
/// an indicator document (from <see cref="ThreatMatchSettings.Index"/>, selected by
/// <see cref="ThreatMatchSettings.Query"/> and <see cref="ThreatMatchSettings.FiltersJson"/>): the mapping groups are
/// ORed, the entries of a group ANDed, and an entry holds when the event's <see cref="ThreatMappingEntry.Field"/>
/// equals the indicator's <see cref="ThreatMappingEntry.Value"/> field. Matched indicators are copied under
/// <c>threat.enrichments</c> from <see cref="ThreatMatchSettings.IndicatorPath"/>.</item>
/// </list>
/// </remarks>
public sealed class ElasticRuleSettings
{
    /// <summary>new_terms rules: the fields whose value combination must be new, and the history window.</summary>
    public NewTermsSettings? NewTerms { get; init; }

    /// <summary>threshold rules: grouping fields, the count to reach and optional cardinality conditions.</summary>
    public ThresholdSettings? Threshold { get; init; }

    /// <summary>threat_match (indicator match) rules: the indicator source and how events map onto indicators.</summary>
    public ThreatMatchSettings? ThreatMatch { get; init; }

    /// <summary>Alert suppression: alerts with equal values of the group-by fields within the duration are merged.</summary>
    public AlertSuppressionSettings? AlertSuppression { get; init; }

    /// <summary>
    /// Severity overrides: the first entry whose <see cref="SeverityMapping.Field"/> equals its value in the
    /// alerted event sets the alert's severity (else <see cref="RuleInfo.Severity"/>).
    /// </summary>
    public IReadOnlyList<SeverityMapping> SeverityMapping { get; init; } = Array.Empty<SeverityMapping>();

    /// <summary>
    /// Risk-score overrides: the event's value of <see cref="RiskScoreMapping.Field"/> (a number 0-100) becomes the
    /// alert's risk score when present (else <see cref="RuleInfo.RiskScore"/>).
    /// </summary>
    public IReadOnlyList<RiskScoreMapping> RiskScoreMapping { get; init; } = Array.Empty<RiskScoreMapping>();

    /// <summary>A field of the event whose value becomes the alert's rule name (Kibana <c>rule_name_override</c>).</summary>
    public string? RuleNameOverride { get; init; }

    /// <summary>Fields an analyst should look at first (Kibana <c>investigation_fields.field_names</c>).</summary>
    public IReadOnlyList<string> InvestigationFields { get; init; } = Array.Empty<string>();

    /// <summary>The rule's Kibana filters as JSON; RuleGen has compiled them into the matcher (ANDed with the query).</summary>
    public IReadOnlyList<string> FiltersJson { get; init; } = Array.Empty<string>();

    /// <summary>Exception lists the rule refers to (their items live in Kibana and are not applied by RuleGen).</summary>
    public IReadOnlyList<ExceptionListReference> ExceptionsList { get; init; } = Array.Empty<ExceptionListReference>();

    /// <summary>Kibana's <c>enabled</c> flag when the file sets it.</summary>
    public bool? Enabled { get; init; }
}

/// <summary>new_terms settings.</summary>
/// <param name="Fields">Up to three fields whose combination of values must not have been seen before.</param>
/// <param name="HistoryWindowStart">Date math for the start of the history, such as <c>now-7d</c>.</param>
public sealed record NewTermsSettings(IReadOnlyList<string> Fields, string HistoryWindowStart)
{
    /// <summary>The history window as a duration (<c>now-7d</c>: 7 days); null when the text is not <c>now-N&lt;unit&gt;</c>.</summary>
    public TimeSpan? HistoryWindow { get; } = ElasticDuration.FromNowMinus(HistoryWindowStart);
}

/// <summary>A threshold cardinality condition: the distinct values of <paramref name="Field"/> in a group reach <paramref name="Value"/>.</summary>
public sealed record ThresholdCardinality(string Field, long Value);

/// <summary>threshold settings.</summary>
/// <param name="Fields">The group-by fields (empty: all matching events form one group).</param>
/// <param name="Value">The count a group must reach (&gt;=).</param>
/// <param name="Cardinality">Distinct-count conditions a group must also meet.</param>
public sealed record ThresholdSettings(IReadOnlyList<string> Fields, long Value, IReadOnlyList<ThresholdCardinality> Cardinality);

/// <summary>One condition of an indicator mapping: the event's <paramref name="Field"/> equals the indicator's <paramref name="Value"/> field (<paramref name="Type"/> is "mapping").</summary>
public sealed record ThreatMappingEntry(string Field, string Type, string Value);

/// <summary>The entries of one mapping group (ANDed); groups are ORed.</summary>
public sealed record ThreatMappingGroup(IReadOnlyList<ThreatMappingEntry> Entries);

/// <summary>threat_match settings.</summary>
/// <param name="Mappings">The mapping groups (ORed).</param>
/// <param name="Index">Index patterns of the indicator documents.</param>
/// <param name="Query">The query selecting indicator documents (in <paramref name="Language"/>, usually kuery).</param>
/// <param name="Language">The language of <paramref name="Query"/>.</param>
/// <param name="IndicatorPath">Where the indicator object is in an indicator document (default <c>threat.indicator</c>).</param>
/// <param name="FiltersJson">Kibana filters on the indicator documents, as JSON.</param>
public sealed record ThreatMatchSettings(
    IReadOnlyList<ThreatMappingGroup> Mappings,
    IReadOnlyList<string> Index,
    string? Query,
    string? Language,
    string IndicatorPath,
    IReadOnlyList<string> FiltersJson);

/// <summary>Alert suppression settings.</summary>
/// <param name="GroupBy">Fields whose equal values make alerts one (empty for threshold rules: the threshold groups).</param>
/// <param name="Duration">How long alerts are suppressed; null: per rule execution.</param>
/// <param name="MissingFieldsStrategy"><c>suppress</c> (events missing a field form one group) or <c>doNotSuppress</c>.</param>
public sealed record AlertSuppressionSettings(IReadOnlyList<string> GroupBy, TimeSpan? Duration, string? MissingFieldsStrategy);

/// <summary>A severity override: when the event's <paramref name="Field"/> <paramref name="Operator"/> (equals) <paramref name="Value"/>, the alert's severity is <paramref name="Severity"/>.</summary>
public sealed record SeverityMapping(string Field, string Operator, string Value, string Severity);

/// <summary>A risk-score override: the event's <paramref name="Field"/> supplies the risk score (<paramref name="Value"/> is empty in Kibana's format).</summary>
public sealed record RiskScoreMapping(string Field, string Operator, string Value, int? RiskScore);

/// <summary>A reference to a Kibana exception list.</summary>
public sealed record ExceptionListReference(string Id, string ListId, string NamespaceType, string Type);

/// <summary>Durations of Elastic rule settings.</summary>
public static class ElasticDuration
{
    /// <summary>The duration of <paramref name="value"/> <paramref name="unit"/> (s, m, h, d; Kibana's units).</summary>
    public static TimeSpan? From(long value, string? unit) => unit switch
    {
        "s" => TimeSpan.FromSeconds(value),
        "m" => TimeSpan.FromMinutes(value),
        "h" => TimeSpan.FromHours(value),
        "d" => TimeSpan.FromDays(value),
        _ => null,
    };

    /// <summary>The span of <c>now-N&lt;unit&gt;</c> (units s m h d w; M and y as 30 and 365 days); null otherwise.</summary>
    public static TimeSpan? FromNowMinus(string text)
    {
        if (!text.StartsWith("now-", StringComparison.Ordinal) || text.Length < 6) return null;
        var unit = text[^1];
        if (!long.TryParse(text.AsSpan(4, text.Length - 5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return null;
        return unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' or 'H' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            'w' => TimeSpan.FromDays(7 * n),
            'M' => TimeSpan.FromDays(30 * n),
            'y' => TimeSpan.FromDays(365 * n),
            _ => null,
        };
    }
}

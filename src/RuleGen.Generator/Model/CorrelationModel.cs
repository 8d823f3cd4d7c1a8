namespace RuleGen.Generator.Model;

/// <summary>A rule a Sigma correlation names (by id or name), and where the name is written.</summary>
public sealed record CorrelationReference(string Reference, SourceLocation Location);

/// <summary>One entry of a correlation alias: the field that rule <see cref="Rule"/> (by name or id) holds the alias in.</summary>
public sealed record CorrelationAliasField(string Rule, string Field);

/// <summary>A correlation's field alias (<c>aliases:</c>): its name and the field each rule holds it in.</summary>
public sealed record CorrelationAlias(string Name, EquatableArray<CorrelationAliasField> Fields);

/// <summary>One criterion of a correlation's condition (gt, gte, lt, lte, eq, neq) and its number (whole for counts).</summary>
public sealed record CorrelationCriterionModel(string Operator, double Value);

/// <summary>
/// A Sigma correlation rule (specification 2.0) as read from its YAML document: the type, the rules it names, the
/// group-by entries (field names or aliases), the timespan, the condition, the aliases and <c>generate</c>. The rules
/// it names are resolved to rule indexes when the rule set is planned (Planning/CorrelationPlan), where its fields are
/// also mapped through the correlation's Sigma field profile for each rule. Pure data with value equality.
/// </summary>
/// <param name="Type">event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile or value_median.</param>
/// <param name="Name">The correlation's own Sigma <c>name</c> (another correlation may name it), or empty.</param>
/// <param name="ValueField">value_count and the metric types: the condition's <c>field</c>; else null.</param>
/// <param name="Profile">The Sigma field profile of the correlation's folder (flat, ecs, or a configured one).</param>
public sealed record CorrelationModel(
    string Type,
    string Name,
    EquatableArray<CorrelationReference> Rules,
    EquatableArray<string> GroupBy,
    long TimespanNanos,
    EquatableArray<CorrelationCriterionModel> Condition,
    string? ValueField,
    EquatableArray<CorrelationAlias> Aliases,
    bool Generate,
    string Profile)
{
    /// <summary>value_percentile: the condition's <c>percentile</c> (0 to 100); value_median: 50; else 0.</summary>
    public double Percentile { get; init; }
}

namespace RuleGen.Runtime;

/// <summary>The kinds of Sigma correlation rules (Sigma correlation rules specification 2.0) RuleGen runs.</summary>
public enum CorrelationType
{
    /// <summary><c>event_count</c>: how many events of the rules occur per group within the timespan.</summary>
    EventCount,

    /// <summary><c>value_count</c>: how many distinct values of a field the events of a group hold within the timespan.</summary>
    ValueCount,

    /// <summary><c>temporal</c>: events of the rules (how many different rules) occur per group within the timespan, in any order.</summary>
    Temporal,

    /// <summary><c>temporal_ordered</c>: events of all the rules occur per group within the timespan, in the order listed.</summary>
    TemporalOrdered,

    /// <summary><c>value_sum</c> (2.1): the sum of a numeric field over the group's events within the timespan.</summary>
    ValueSum,

    /// <summary><c>value_avg</c> (2.1): the arithmetic mean of a numeric field over the group's events within the timespan.</summary>
    ValueAverage,

    /// <summary><c>value_percentile</c> (2.1): a percentile (<see cref="CorrelationDefinition.Percentile"/>) of a numeric field over the group's events.</summary>
    ValuePercentile,

    /// <summary><c>value_median</c> (2.1): the median (50th percentile) of a numeric field over the group's events.</summary>
    ValueMedian,
}

/// <summary>A comparison of a correlation's condition (<c>gt</c>, <c>gte</c>, <c>lt</c>, <c>lte</c>, <c>eq</c>, <c>neq</c>).</summary>
public enum CorrelationOperator
{
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Equal,
    NotEqual,
}

/// <summary>
/// One criterion of a correlation's condition; several criteria are ANDed (a range). The value is a whole number for
/// the counting types and any number for the metric ones (value_sum, value_avg, value_percentile, value_median).
/// </summary>
public readonly record struct CorrelationCriterion(CorrelationOperator Operator, double Value)
{
    /// <summary>Whether a count or metric meets the criterion.</summary>
    public bool Holds(double count) => Operator switch
    {
        CorrelationOperator.GreaterThan => count > Value,
        CorrelationOperator.GreaterThanOrEqual => count >= Value,
        CorrelationOperator.LessThan => count < Value,
        CorrelationOperator.LessThanOrEqual => count <= Value,
        CorrelationOperator.Equal => count == Value,
        _ => count != Value,
    };

    /// <summary>True for criteria a larger count or sum can only make true and keep true (gt, gte).</summary>
    public bool IsMonotone => Operator is CorrelationOperator.GreaterThan or CorrelationOperator.GreaterThanOrEqual;
}

/// <summary>
/// One rule a correlation refers to: a rule of the rule set (<see cref="RuleIndex"/>) or another correlation
/// (<see cref="CorrelationIndex"/>), and the fields its events give for the correlation's group-by entries and
/// value field (the correlation's <c>aliases</c> resolved for this rule).
/// </summary>
/// <param name="Reference">The rule as the correlation names it (id or name).</param>
/// <param name="RuleIndex">The rule's index in the rule set, or -1.</param>
/// <param name="CorrelationIndex">The referenced correlation's index in the rule set's correlations, or -1.</param>
/// <param name="GroupByFields">For each of the correlation's <c>group-by</c> entries, the field this rule's events hold it in.</param>
/// <param name="ValueField">value_count: the field whose distinct values are counted; the metric types: the numeric field they aggregate; for this rule's events; else null.</param>
public sealed record CorrelationSource(string Reference, int RuleIndex, int CorrelationIndex, IReadOnlyList<string> GroupByFields, string? ValueField)
{
    /// <summary>
    /// For each group-by entry, the paths its value is read from, in order (the first that holds a value counts): how
    /// the rule's Sigma profile resolves the field, such as <c>Computer</c> then <c>Event.System.Computer</c> for
    /// Windows events as flat or evtx JSON. Null: <see cref="GroupByFields"/> alone.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>>? GroupByPaths { get; init; }

    /// <summary>Likewise for <see cref="ValueField"/> (value_count and the metric types); null: <see cref="ValueField"/> alone.</summary>
    public IReadOnlyList<string>? ValuePaths { get; init; }
}

/// <summary>
/// A Sigma correlation rule, emitted by the generator as typed data (as EQL sequences are): its type, the rules it
/// correlates, how their events are grouped, the timespan and the condition. A host evaluates it over the matches of
/// the rules it names.
/// </summary>
public sealed class CorrelationDefinition
{
    public CorrelationDefinition(RuleInfo info, CorrelationType type, IReadOnlyList<CorrelationSource> sources, IReadOnlyList<string> groupBy,
        long timespanNanos, IReadOnlyList<CorrelationCriterion> condition, bool generate)
    {
        if (sources.Count == 0) throw new ArgumentException("A correlation refers to at least one rule.", nameof(sources));
        if (timespanNanos <= 0) throw new ArgumentOutOfRangeException(nameof(timespanNanos), "A correlation needs a positive timespan.");
        if (sources.Any(s => s.GroupByFields.Count != groupBy.Count)) throw new ArgumentException("Every rule needs a field for each group-by entry.", nameof(sources));
        Info = info;
        Type = type;
        Sources = sources;
        GroupBy = groupBy;
        TimespanNanos = timespanNanos;
        Condition = condition;
        Generate = generate;
    }

    /// <summary>The correlation's metadata (title, id, level as severity, ...); its alerts carry it as their rule.</summary>
    public RuleInfo Info { get; }

    public CorrelationType Type { get; }

    /// <summary>The rules it correlates, in the order the correlation lists them.</summary>
    public IReadOnlyList<CorrelationSource> Sources { get; }

    /// <summary>The <c>group-by</c> entries as written (field names or aliases).</summary>
    public IReadOnlyList<string> GroupBy { get; }

    /// <summary>The <c>timespan</c> in nanoseconds.</summary>
    public long TimespanNanos { get; }

    /// <summary>
    /// The <c>condition</c>'s criteria (ANDed). Empty for temporal types without one: every rule must occur.
    /// </summary>
    public IReadOnlyList<CorrelationCriterion> Condition { get; }

    /// <summary>
    /// <c>generate</c>: whether the rules it refers to also alert on their own. By default (false) only the
    /// correlation does.
    /// </summary>
    public bool Generate { get; }

    /// <summary>
    /// value_percentile: the percentile the condition judges, 0 to 100 (the condition's <c>percentile</c>);
    /// value_median: 50; other types: 0, unused.
    /// </summary>
    public double Percentile { get; init; }

    /// <summary>Whether the type aggregates a numeric field (value_sum, value_avg, value_percentile, value_median).</summary>
    public bool IsMetric => Type is CorrelationType.ValueSum or CorrelationType.ValueAverage or CorrelationType.ValuePercentile or CorrelationType.ValueMedian;

    /// <summary>
    /// Where an event's time is for the correlation's timespan (the first of these fields that holds a date), as its
    /// Sigma profile says; empty: <c>@timestamp</c>.
    /// </summary>
    public IReadOnlyList<string> TimeFields { get; init; } = Array.Empty<string>();
}

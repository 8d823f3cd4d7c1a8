namespace RuleGen.Host.Detection;

/// <summary>
/// Settings of a <see cref="DetectionEngine"/>: how long it waits for late events, and the memory bound of every kind
/// of state it keeps. Each bound is per rule; what goes over it is dropped and counted (the summary shows it).
/// </summary>
public sealed record DetectionOptions
{
    /// <summary>
    /// How far out of time order events may arrive. An execution at time T runs once the stream's time on the rule's
    /// clock (the latest event time seen) has passed T plus this; an event that arrives after its execution ran is
    /// still alerted by a later execution whose look-back covers it (as Kibana's overlapping windows do), and counted
    /// as late only when no later execution covers it. Default: 1 minute.
    /// </summary>
    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most matching events one rule holds while they wait for an execution that alerts on them (query, EQL and
    /// Sigma single-event rules, threat_match, threshold, new_terms). A rule that matches more than this within one
    /// look-back cannot alert on all of them anyway (each execution raises at most max_signals); the newest are
    /// dropped and counted. Default: 10,000.
    /// </summary>
    public int MaxPendingEventsPerRule { get; init; } = 10_000;

    /// <summary>
    /// The most distinct terms (value combinations) a new_terms rule remembers. Terms older than the history window
    /// are forgotten first; beyond the bound the least recently seen are evicted (an evicted term seen again alerts
    /// again) and counted. Default: 100,000.
    /// </summary>
    public int MaxTermsPerRule { get; init; } = 100_000;

    /// <summary>
    /// The most groups a threshold rule remembers in its signal history, and the most open alert-suppression
    /// windows a rule keeps. The oldest beyond the bound are dropped and counted. Default: 10,000.
    /// </summary>
    public int MaxGroupsPerRule { get; init; } = 10_000;

    /// <summary>
    /// The most groups a Sigma correlation tracks at once (each holding at most what its condition needs: the last
    /// events for event_count, the distinct values for value_count, one event per rule for temporal). Groups older
    /// than the timespan are forgotten first; beyond the bound the least recently updated are evicted and counted.
    /// Default: 10,000.
    /// </summary>
    public int MaxCorrelationGroups { get; init; } = 10_000;

    /// <summary>
    /// The most events a correlation remembers per group (event_count keeps the last ones within the timespan, up to
    /// what its condition needs; alerts list them). Default: 1,000.
    /// </summary>
    public int MaxCorrelationEventsPerGroup { get; init; } = 1_000;

    /// <summary>
    /// Whether the end of the input ends the stream: every remaining execution runs and open suppression windows
    /// close (their final alerts are written). When false (the host keeps state with <c>--state</c>), executions
    /// whose time has not come and open windows are kept for the next run. Default: true.
    /// </summary>
    public bool EndOfInputEndsStream { get; init; } = true;

    /// <summary>
    /// The most alerts one execution of a Sigma rule (or correlation) raises; null: the Sigma config's
    /// <c>max_signals</c> for the rule's profile, else no cap (Sigma has no <c>max_signals</c>: every match alerts).
    /// Elastic rules keep their own <c>max_signals</c> (Kibana's default 100). Default: null.
    /// </summary>
    public int? SigmaMaxSignals { get; init; }

    /// <summary>
    /// Which rules and correlations raise alerts (by their metadata); null: all, and no rule's metadata is read to
    /// decide it. A rule left out raises nothing, but still feeds the correlations that name it. Default: null.
    /// </summary>
    public Func<RuleGen.Runtime.RuleInfo, bool>? Selects { get; init; }

    /// <summary>Allowed lateness in nanoseconds.</summary>
    internal long LatenessNanos => Math.Max(0, AllowedLateness.Ticks) * 100;
}

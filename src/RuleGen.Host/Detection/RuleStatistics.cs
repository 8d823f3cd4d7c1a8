namespace RuleGen.Host.Detection;

/// <summary>What the detection engine did for one rule: executions, alerts, what max_signals held back, what was late.</summary>
public sealed class RuleStatistics
{
    /// <summary>Executions that ran (executions with nothing to search are skipped and not counted).</summary>
    public long Executions { get; internal set; }

    /// <summary>Alerts created.</summary>
    public long Alerts { get; internal set; }

    /// <summary>Alerts written again with final counts when their suppression window closed.</summary>
    public long AlertUpdates { get; internal set; }

    /// <summary>Executions that had more candidate alerts than max_signals (Kibana warns "max alerts reached").</summary>
    public long ExecutionsAtCap { get; internal set; }

    /// <summary>Candidate alerts over max_signals, summed over executions (one held back twice counts twice).</summary>
    public long OverCap { get; internal set; }

    /// <summary>Events that were held back by max_signals and left every look-back without being alerted.</summary>
    public long NeverAlerted { get; internal set; }

    /// <summary>Candidate alerts folded into a suppressed alert (its docs_count).</summary>
    public long Suppressed { get; internal set; }

    /// <summary>Matching events that arrived after every execution whose look-back covers them had run.</summary>
    public long Late { get; internal set; }

    /// <summary>Matching events no execution searches: the look-back is shorter than the interval and they fall between windows.</summary>
    public long InGap { get; internal set; }

    /// <summary>Matching events without a time on the rule's clock (stamped with the stream's time).</summary>
    public long NoTimestamp { get; internal set; }

    /// <summary>Metric correlations (value_sum, value_avg, value_percentile, value_median): matches whose field held no number, not aggregated.</summary>
    public long NotNumeric { get; internal set; }

    /// <summary>Matching events dropped because the rule already held its bound of pending events.</summary>
    public long DroppedOverBound { get; internal set; }

    /// <summary>Remembered state evicted over its bound (new_terms terms, threshold groups, suppression windows, correlation groups).</summary>
    public long Evicted { get; internal set; }

    internal void Add(RuleStatistics other)
    {
        Executions += other.Executions;
        Alerts += other.Alerts;
        AlertUpdates += other.AlertUpdates;
        ExecutionsAtCap += other.ExecutionsAtCap;
        OverCap += other.OverCap;
        NeverAlerted += other.NeverAlerted;
        Suppressed += other.Suppressed;
        Late += other.Late;
        InGap += other.InGap;
        NoTimestamp += other.NoTimestamp;
        NotNumeric += other.NotNumeric;
        DroppedOverBound += other.DroppedOverBound;
        Evicted += other.Evicted;
    }
}

/// <summary>How much state a rule holds now, by kind (the summary reports these).</summary>
public readonly record struct StateSize(string Kind, long Count);

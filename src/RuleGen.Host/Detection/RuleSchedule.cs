using System.Globalization;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>
/// When a rule runs and what each run searches, as Kibana's detection engine reads a rule's <c>interval</c>,
/// <c>from</c> and <c>max_signals</c>: an execution every <see cref="IntervalNanos"/> covering
/// <c>[now - LookbackNanos, now]</c>, raising at most <see cref="MaxSignals"/> alerts.
/// </summary>
/// <remarks>
/// Executions happen on event time at whole multiples of the interval since the Unix epoch (Kibana starts the clock
/// when the rule is enabled; a fixed origin makes a replayed log give the same executions every time). A look-back
/// longer than the interval makes windows overlap; a shorter one leaves gaps no execution searches, as in Kibana
/// (elastic/kibana#154963 describes that misconfiguration).
/// </remarks>
public sealed record RuleSchedule(long IntervalNanos, long LookbackNanos, int MaxSignals)
{
    /// <summary>Kibana's defaults: <c>interval = "5m"</c>, <c>from = "now-6m"</c>, <c>max_signals = 100</c>.</summary>
    public static readonly RuleSchedule Default = new(5 * NanosPerMinute, 6 * NanosPerMinute, 100);

    private const long NanosPerMinute = 60_000_000_000L;

    /// <summary>A schedule setting the rule file has that RuleGen cannot read (the default was used instead), or null.</summary>
    public string? Problem { get; init; }

    /// <summary>No cap on an execution's alerts (a Sigma rule's default: Sigma has no <c>max_signals</c>).</summary>
    public const int Uncapped = int.MaxValue;

    /// <summary>Whether <see cref="MaxSignals"/> caps anything.</summary>
    public bool IsCapped => MaxSignals != Uncapped;

    /// <summary>
    /// Whether every match alerts however late it arrives (Sigma rules: Sigma has no schedule, and a log replayed from
    /// many files is seldom in time order). An execution then takes every waiting match up to its time, not only those
    /// of its look-back, so a match that arrives after the executions covering its time ran is alerted by the next
    /// one instead of being counted late. Kibana's rules (Elastic) keep their windows.
    /// </summary>
    public bool EveryMatch { get; init; }

    /// <summary>
    /// The rule's schedule from its metadata; settings it does not have take Kibana's defaults, except that a Sigma
    /// rule without <c>max_signals</c> (set by its Sigma config) has <paramref name="sigmaMaxSignals"/> (the command
    /// line's) or no cap.
    /// </summary>
    public static RuleSchedule Of(RuleInfo rule, int? sigmaMaxSignals = null) => Of(rule.Interval, rule.From, rule.MaxSignals, rule.Format, sigmaMaxSignals);

    /// <summary>The schedule of run settings a rule set gives without the rule's metadata (<see cref="IRuleSet.RunSettingsOf"/>).</summary>
    public static RuleSchedule Of(RuleRunSettings settings, int? sigmaMaxSignals = null) =>
        Of(settings.Interval, settings.From, settings.MaxSignals, settings.Format, sigmaMaxSignals);

    private static RuleSchedule Of(string? intervalSetting, string? fromSetting, int? maxSignalsSetting, string? format, int? sigmaMaxSignals)
    {
        var schedule = Default;
        if (format == "sigma")
        {
            // The command line's cap wins over the Sigma config's (the rule's max_signals); without either, none.
            schedule = schedule with { MaxSignals = sigmaMaxSignals is > 0 ? sigmaMaxSignals.Value : maxSignalsSetting is > 0 ? maxSignalsSetting.Value : Uncapped };
            if (sigmaMaxSignals is > 0) maxSignalsSetting = null;
            schedule = schedule with { EveryMatch = true };
        }
        var problems = new List<string>();
        if (intervalSetting is { } intervalText)
        {
            if (TryParseDuration(intervalText, out var interval) && interval > 0) schedule = schedule with { IntervalNanos = interval };
            else problems.Add($"interval '{intervalText}' is not a duration such as 5m");
        }
        if (fromSetting is { } fromText)
        {
            if (ElasticDuration.FromNowMinus(fromText.Trim()) is { } lookback && lookback > TimeSpan.Zero) schedule = schedule with { LookbackNanos = lookback.Ticks * 100 };
            else problems.Add($"from '{fromText}' is not a look-back such as now-6m");
        }
        if (maxSignalsSetting is { } maxSignals)
        {
            if (maxSignals > 0) schedule = schedule with { MaxSignals = maxSignals };
            else problems.Add($"max_signals {maxSignals} is not a positive number");
        }
        return problems.Count == 0 ? schedule : schedule with { Problem = string.Join("; ", problems) + " (Kibana's default used)" };
    }

    /// <summary>The first execution at or after <paramref name="nanos"/> (a whole multiple of the interval).</summary>
    public long TickAtOrAfter(long nanos)
    {
        var quotient = Math.DivRem(nanos, IntervalNanos, out var remainder);
        if (remainder > 0) quotient++;
        return quotient * IntervalNanos;
    }

    /// <summary>The last execution whose window still covers an event at <paramref name="nanos"/>.</summary>
    public long LastTickCovering(long nanos)
    {
        var limit = nanos + LookbackNanos;
        var quotient = Math.DivRem(limit, IntervalNanos, out var remainder);
        if (remainder < 0) quotient--;
        return quotient * IntervalNanos;
    }

    /// <summary>Parses a Kibana duration: a whole number and a unit (s, m, h, d).</summary>
    public static bool TryParseDuration(string text, out long nanos)
    {
        nanos = 0;
        text = text.Trim();
        if (text.Length < 2) return false;
        long factor = text[^1] switch
        {
            's' => 1_000_000_000L,
            'm' => NanosPerMinute,
            'h' => 60 * NanosPerMinute,
            'd' => 24 * 60 * NanosPerMinute,
            _ => 0,
        };
        if (factor == 0 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)) return false;
        if (amount > long.MaxValue / factor) return false;
        nanos = amount * factor;
        return true;
    }
}

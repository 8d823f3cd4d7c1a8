using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>A matching event a rule holds until an execution alerts on it.</summary>
internal sealed class EventItem : PendingItem
{
    public ReadOnlyMemory<byte> Json;
    public EventSource Source;
}

/// <summary>An event candidate: becomes an <see cref="EventAlert"/>.</summary>
internal sealed class EventCandidate(RuleRunner runner, EventItem item, IReadOnlyList<ThreatEnrichment>? enrichments = null) : Candidate
{
    public override long Time => item.Time;

    public override DetectionAlert Build(Execution execution) =>
        new EventAlert(runner.Rule, execution, item.Json, item.Source, item.Time) { Enrichments = enrichments };

    public override IReadOnlyList<SuppressionTerm>? Terms(AlertSuppressionSettings settings)
    {
        using var document = EventFieldValues.Parse(item.Json);
        return TermsOf(document.RootElement, settings);
    }

    public override void Consume() => item.Consumed = true;
}

/// <summary>
/// A rule whose every matching event is an alert: Elastic query and single-event EQL rules, Sigma rules. Each
/// execution searches its window <c>[now - look-back, now]</c> in time order (Kibana's <c>searchAfterAndBulkCreate</c>
/// pages the window sorted by the rule's timestamp) and skips events already alerted on by an earlier, overlapping
/// execution (Kibana's <c>filterDuplicateAlerts</c> drops candidates whose deterministic alert id exists); events held
/// back by max_signals wait for the next execution whose window still covers them.
/// </summary>
internal class QueryRunner(DetectionEngine engine, CompiledRule rule, RuleSchedule schedule, int clock) : RuleRunner(engine, rule, schedule, clock)
{
    protected readonly PendingList<EventItem> Pending = new();

    public override bool HasPending => !Pending.IsEmpty;

    public override long EarliestPending => Pending.EarliestTime;

    public override IEnumerable<StateSize> StateSizes()
    {
        if (!Pending.IsEmpty) yield return new StateSize("pending events", Pending.Count);
        foreach (var w in WindowSizes()) yield return w;
    }

    public override void Add(in EventContext e)
    {
        if (e.Timeless) Statistics.NoTimestamp++;
        if (e.Time != EventTime.Missing && !Covered(e.Time)) return;
        if (Pending.Count >= Options.MaxPendingEventsPerRule)
        {
            Statistics.DroppedOverBound++;
            return;
        }
        Pending.Add(new EventItem { Time = e.Time, Arrival = e.Arrival, Json = e.Copy(), Source = e.Source });
    }

    public override void Stamp(long time)
    {
        foreach (var item in Pending.Items)
        {
            if (item.Time == EventTime.Missing) item.Time = time;
        }
        Pending.Reorder();
    }

    protected override void Expire(long windowStart) =>
        Pending.RemoveBefore(windowStart, item =>
        {
            if (item.Considered && !item.Consumed) Statistics.NeverAlerted++;
        });

    protected override void Collect(Execution execution, List<Candidate> candidates) =>
        Pending.Offer(execution.TimeNanos, candidates, item => Accept(item, execution));

    /// <summary>The candidate an event in the window makes, or null (a query rule: always one).</summary>
    protected virtual Candidate? Accept(EventItem item, Execution execution) => new EventCandidate(this, item);

    protected override void AfterExecution(Execution execution) => Pending.RemoveWhere(i => i.Consumed);

    public override void SaveState(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("pending");
        foreach (var item in Pending.Items) StateFormat.WriteEventItem(writer, item);
        writer.WriteEndArray();
    }

    public override void LoadState(JsonElement state)
    {
        if (!state.TryGetProperty("pending", out var pending)) return;
        foreach (var element in pending.EnumerateArray()) Pending.Add(StateFormat.ReadEventItem(element));
    }
}

/// <summary>
/// A threat_match (indicator match) rule: an event in the window is a candidate when it matches an indicator of the
/// indicator file that the rule's threat query selects at the execution's time (Kibana's <c>createThreatSignals</c>
/// searches the threat index with <c>threat_query</c> at each execution); the alert carries the matched indicators
/// under <c>threat.enrichments</c>.
/// </summary>
internal sealed class ThreatMatchRunner(DetectionEngine engine, CompiledRule rule, RuleSchedule schedule, int clock, IndicatorMatcher indicators)
    : QueryRunner(engine, rule, schedule, clock)
{
    protected override Candidate? Accept(EventItem item, Execution execution)
    {
        var enrichments = indicators.Match(item.Json, execution.TimeNanos);
        return enrichments.Count == 0 ? null : new EventCandidate(this, item, enrichments);
    }

    public override IEnumerable<StateSize> StateSizes()
    {
        foreach (var s in base.StateSizes()) yield return s;
        yield return new StateSize("indicators", indicators.IndicatorCount);
    }
}

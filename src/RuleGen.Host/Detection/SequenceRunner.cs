using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>A completed sequence waiting for an execution whose window holds all its events.</summary>
internal sealed class SequenceItem : PendingItem
{
    public required SequenceMatch Match;

    /// <summary>The first event's time on the rule's clock (<see cref="PendingItem.Time"/> is the last event's).</summary>
    public long FirstTime;
}

/// <summary>
/// An EQL sequence or sample rule: the sequence engine joins the events; an execution alerts on the sequences that
/// lie wholly in its window (Kibana's EQL search runs over <c>[from, now]</c>, so a sequence is found by the
/// executions whose window holds all its events), at most max_signals of them, in the order of their last event.
/// </summary>
internal sealed class SequenceRunner(DetectionEngine engine, CompiledRule rule, RuleSchedule schedule, int clock) : RuleRunner(engine, rule, schedule, clock)
{
    private readonly PendingList<SequenceItem> _pending = new();

    public override bool HasPending => !_pending.IsEmpty;

    public override long EarliestPending => _pending.EarliestTime;

    public override IEnumerable<StateSize> StateSizes()
    {
        if (!_pending.IsEmpty) yield return new StateSize("completed sequences", _pending.Count);
        foreach (var w in WindowSizes()) yield return w;
    }

    /// <summary>Takes a completed sequence; its times are its events' times on the rule's clock.</summary>
    public void Add(SequenceMatch match, long first, long last, long arrival)
    {
        if (last == EventTime.Missing)
        {
            Statistics.NoTimestamp++;
            last = first = Engine.WatermarkOf(Clock);
            if (last == EventTime.Missing) last = first = 0;
        }
        if (!Covered(last)) return;
        if (_pending.Count >= Options.MaxPendingEventsPerRule)
        {
            Statistics.DroppedOverBound++;
            return;
        }
        _pending.Add(new SequenceItem { Match = match, Time = last, FirstTime = first == EventTime.Missing ? last : first, Arrival = arrival });
    }

    public override void Stamp(long time)
    {
    }

    protected override void Expire(long windowStart) =>
        _pending.RemoveWhere(item =>
        {
            if (item.FirstTime >= windowStart) return false;
            if (item.Considered && !item.Consumed) Statistics.NeverAlerted++;
            return true;
        });

    protected override void Collect(Execution execution, List<Candidate> candidates) =>
        _pending.Offer(execution.TimeNanos, candidates, item => new SequenceCandidate(this, item));

    protected override void AfterExecution(Execution execution) => _pending.RemoveWhere(i => i.Consumed);

    public override void SaveState(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("sequences");
        foreach (var item in _pending.Items) StateFormat.WriteSequenceItem(writer, item);
        writer.WriteEndArray();
    }

    public override void LoadState(JsonElement state)
    {
        if (!state.TryGetProperty("sequences", out var sequences)) return;
        foreach (var s in sequences.EnumerateArray()) _pending.Add(StateFormat.ReadSequenceItem(s, Rule));
    }

    private sealed class SequenceCandidate(SequenceRunner runner, SequenceItem item) : Candidate
    {
        public override long Time => item.Time;

        public override DetectionAlert Build(Execution execution) => new SequenceAlert(runner.Rule, execution, item.Match);

        /// <summary>EQL suppression reads the suppression fields from the sequence's first event.</summary>
        public override IReadOnlyList<SuppressionTerm>? Terms(AlertSuppressionSettings settings)
        {
            using var document = EventFieldValues.Parse(item.Match.Events[0].Json);
            return TermsOf(document.RootElement, settings);
        }

        public override void Consume() => item.Consumed = true;
    }
}

using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>One value combination of one matching event, waiting for the execution that decides whether it is new.</summary>
internal sealed class TermItem : PendingItem
{
    public ReadOnlyMemory<byte> Json;
    public EventSource Source;
    public FieldValue[] Terms = Array.Empty<FieldValue>();
    public string Key = "";

    /// <summary>The term's latest occurrence before this one, once known: <see cref="NoneBefore"/> or a time.</summary>
    public long Previous = Unknown;

    /// <summary>Recorded in the term history.</summary>
    public bool Recorded;

    public const long Unknown = long.MaxValue;
    public const long NoneBefore = long.MinValue;
}

/// <summary>When a term was seen: its first and last occurrence among the events the rule has processed.</summary>
internal struct TermHistory
{
    public long First;
    public long Last;
}

/// <summary>
/// A new_terms rule, as Kibana's new terms executor decides: at an execution at <c>now</c>, a value combination of the
/// new terms fields (up to three fields; array fields give every combination, an event lacking a field gives none)
/// is new when its first occurrence within <c>[history_window_start, now]</c> falls in the execution's window
/// <c>[from, now]</c>, i.e. when it did not occur in <c>[now - history, from)</c>; the alert is about the event that
/// first had it, carries the values in <c>kibana.alert.new_terms</c>, and its id includes them (so overlapping
/// executions finding the same first event do not alert twice). The history is each term's first and last
/// occurrence, in bounded memory (<see cref="DetectionOptions.MaxTermsPerRule"/>): terms not seen for longer than the
/// history window are forgotten, and beyond the bound the least recently seen are evicted.
/// </summary>
internal sealed class NewTermsRunner : RuleRunner
{
    private readonly NewTermsSettings _settings;
    private readonly long _historyNanos;
    private readonly PendingList<TermItem> _pending = new();
    private readonly Dictionary<string, TermHistory> _history = new(StringComparer.Ordinal);
    private long _lastPrune = long.MinValue;

    public NewTermsRunner(DetectionEngine engine, CompiledRule rule, RuleSchedule schedule, int clock, NewTermsSettings settings, TimeSpan history)
        : base(engine, rule, schedule, clock)
    {
        _settings = settings;
        _historyNanos = history.Ticks * 100;
    }

    public override bool HasPending => !_pending.IsEmpty;

    public override long EarliestPending => _pending.EarliestTime;

    public override IEnumerable<StateSize> StateSizes()
    {
        if (_history.Count > 0) yield return new StateSize("new_terms terms", _history.Count);
        if (!_pending.IsEmpty) yield return new StateSize("pending events", _pending.Count);
        foreach (var w in WindowSizes()) yield return w;
    }

    public override void Add(in EventContext e)
    {
        var root = e.Root;
        var combinations = new List<FieldValue[]> { Array.Empty<FieldValue>() };
        foreach (var field in _settings.Fields)
        {
            var values = EventFieldValues.Of(root, field).Distinct().ToList();
            if (values.Count == 0) return;
            combinations = combinations.SelectMany(c => values.Select(v => c.Append(v).ToArray())).ToList();
        }
        if (e.Timeless) Statistics.NoTimestamp++;
        if (e.Time != EventTime.Missing && !Covered(e.Time)) return;
        if (_pending.Count + combinations.Count > Options.MaxPendingEventsPerRule)
        {
            Statistics.DroppedOverBound++;
            return;
        }
        var json = e.Copy();
        foreach (var terms in combinations)
        {
            _pending.Add(new TermItem { Time = e.Time, Arrival = e.Arrival, Json = json, Source = e.Source, Terms = terms, Key = KeyOf(terms) });
        }
    }

    public override void Stamp(long time)
    {
        foreach (var item in _pending.Items)
        {
            if (item.Time == EventTime.Missing) item.Time = time;
        }
        _pending.Reorder();
    }

    protected override void Expire(long windowStart) =>
        _pending.RemoveBefore(windowStart, item =>
        {
            if (!item.Recorded) Record(item);
            if (item.Considered && !item.Consumed) Statistics.NeverAlerted++;
        });

    protected override void Collect(Execution execution, List<Candidate> candidates)
    {
        var historyStart = execution.TimeNanos - _historyNanos;
        _pending.Offer(execution.TimeNanos, candidates, item =>
        {
            if (!item.Recorded) Record(item);
            // New when the term's previous occurrence is before the history window (or there is none).
            var isNew = item.Previous == TermItem.NoneBefore || item.Previous != TermItem.Unknown && item.Previous < historyStart;
            return isNew ? new TermCandidate(this, item) : null;
        });
    }

    /// <summary>
    /// Records an occurrence in the term history, remembering the term's previous occurrence. Events are processed
    /// in time order, so the last recorded occurrence is the previous one; an event that arrived out of order and is
    /// older than the term's last occurrence has an unknown previous occurrence unless it is older than all of them.
    /// </summary>
    private void Record(TermItem item)
    {
        item.Recorded = true;
        if (_history.TryGetValue(item.Key, out var history))
        {
            if (history.Last <= item.Time) item.Previous = history.Last;
            else if (history.First > item.Time) item.Previous = TermItem.NoneBefore;
            else item.Previous = TermItem.Unknown;
            history.First = Math.Min(history.First, item.Time);
            history.Last = Math.Max(history.Last, item.Time);
            _history[item.Key] = history;
        }
        else
        {
            item.Previous = TermItem.NoneBefore;
            _history[item.Key] = new TermHistory { First = item.Time, Last = item.Time };
            if (_history.Count > Options.MaxTermsPerRule) Evict();
        }
    }

    protected override void AfterExecution(Execution execution)
    {
        // An occurrence that is not new now becomes new only if its previous occurrence leaves the history window
        // while a later execution still covers it; otherwise it is decided.
        _pending.RemoveWhere(i => i.Consumed
            || i.Recorded && i.Previous != TermItem.NoneBefore && (i.Previous == TermItem.Unknown || i.Previous >= Schedule.LastTickCovering(i.Time) - _historyNanos));
        Prune(execution.TimeNanos);
    }

    /// <summary>Forgets terms last seen before the history window: they can no longer make an occurrence old.</summary>
    private void Prune(long now)
    {
        if (now - _lastPrune < _historyNanos / 16 && _history.Count < Options.MaxTermsPerRule / 2) return;
        _lastPrune = now;
        var limit = now - _historyNanos;
        foreach (var key in _history.Where(h => h.Value.Last < limit).Select(h => h.Key).ToList()) _history.Remove(key);
    }

    /// <summary>Over the bound: evicts the least recently seen tenth of the terms.</summary>
    private void Evict()
    {
        var count = Math.Max(1, _history.Count / 10);
        foreach (var key in _history.OrderBy(h => h.Value.Last).ThenBy(h => h.Key, StringComparer.Ordinal).Take(count).Select(h => h.Key).ToList())
        {
            _history.Remove(key);
            Statistics.Evicted++;
        }
    }

    private static string KeyOf(FieldValue[] terms) => string.Join('\u001f', terms.Select(t => t.Text));

    public override void SaveState(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("terms");
        foreach (var (key, h) in _history.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteNumber("first", h.First);
            writer.WriteNumber("last", h.Last);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("pending");
        foreach (var item in _pending.Items)
        {
            writer.WriteStartObject();
            StateFormat.WriteEventItemFields(writer, item.Time, item.Arrival, item.Considered, item.Source, item.Json);
            writer.WriteStartArray("terms");
            foreach (var t in item.Terms) StateFormat.WriteFieldValue(writer, t);
            writer.WriteEndArray();
            writer.WriteBoolean("recorded", item.Recorded);
            writer.WriteNumber("previous", item.Previous);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("lastPrune", _lastPrune);
    }

    public override void LoadState(JsonElement state)
    {
        if (state.TryGetProperty("terms", out var terms))
        {
            foreach (var t in terms.EnumerateArray())
            {
                _history[t.GetProperty("key").GetString()!] = new TermHistory { First = t.GetProperty("first").GetInt64(), Last = t.GetProperty("last").GetInt64() };
            }
        }
        if (state.TryGetProperty("pending", out var pending))
        {
            foreach (var p in pending.EnumerateArray())
            {
                var (time, arrival, considered, source, json) = StateFormat.ReadEventItemFields(p);
                var values = p.GetProperty("terms").EnumerateArray().Select(StateFormat.ReadFieldValue).ToArray();
                _pending.Add(new TermItem
                {
                    Time = time, Arrival = arrival, Considered = considered, Source = source, Json = json, Terms = values, Key = KeyOf(values),
                    Recorded = p.GetProperty("recorded").GetBoolean(), Previous = p.GetProperty("previous").GetInt64(),
                });
            }
        }
        if (state.TryGetProperty("lastPrune", out var lastPrune)) _lastPrune = lastPrune.GetInt64();
    }

    private sealed class TermCandidate(NewTermsRunner runner, TermItem item) : Candidate
    {
        public override long Time => item.Time;

        public override DetectionAlert Build(Execution execution) =>
            new EventAlert(runner.Rule, execution, item.Json, item.Source, item.Time) { NewTerms = item.Terms };

        /// <summary>new_terms suppression groups by its fields, or by the new terms fields when it names none.</summary>
        public override IReadOnlyList<SuppressionTerm>? Terms(AlertSuppressionSettings settings)
        {
            using var document = EventFieldValues.Parse(item.Json);
            return TermsOf(document.RootElement, settings);
        }

        public override void Consume() => item.Consumed = true;
    }
}

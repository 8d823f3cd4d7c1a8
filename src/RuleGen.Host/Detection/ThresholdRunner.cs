using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>What a threshold rule keeps of a matching event: its time, its groups, its cardinality field values.</summary>
internal sealed class ThresholdItem : PendingItem
{
    /// <summary>Each group the event counts in (one value per threshold field; arrays give every combination).</summary>
    public FieldValue[][] Groups = Array.Empty<FieldValue[]>();

    /// <summary>The event's values of the cardinality field.</summary>
    public string[] CardinalityValues = Array.Empty<string>();
}

/// <summary>
/// A threshold rule, as Kibana's threshold executor runs it: each execution groups the matching events of its window
/// by the threshold fields (a composite terms aggregation: an event lacking a field is in no group, an array field
/// puts it in one group per value), and every group whose count reaches the threshold value, and whose distinct
/// count of the cardinality field reaches its value, is one alert carrying <c>kibana.alert.threshold_result</c>.
/// Groups come in key order and max_signals caps them. The signal history keeps, per group, the time of the last
/// event an alert counted; later executions do not count that group's events up to that time again
/// (<c>getThresholdBucketFilters</c>), and an entry is forgotten once it is older than the window
/// (<c>getSignalHistory</c>).
/// </summary>
internal sealed class ThresholdRunner : RuleRunner
{
    private readonly ThresholdSettings _settings;
    private readonly PendingList<ThresholdItem> _events = new();
    private readonly Dictionary<string, long> _signalHistory = new(StringComparer.Ordinal);

    public ThresholdRunner(DetectionEngine engine, CompiledRule rule, RuleSchedule schedule, int clock, ThresholdSettings settings)
        : base(engine, rule, schedule, clock) => _settings = settings;

    protected override bool SuppressesByOwnGroups => true;

    public override bool HasPending => !_events.IsEmpty;

    public override long EarliestPending => _events.EarliestTime;

    public override IEnumerable<StateSize> StateSizes()
    {
        if (!_events.IsEmpty) yield return new StateSize("threshold events", _events.Count);
        if (_signalHistory.Count > 0) yield return new StateSize("threshold groups", _signalHistory.Count);
        foreach (var w in WindowSizes()) yield return w;
    }

    public override void Add(in EventContext e)
    {
        var root = e.Root;
        var perField = new List<FieldValue>[_settings.Fields.Count];
        for (var f = 0; f < perField.Length; f++)
        {
            perField[f] = EventFieldValues.Of(root, _settings.Fields[f]).Distinct().ToList();
            // A composite aggregation without missing_bucket leaves out events that lack a field.
            if (perField[f].Count == 0) return;
        }
        if (e.Timeless) Statistics.NoTimestamp++;
        if (e.Time != EventTime.Missing && !Covered(e.Time)) return;
        if (_events.Count >= Options.MaxPendingEventsPerRule)
        {
            Statistics.DroppedOverBound++;
            return;
        }
        var groups = new List<FieldValue[]> { Array.Empty<FieldValue>() };
        foreach (var values in perField)
        {
            groups = groups.SelectMany(g => values.Select(v => g.Append(v).ToArray())).ToList();
        }
        var cardinality = _settings.Cardinality.Count > 0
            ? EventFieldValues.Of(root, _settings.Cardinality[0].Field).Select(v => v.Text).Distinct().ToArray()
            : Array.Empty<string>();
        _events.Add(new ThresholdItem { Time = e.Time, Arrival = e.Arrival, Groups = groups.ToArray(), CardinalityValues = cardinality });
    }

    public override void Stamp(long time)
    {
        foreach (var item in _events.Items)
        {
            if (item.Time == EventTime.Missing) item.Time = time;
        }
        _events.Reorder();
    }

    protected override void Expire(long windowStart)
    {
        _events.RemoveBefore(windowStart, _ => { });
        // getSignalHistory keeps an entry while its last signaled event is after the window's start.
        foreach (var key in _signalHistory.Where(h => h.Value <= windowStart).Select(h => h.Key).ToList()) _signalHistory.Remove(key);
    }

    protected override void Collect(Execution execution, List<Candidate> candidates)
    {
        var buckets = new Dictionary<string, Bucket>(StringComparer.Ordinal);
        for (var i = 0; i < _events.Count; i++)
        {
            var item = _events[i];
            if (item.Time > execution.TimeNanos) break;
            foreach (var group in item.Groups)
            {
                var key = Key(group);
                // Events of a group up to its last signaled event were counted by an earlier alert.
                if (_signalHistory.TryGetValue(key, out var last) && item.Time <= last) continue;
                if (!buckets.TryGetValue(key, out var bucket)) buckets[key] = bucket = new Bucket(group, key);
                bucket.Count++;
                bucket.Min = Math.Min(bucket.Min, item.Time);
                bucket.Max = Math.Max(bucket.Max, item.Time);
                foreach (var value in item.CardinalityValues) bucket.Distinct.Add(value);
            }
        }
        var cardinality = _settings.Cardinality.Count > 0 ? _settings.Cardinality[0] : null;
        // Composite buckets come in key order: each field's values ascending, field by field.
        foreach (var bucket in buckets.Values.OrderBy(b => b.Group, GroupComparer.Instance))
        {
            if (bucket.Count < _settings.Value) continue;
            if (cardinality is not null && bucket.Distinct.Count < cardinality.Value) continue;
            candidates.Add(new ThresholdCandidate(this, bucket, cardinality));
        }
    }

    /// <summary>A created alert's group is in the signal history up to its last event (<c>buildThresholdSignalHistory</c>).</summary>
    private void Signaled(Bucket bucket)
    {
        _signalHistory[bucket.Key] = _signalHistory.TryGetValue(bucket.Key, out var last) ? Math.Max(last, bucket.Max) : bucket.Max;
        if (_signalHistory.Count > Options.MaxGroupsPerRule)
        {
            var oldest = _signalHistory.OrderBy(h => h.Value).ThenBy(h => h.Key, StringComparer.Ordinal).First().Key;
            _signalHistory.Remove(oldest);
            Statistics.Evicted++;
        }
    }

    private static string Key(FieldValue[] group) => string.Join('\u001f', group.Select(v => v.Text));

    public override void SaveState(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("events");
        foreach (var item in _events.Items)
        {
            writer.WriteStartObject();
            writer.WriteNumber("time", item.Time);
            writer.WriteNumber("arrival", item.Arrival);
            writer.WriteStartArray("groups");
            foreach (var group in item.Groups)
            {
                writer.WriteStartArray();
                foreach (var v in group) StateFormat.WriteFieldValue(writer, v);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("cardinality");
            foreach (var v in item.CardinalityValues) writer.WriteStringValue(v);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("signalHistory");
        foreach (var (key, last) in _signalHistory.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteNumber("last", last);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public override void LoadState(JsonElement state)
    {
        if (state.TryGetProperty("events", out var events))
        {
            foreach (var e in events.EnumerateArray())
            {
                _events.Add(new ThresholdItem
                {
                    Time = e.GetProperty("time").GetInt64(),
                    Arrival = e.GetProperty("arrival").GetInt64(),
                    Groups = e.GetProperty("groups").EnumerateArray().Select(g => g.EnumerateArray().Select(StateFormat.ReadFieldValue).ToArray()).ToArray(),
                    CardinalityValues = e.GetProperty("cardinality").EnumerateArray().Select(v => v.GetString()!).ToArray(),
                });
            }
        }
        if (state.TryGetProperty("signalHistory", out var history))
        {
            foreach (var h in history.EnumerateArray()) _signalHistory[h.GetProperty("key").GetString()!] = h.GetProperty("last").GetInt64();
        }
    }

    private sealed class Bucket(FieldValue[] group, string key)
    {
        public FieldValue[] Group { get; } = group;
        public string Key { get; } = key;
        public long Count;
        public long Min = long.MaxValue;
        public long Max = long.MinValue;
        public readonly HashSet<string> Distinct = new(StringComparer.Ordinal);
    }

    private sealed class GroupComparer : IComparer<FieldValue[]>
    {
        public static readonly GroupComparer Instance = new();

        public int Compare(FieldValue[]? x, FieldValue[]? y)
        {
            for (var i = 0; i < x!.Length; i++)
            {
                var c = x[i].CompareTo(y![i]);
                if (c != 0) return c;
            }
            return 0;
        }
    }

    private sealed class ThresholdCandidate(ThresholdRunner runner, Bucket bucket, ThresholdCardinality? cardinality) : Candidate
    {
        public override long Time => bucket.Max;

        public override DetectionAlert Build(Execution execution)
        {
            var terms = runner._settings.Fields.Select((f, i) => (f, bucket.Group[i])).ToList();
            return new ThresholdAlert(runner.Rule, execution, terms, bucket.Count, bucket.Min, bucket.Max,
                cardinality is null ? null : (cardinality.Field, (long)bucket.Distinct.Count));
        }

        /// <summary>Threshold suppression groups by the threshold fields (<c>wrapSuppressedThresholdALerts</c>).</summary>
        public override IReadOnlyList<SuppressionTerm>? Terms(AlertSuppressionSettings settings) =>
            runner._settings.Fields.Select((f, i) => new SuppressionTerm(f, new[] { bucket.Group[i] })).ToList();

        public override void Consume() => runner.Signaled(bucket);
    }
}

using System.Globalization;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>An event (or a hit of another correlation) a correlation counted: which rule, where it came from, when.</summary>
public sealed record CorrelationEvent(string RuleId, EventSource Source, long TimeNanos);

/// <summary>What a correlation found for one group: its events, and the count its condition judged.</summary>
public sealed class CorrelationHit
{
    public required CorrelationDefinition Definition { get; init; }

    /// <summary>The group's values, one per group-by entry.</summary>
    public required IReadOnlyList<FieldValue> Group { get; init; }

    public required IReadOnlyList<CorrelationEvent> Events { get; init; }

    /// <summary>event_count: events; value_count: distinct values; temporal: distinct rules.</summary>
    public required long Count { get; init; }

    /// <summary>value_count: the distinct values counted.</summary>
    public IReadOnlyList<string> Values { get; init; } = Array.Empty<string>();

    /// <summary>The metric types: the sum, average, percentile or median the condition judged (<see cref="Count"/>: the events aggregated).</summary>
    public double? Metric { get; init; }

    public long FirstNanos => Events.Count == 0 ? LastNanos : Events.Min(e => e.TimeNanos);

    public required long LastNanos { get; init; }
}

/// <summary>
/// The alert of a Sigma correlation: the correlation's metadata as its rule, the group, the count, and the events
/// (each with its rule, input file and line) under <c>rulegen.correlation.*</c>.
/// </summary>
public sealed class CorrelationAlert(CompiledRule rule, Execution execution, CorrelationHit hit) : DetectionAlert(rule, execution)
{
    public CorrelationHit Hit { get; } = hit;

    public override long OriginalTimeNanos => Hit.LastNanos;

    public override string Uuid => Ids.Hash(Rule.Info.Id, string.Join('\u001f', Hit.Group.Select(g => g.Text)),
        string.Join('\u001f', Hit.Events.Select(e => e.Source.File + ":" + e.Source.Line.ToString(CultureInfo.InvariantCulture))));

    internal override void Shape()
    {
    }

    public override void WriteTo(Utf8JsonWriter writer)
    {
        var rule = Rule.Info;
        var shape = Shape(null, Hit.Events.Select(e => AlertAncestor.Of(e.Source)).ToArray());
        var type = TypeName(Hit.Definition.Type);
        writer.WriteStartObject();
        writer.WriteString("@timestamp", Execution.Timestamp);
        writer.WriteString("event.kind", "signal");
        writer.WriteString("kibana.alert.uuid", Uuid);
        writer.WriteString("kibana.alert.status", "active");
        writer.WriteString("kibana.alert.workflow_status", "open");
        writer.WriteNumber("kibana.alert.depth", 1);
        AlertDocument.WriteAncestors(writer, shape.Ancestors!);
        writer.WriteString("kibana.alert.severity", rule.Severity);
        writer.WriteNumber("kibana.alert.risk_score", rule.RiskScore);
        var group = Hit.Definition.GroupBy.Count == 0 ? "" : " with " + string.Join(", ", Hit.Definition.GroupBy.Select((g, i) => $"{g} {Hit.Group[i].Text}"));
        writer.WriteString("kibana.alert.reason", $"{type} correlation of {Hit.Events.Count} events{group} created {rule.Severity} alert {rule.Name}.");
        writer.WriteString("kibana.alert.original_time", Ids.Format(Hit.FirstNanos));
        AlertDocument.WriteExecution(writer, shape, Execution.Timestamp);
        AlertDocument.WriteRule(writer, rule);
        writer.WriteString("rulegen.rule.file", rule.SourceFile);
        writer.WriteString("rulegen.correlation.type", type);
        writer.WriteStartObject("rulegen.correlation.group");
        for (var i = 0; i < Hit.Definition.GroupBy.Count; i++)
        {
            writer.WritePropertyName(Hit.Definition.GroupBy[i]);
            Hit.Group[i].WriteTo(writer);
        }
        writer.WriteEndObject();
        writer.WriteNumber("rulegen.correlation.count", Hit.Count);
        if (Hit.Metric is { } metric)
        {
            writer.WriteNumber("rulegen.correlation.value", metric);
            if (Hit.Definition.Type == CorrelationType.ValuePercentile) writer.WriteNumber("rulegen.correlation.percentile", Hit.Definition.Percentile);
        }
        if (Hit.Definition.Type == CorrelationType.ValueCount)
        {
            writer.WriteStartArray("rulegen.correlation.values");
            foreach (var v in Hit.Values) writer.WriteStringValue(v);
            writer.WriteEndArray();
        }
        writer.WriteStartArray("rulegen.correlation.events");
        foreach (var e in Hit.Events)
        {
            writer.WriteStartObject();
            writer.WriteString("rule_id", e.RuleId);
            writer.WriteString("@timestamp", Ids.Format(e.TimeNanos));
            writer.WriteString("rulegen.input.file", e.Source.File);
            writer.WriteNumber("rulegen.input.line", e.Source.Line);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        shape.Extra?.Invoke(writer);
        writer.WriteEndObject();
    }

    public static string TypeName(CorrelationType type) => type switch
    {
        CorrelationType.EventCount => "event_count",
        CorrelationType.ValueCount => "value_count",
        CorrelationType.Temporal => "temporal",
        CorrelationType.ValueSum => "value_sum",
        CorrelationType.ValueAverage => "value_avg",
        CorrelationType.ValuePercentile => "value_percentile",
        CorrelationType.ValueMedian => "value_median",
        _ => "temporal_ordered",
    };
}

/// <summary>A correlation hit waiting for the correlation's execution.</summary>
internal sealed class CorrelationItem : PendingItem
{
    public required CorrelationHit Hit;
}

/// <summary>
/// Runs a correlation's executions: its hits become alerts like any rule's candidates (on Kibana's default schedule,
/// as a Sigma rule states none; no max_signals cap unless the user sets one; suppression does not apply).
/// </summary>
internal sealed class CorrelationRunner : RuleRunner
{
    private readonly PendingList<CorrelationItem> _pending = new();

    public CorrelationRunner(DetectionEngine engine, CompiledRule rule, int index)
        : base(engine, rule, RuleSchedule.Of(rule.Info, engine.Options.SigmaMaxSignals), engine.CorrelationClock) => Index = index;

    /// <summary>The correlation's index among the rule set's correlations.</summary>
    public int Index { get; }

    public override bool HasPending => !_pending.IsEmpty;

    public override long EarliestPending => _pending.EarliestTime;

    public override IEnumerable<StateSize> StateSizes()
    {
        if (!_pending.IsEmpty) yield return new StateSize("correlation hits", _pending.Count);
    }

    public void Add(CorrelationHit hit, long arrival)
    {
        if (!Covered(hit.LastNanos)) return;
        _pending.Add(new CorrelationItem { Hit = hit, Time = hit.LastNanos, Arrival = arrival });
    }

    public override void Stamp(long time)
    {
    }

    protected override void Expire(long windowStart) =>
        _pending.RemoveBefore(windowStart, item =>
        {
            if (item.Considered && !item.Consumed) Statistics.NeverAlerted++;
        });

    protected override void Collect(Execution execution, List<Candidate> candidates) =>
        _pending.Offer(execution.TimeNanos, candidates, item => new HitCandidate(this, item));

    protected override void AfterExecution(Execution execution) => _pending.RemoveWhere(i => i.Consumed);

    public override void SaveState(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("hits");
        foreach (var item in _pending.Items)
        {
            writer.WriteStartObject();
            writer.WriteNumber("arrival", item.Arrival);
            writer.WriteBoolean("considered", item.Considered);
            StateFormat.WriteHit(writer, item.Hit);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public override void LoadState(JsonElement state)
    {
        if (!state.TryGetProperty("hits", out var hits)) return;
        foreach (var h in hits.EnumerateArray())
        {
            var hit = StateFormat.ReadHit(h, Engine.Correlations.Definitions);
            _pending.Add(new CorrelationItem { Hit = hit, Time = hit.LastNanos, Arrival = h.GetProperty("arrival").GetInt64(), Considered = h.GetProperty("considered").GetBoolean() });
        }
    }

    private sealed class HitCandidate(CorrelationRunner runner, CorrelationItem item) : Candidate
    {
        public override long Time => item.Time;

        public override DetectionAlert Build(Execution execution) => new CorrelationAlert(runner.Rule, execution, item.Hit);

        public override IReadOnlyList<SuppressionTerm>? Terms(AlertSuppressionSettings settings) => null;

        public override void Consume() => item.Consumed = true;
    }
}

/// <summary>
/// Evaluates Sigma correlation rules over the matches of the rules they name (whether or not those rules alert on
/// their own), in event time order: matches are held back for the allowed lateness on the correlations' clock (their
/// profile's time fields; <see cref="EventClocks.CorrelationTimeFields"/>) and taken in
/// time order; later ones are dropped and counted. Per correlation, events are grouped by the values of the group-by
/// fields (aliases resolved per rule; an event lacking one is not counted, as a terms aggregation leaves it out).
/// </summary>
/// <remarks>
/// <para>Windows. Conditions that more events can only make true (<c>gt</c>, <c>gte</c>, and temporal rules) slide:
/// the events of the last timespan count, and the correlation hits as soon as they meet the condition (the
/// specification asks that time frames not be restricted to fixed boundaries). Other conditions (<c>lt</c>,
/// <c>lte</c>, <c>eq</c>, <c>neq</c>, ranges) need the whole frame: a group's frame opens with its first event, is
/// judged when the stream passes its end, and the next event opens a new one. After a hit, the group starts over, so
/// one burst gives one alert.</para>
/// <para>Types. event_count counts events; value_count counts distinct values of the condition's field; temporal
/// counts distinct rules (by default all must occur); temporal_ordered needs all rules' events in the listed order
/// within the timespan. A correlation that names another correlation counts that correlation's hits as events, its
/// group values as fields.</para>
/// <para>Bounds: each correlation tracks at most <see cref="DetectionOptions.MaxCorrelationGroups"/> groups (groups
/// idle for longer than the timespan are forgotten first, then the least recently updated are evicted) and at most
/// <see cref="DetectionOptions.MaxCorrelationEventsPerGroup"/> events per group.</para>
/// </remarks>
internal sealed class CorrelationEngine
{
    private readonly DetectionEngine _engine;
    private readonly CorrelationRunner[] _runners;
    private readonly CorrelationState[] _states;
    private readonly Dictionary<int, List<(int Correlation, int Source)>> _byRule = new();
    private readonly List<(int Correlation, int Source)>[] _byCorrelation;
    private readonly PriorityQueue<CorrelationInput, (long Time, long Arrival)> _pending = new();
    private long _horizon = long.MinValue;

    public CorrelationEngine(DetectionEngine engine, IReadOnlyList<CorrelationDefinition> definitions)
    {
        _engine = engine;
        Definitions = definitions;
        _runners = new CorrelationRunner[definitions.Count];
        _states = new CorrelationState[definitions.Count];
        _byCorrelation = new List<(int, int)>[definitions.Count];
        for (var c = 0; c < definitions.Count; c++) _byCorrelation[c] = new List<(int, int)>();
        var silenced = new HashSet<int>();
        var generated = new HashSet<int>();
        for (var c = 0; c < definitions.Count; c++)
        {
            _runners[c] = new CorrelationRunner(engine, new CompiledRule(-1 - c, definitions[c].Info, static _ => false), c);
            _states[c] = new CorrelationState(definitions[c]);
        }
        // Then the sources (a correlation may name one listed after it).
        for (var c = 0; c < definitions.Count; c++)
        {
            var d = definitions[c];
            for (var s = 0; s < d.Sources.Count; s++)
            {
                var source = d.Sources[s];
                if (source.RuleIndex >= 0)
                {
                    if (!_byRule.TryGetValue(source.RuleIndex, out var list)) _byRule[source.RuleIndex] = list = new List<(int, int)>();
                    list.Add((c, s));
                    (d.Generate ? generated : silenced).Add(source.RuleIndex);
                }
                else if (source.CorrelationIndex >= 0)
                {
                    _byCorrelation[source.CorrelationIndex].Add((c, s));
                    // A correlation that another one uses alerts on its own only with generate (as a base rule).
                    if (!d.Generate) _runners[source.CorrelationIndex].Alerts = false;
                }
            }
        }
        silenced.ExceptWith(generated);
        SilencedRules = silenced.Order().ToList();
    }

    public IReadOnlyList<CorrelationDefinition> Definitions { get; }

    public int Count => Definitions.Count;

    /// <summary>Rules that only correlations use (no correlation naming them says <c>generate</c>): they do not alert on their own.</summary>
    public IReadOnlyList<int> SilencedRules { get; }

    public IEnumerable<RuleRunner> Runners => _runners;

    public CorrelationRunner RunnerOf(int correlation) => _runners[correlation];

    public bool Reads(ReadOnlySpan<int> matches)
    {
        foreach (var m in matches)
        {
            if (_byRule.ContainsKey(m)) return true;
        }
        return false;
    }

    public IEnumerable<StateSize> StateSizes()
    {
        var groups = _states.Sum(s => (long)s.Groups.Count);
        if (groups > 0) yield return new StateSize("correlation groups", groups);
        if (_pending.Count > 0) yield return new StateSize("correlation inputs held back", _pending.Count);
    }

    /// <summary>Takes the matches of one event that correlations use.</summary>
    public void Add(ReadOnlySpan<byte> json, EventSource source, long arrival, ReadOnlySpan<int> matches, long timestamp)
    {
        JsonElement? root = null;
        foreach (var rule in matches)
        {
            if (!_byRule.TryGetValue(rule, out var uses)) continue;
            root ??= _engine.RootOfCurrent(json);
            var time = timestamp;
            foreach (var (c, s) in uses)
            {
                var runner = _runners[c];
                if (time == EventTime.Missing)
                {
                    runner.Statistics.NoTimestamp++;
                    time = _engine.WatermarkOf(_engine.CorrelationClock);
                    if (time == EventTime.Missing) time = 0;
                }
                var definition = Definitions[c];
                var fields = definition.Sources[s];
                var group = new FieldValue[fields.GroupByFields.Count];
                var complete = true;
                for (var g = 0; g < group.Length && complete; g++)
                {
                    var values = ValuesOf(root.Value, fields.GroupByPaths?[g], fields.GroupByFields[g]);
                    if (values.Count == 0) complete = false;
                    else group[g] = values[0];
                }
                if (!complete) continue;
                string? value = null;
                if (definition.Type == CorrelationType.ValueCount)
                {
                    var values = fields.ValueField is null ? new List<FieldValue>() : ValuesOf(root.Value, fields.ValuePaths, fields.ValueField);
                    if (values.Count == 0) continue;
                    value = values[0].Text;
                }
                else if (definition.IsMetric)
                {
                    // The field's first value that is a number (a JSON number, or a string holding one, as a numeric
                    // mapping coerces it); an event without one is not aggregated, as a sum aggregation skips it.
                    var values = fields.ValueField is null ? new List<FieldValue>() : ValuesOf(root.Value, fields.ValuePaths, fields.ValueField);
                    value = null;
                    foreach (var v in values)
                    {
                        if (CorrelationMetrics.TryNumber(v.Text, out _)) { value = v.Text; break; }
                    }
                    if (value is null) { runner.Statistics.NotNumeric++; continue; }
                }
                if (time < _horizon)
                {
                    runner.Statistics.Late++;
                    continue;
                }
                var e = new CorrelationEvent(_engine.RuleIdOf(rule), source, time);
                _pending.Enqueue(new CorrelationInput(c, s, group, value, e, arrival), (time, arrival));
            }
        }
    }

    /// <summary>The values of the first of <paramref name="paths"/> that holds any (or of <paramref name="field"/> alone).</summary>
    private static List<FieldValue> ValuesOf(JsonElement root, IReadOnlyList<string>? paths, string field)
    {
        if (paths is null) return EventFieldValues.Of(root, field);
        foreach (var path in paths)
        {
            var values = EventFieldValues.Of(root, path);
            if (values.Count > 0) return values;
        }
        return new List<FieldValue>();
    }

    /// <summary>Processes, in time order, the inputs up to <paramref name="horizon"/>, and judges the frames that ended before it.</summary>
    public void Advance(long horizon)
    {
        if (horizon == long.MinValue) return;
        while (_pending.TryPeek(out var input, out var key) && key.Time <= horizon)
        {
            _pending.Dequeue();
            Process(input, key.Arrival);
        }
        if (horizon > _horizon) _horizon = horizon;
        for (var c = 0; c < _states.Length; c++) CloseFrames(c, horizon, long.MaxValue);
    }

    private void Process(CorrelationInput input, long arrival)
    {
        CloseFrames(input.Correlation, input.Event.TimeNanos, arrival);
        var state = _states[input.Correlation];
        var hit = state.Add(input, _engine.Options, _runners[input.Correlation].Statistics);
        if (hit is not null) Hit(input.Correlation, hit, arrival);
    }

    private void CloseFrames(int correlation, long before, long arrival)
    {
        foreach (var hit in _states[correlation].CloseFrames(before)) Hit(correlation, hit, arrival == long.MaxValue ? 0 : arrival);
    }

    private void Hit(int correlation, CorrelationHit hit, long arrival)
    {
        var runner = _runners[correlation];
        runner.Add(hit, arrival);
        _engine.Schedule(runner);
        // Correlations that use this one count its hit as an event, its group values as its fields.
        foreach (var (c, s) in _byCorrelation[correlation])
        {
            var consumer = Definitions[c];
            var fields = consumer.Sources[s];
            var group = new FieldValue[fields.GroupByFields.Count];
            var complete = true;
            for (var g = 0; g < group.Length; g++)
            {
                var at = IndexOf(hit.Definition.GroupBy, fields.GroupByFields[g]);
                if (at < 0) { complete = false; break; }
                group[g] = hit.Group[at];
            }
            if (!complete) continue;
            var e = new CorrelationEvent(hit.Definition.Info.Id, hit.Events[^1].Source, hit.LastNanos);
            // A metric correlation over another correlation aggregates that one's metric (none: not aggregated).
            string? value = null;
            if (consumer.IsMetric)
            {
                if (hit.Metric is not { } metric) { _runners[c].Statistics.NotNumeric++; continue; }
                value = metric.ToString("R", CultureInfo.InvariantCulture);
            }
            var input = new CorrelationInput(c, s, group, value, e, arrival) { Nested = hit.Events };
            Process(input, arrival);
        }
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == item) return i;
        }
        return -1;
    }

    public void SaveState(Utf8JsonWriter writer)
    {
        writer.WriteNumber("horizon", _horizon);
        writer.WriteStartArray("inputs");
        foreach (var (input, key) in _pending.UnorderedItems.OrderBy(i => i.Priority))
        {
            writer.WriteStartObject();
            writer.WriteNumber("arrival", key.Arrival);
            StateFormat.WriteCorrelationInput(writer, input, Definitions);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("groups");
        for (var c = 0; c < _states.Length; c++)
        {
            writer.WriteStartObject();
            writer.WriteString("id", Definitions[c].Info.Id);
            _states[c].SaveState(writer);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public void LoadState(JsonElement state)
    {
        if (state.TryGetProperty("horizon", out var horizon)) _horizon = horizon.GetInt64();
        if (state.TryGetProperty("inputs", out var inputs))
        {
            foreach (var i in inputs.EnumerateArray())
            {
                if (StateFormat.ReadCorrelationInput(i, Definitions) is { } input) _pending.Enqueue(input, (input.Event.TimeNanos, i.GetProperty("arrival").GetInt64()));
            }
        }
        if (state.TryGetProperty("groups", out var groups))
        {
            foreach (var g in groups.EnumerateArray())
            {
                var id = g.GetProperty("id").GetString();
                for (var c = 0; c < Definitions.Count; c++)
                {
                    if (Definitions[c].Info.Id == id) _states[c].LoadState(g);
                }
            }
        }
    }
}

/// <summary>The arithmetic of the metric correlations (value_sum, value_avg, value_percentile, value_median).</summary>
public static class CorrelationMetrics
{
    /// <summary>A value of a metric correlation's field as a number (invariant culture; JSON number text or a numeric string).</summary>
    public static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value) && !double.IsInfinity(value);

    /// <summary>The <paramref name="percentile"/>-th percentile (0 to 100) of sorted values: linear interpolation between the closest ranks.</summary>
    public static double PercentileOfSorted(ReadOnlySpan<double> sorted, double percentile)
    {
        if (sorted.Length == 0) return 0;
        var rank = Math.Clamp(percentile, 0, 100) / 100 * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
    }
}

/// <summary>One event (or nested hit) as a correlation takes it.</summary>
internal sealed record CorrelationInput(int Correlation, int Source, FieldValue[] Group, string? Value, CorrelationEvent Event, long Arrival)
{
    /// <summary>For a hit of another correlation: that hit's events (an alert lists them all).</summary>
    public IReadOnlyList<CorrelationEvent>? Nested { get; init; }

    public IEnumerable<CorrelationEvent> Events => Nested ?? new[] { Event };
}

/// <summary>The groups of one correlation and the rules that judge them.</summary>
internal sealed class CorrelationState(CorrelationDefinition definition)
{
    private readonly PriorityQueue<string, long> _frameEnds = new();

    public Dictionary<string, Group> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Sorted copy of a group's values for a percentile (reused: judging allocates nothing).</summary>
    private double[] _sorted = Array.Empty<double>();

    /// <summary>
    /// Whether the condition slides over the last timespan: temporal types, and counts and sums with only gt / gte (more
    /// events can only make them true). value_avg, value_percentile and value_median are not monotone in more events,
    /// so they, like lt / lte / eq / neq and ranges, are judged over a whole frame.
    /// </summary>
    private bool Slides => definition.Type switch
    {
        CorrelationType.Temporal or CorrelationType.TemporalOrdered => true,
        CorrelationType.ValueAverage or CorrelationType.ValuePercentile or CorrelationType.ValueMedian => false,
        _ => definition.Condition.All(c => c.IsMonotone),
    };

    public sealed class Group
    {
        public required FieldValue[] Values;
        public long FrameStart = long.MinValue;
        public long LastUpdate;
        public readonly List<(long Time, CorrelationEvent[] Events, int Source, string? Value)> Entries = new();
        public long Count;
        /// <summary>Metric types in a fixed frame: the sum of every value the frame took (its average is Sum / Count), whatever the entry bound dropped.</summary>
        public double Sum;
        /// <summary>temporal_ordered: per step, the latest-starting partial chain that reached it.</summary>
        public (long Start, List<CorrelationEvent> Events)?[] Chains = Array.Empty<(long, List<CorrelationEvent>)?>();
    }

    /// <summary>Adds an input (in time order); returns a hit when the group meets the condition now.</summary>
    public CorrelationHit? Add(CorrelationInput input, DetectionOptions options, RuleStatistics statistics)
    {
        var t = input.Event.TimeNanos;
        var key = string.Join('\u001f', input.Group.Select(g => g.Text));
        if (!Groups.TryGetValue(key, out var group))
        {
            Prune(t, options, statistics);
            Groups[key] = group = new Group { Values = input.Group, Chains = new (long, List<CorrelationEvent>)?[definition.Sources.Count] };
        }
        group.LastUpdate = t;
        var events = input.Events.ToArray();
        switch (definition.Type)
        {
            case CorrelationType.TemporalOrdered:
                return Ordered(group, key, input.Source, t, events);
            default:
                if (Slides)
                {
                    // Sliding: forget what left the timespan, then judge.
                    group.Entries.RemoveAll(e => e.Time < t - definition.TimespanNanos);
                    Append(group, t, events, input, options);
                    var count = CountOf(group);
                    var measure = Measure(group, count);
                    if (definition.Type is CorrelationType.Temporal && definition.Condition.Count == 0 ? count == definition.Sources.Count : definition.Condition.All(c => c.Holds(measure)))
                    {
                        var hit = HitOf(group, count, t, measure);
                        Groups.Remove(key);
                        return hit;
                    }
                    return null;
                }
                if (group.FrameStart == long.MinValue)
                {
                    group.FrameStart = t;
                    _frameEnds.Enqueue(key, t + definition.TimespanNanos);
                }
                Append(group, t, events, input, options);
                return null;
        }
    }

    private void Append(Group group, long t, CorrelationEvent[] events, CorrelationInput input, DetectionOptions options)
    {
        group.Count++;
        group.Entries.Add((t, events, input.Source, input.Value));
        if (definition.Type == CorrelationType.EventCount)
        {
            // event_count with gte N needs no more than the last N events (gt N: N + 1) to judge.
            var needed = definition.Condition.Count > 0 && Slides ? (int)Math.Min(int.MaxValue, definition.Condition.Max(c => c.Value) + 1) : options.MaxCorrelationEventsPerGroup;
            var keep = Math.Min(needed, options.MaxCorrelationEventsPerGroup);
            if (group.Entries.Count > keep) group.Entries.RemoveRange(0, group.Entries.Count - keep);
        }
        else if (definition.IsMetric)
        {
            // Every event is an entry with its value; a frame also keeps its exact running sum.
            group.Sum += CorrelationMetrics.TryNumber(input.Value ?? "", out var number) ? number : 0;
            if (group.Entries.Count > options.MaxCorrelationEventsPerGroup) group.Entries.RemoveAt(0);
        }
        else if (definition.Type == CorrelationType.ValueCount)
        {
            // One entry per distinct value: its latest occurrence.
            var value = input.Value;
            var previous = group.Entries.FindIndex(0, group.Entries.Count - 1, e => e.Value == value);
            if (previous >= 0) group.Entries.RemoveAt(previous);
            if (group.Entries.Count > options.MaxCorrelationEventsPerGroup) group.Entries.RemoveAt(0);
        }
        else
        {
            // temporal: one entry per rule, its latest event.
            var previous = group.Entries.FindIndex(0, group.Entries.Count - 1, e => e.Source == input.Source);
            if (previous >= 0) group.Entries.RemoveAt(previous);
        }
    }

    private long CountOf(Group group) => definition.Type switch
    {
        CorrelationType.EventCount => Slides ? group.Entries.Count : group.Count,
        CorrelationType.ValueSum or CorrelationType.ValueAverage => Slides ? group.Entries.Count : group.Count,
        CorrelationType.ValuePercentile or CorrelationType.ValueMedian => group.Entries.Count,
        CorrelationType.ValueCount => group.Entries.Select(e => e.Value).Distinct().Count(),
        _ => group.Entries.Select(e => e.Source).Distinct().Count(),
    };

    /// <summary>
    /// What the condition compares: the count, or for the metric types the sum (of the window's entries when sliding,
    /// of the whole frame otherwise), the average (the frame's sum over its events), or the percentile of the kept
    /// values by linear interpolation between the closest ranks (rank = p / 100 x (n - 1); the median is p = 50, the
    /// mean of the two middle values when n is even).
    /// </summary>
    private double Measure(Group group, long count)
    {
        switch (definition.Type)
        {
            case CorrelationType.ValueSum when Slides:
                var sum = 0.0;
                foreach (var e in group.Entries) sum += CorrelationMetrics.TryNumber(e.Value ?? "", out var v) ? v : 0;
                return sum;
            case CorrelationType.ValueSum:
                return group.Sum;
            case CorrelationType.ValueAverage:
                return group.Count == 0 ? 0 : group.Sum / group.Count;
            case CorrelationType.ValuePercentile or CorrelationType.ValueMedian:
                return Percentile(group);
            default:
                return count;
        }
    }

    private double Percentile(Group group)
    {
        var n = group.Entries.Count;
        if (n == 0) return 0;
        if (_sorted.Length < n) _sorted = new double[Math.Max(n, Math.Min(2 * _sorted.Length, 1 << 20))];
        for (var i = 0; i < n; i++) _sorted[i] = CorrelationMetrics.TryNumber(group.Entries[i].Value ?? "", out var v) ? v : 0;
        Array.Sort(_sorted, 0, n);
        return CorrelationMetrics.PercentileOfSorted(_sorted.AsSpan(0, n), definition.Percentile);
    }

    private CorrelationHit HitOf(Group group, long count, long last, double measure) => new()
    {
        Definition = definition,
        Group = group.Values,
        Events = group.Entries.OrderBy(e => e.Time).SelectMany(e => e.Events).ToList(),
        Count = count,
        Values = definition.Type == CorrelationType.ValueCount ? group.Entries.Select(e => e.Value!).Distinct().ToList() : Array.Empty<string>(),
        LastNanos = last,
        Metric = definition.IsMetric ? measure : null,
    };

    /// <summary>
    /// temporal_ordered: an event of the rule at position i extends the latest-starting chain that reached position
    /// i - 1 within the timespan; the first rule's events start chains. A chain through the last rule is a hit.
    /// </summary>
    private CorrelationHit? Ordered(Group group, string key, int source, long t, CorrelationEvent[] events)
    {
        if (source == 0)
        {
            group.Chains[0] = (t, events.ToList());
        }
        else if (group.Chains[source - 1] is { } previous && previous.Start >= t - definition.TimespanNanos)
        {
            var chain = new List<CorrelationEvent>(previous.Events);
            chain.AddRange(events);
            if (group.Chains[source] is not { } existing || existing.Start <= previous.Start) group.Chains[source] = (previous.Start, chain);
        }
        if (source == definition.Sources.Count - 1 && group.Chains[source] is { } done && done.Start >= t - definition.TimespanNanos)
        {
            Groups.Remove(key);
            return new CorrelationHit
            {
                Definition = definition,
                Group = group.Values,
                Events = done.Events,
                Count = definition.Sources.Count,
                LastNanos = t,
            };
        }
        return null;
    }

    /// <summary>Judges the frames (non-sliding conditions) that ended before <paramref name="before"/>.</summary>
    public IEnumerable<CorrelationHit> CloseFrames(long before)
    {
        var hits = new List<CorrelationHit>();
        while (_frameEnds.TryPeek(out var key, out var end) && end < before)
        {
            _frameEnds.Dequeue();
            if (!Groups.TryGetValue(key, out var group) || group.FrameStart == long.MinValue || group.FrameStart + definition.TimespanNanos != end) continue;
            var count = CountOf(group);
            var measure = Measure(group, count);
            Groups.Remove(key);
            if (definition.Condition.All(c => c.Holds(measure))) hits.Add(HitOf(group, count, group.Entries.Count == 0 ? end : group.Entries[^1].Time, measure));
        }
        return hits;
    }

    /// <summary>Forgets groups idle for longer than the timespan; over the bound, evicts the least recently updated.</summary>
    private void Prune(long now, DetectionOptions options, RuleStatistics statistics)
    {
        if (Groups.Count < options.MaxCorrelationGroups) return;
        foreach (var key in Groups.Where(g => g.Value.LastUpdate < now - definition.TimespanNanos && g.Value.FrameStart == long.MinValue).Select(g => g.Key).ToList()) Groups.Remove(key);
        if (Groups.Count < options.MaxCorrelationGroups) return;
        var count = Math.Max(1, Groups.Count / 10);
        foreach (var key in Groups.OrderBy(g => g.Value.LastUpdate).ThenBy(g => g.Key, StringComparer.Ordinal).Take(count).Select(g => g.Key).ToList())
        {
            Groups.Remove(key);
            statistics.Evicted++;
        }
    }

    public void SaveState(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("groups");
        foreach (var (key, group) in Groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("values");
            foreach (var v in group.Values) StateFormat.WriteFieldValue(writer, v);
            writer.WriteEndArray();
            writer.WriteNumber("frameStart", group.FrameStart);
            writer.WriteNumber("lastUpdate", group.LastUpdate);
            writer.WriteNumber("count", group.Count);
            if (group.Sum != 0) writer.WriteNumber("sum", group.Sum);
            writer.WriteStartArray("entries");
            foreach (var e in group.Entries)
            {
                writer.WriteStartObject();
                writer.WriteNumber("time", e.Time);
                writer.WriteNumber("source", e.Source);
                if (e.Value is not null) writer.WriteString("value", e.Value);
                StateFormat.WriteCorrelationEvents(writer, "events", e.Events);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("chains");
            foreach (var chain in group.Chains)
            {
                if (chain is not { } c)
                {
                    writer.WriteNullValue();
                    continue;
                }
                writer.WriteStartObject();
                writer.WriteNumber("start", c.Start);
                StateFormat.WriteCorrelationEvents(writer, "events", c.Events);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public void LoadState(JsonElement state)
    {
        if (!state.TryGetProperty("groups", out var groups)) return;
        foreach (var g in groups.EnumerateArray())
        {
            var values = g.GetProperty("values").EnumerateArray().Select(StateFormat.ReadFieldValue).ToArray();
            var group = new Group
            {
                Values = values,
                FrameStart = g.GetProperty("frameStart").GetInt64(),
                LastUpdate = g.GetProperty("lastUpdate").GetInt64(),
                Count = g.GetProperty("count").GetInt64(),
                Sum = g.TryGetProperty("sum", out var sum) ? sum.GetDouble() : 0,
                Chains = g.GetProperty("chains").EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Null
                    ? ((long, List<CorrelationEvent>)?)null
                    : (c.GetProperty("start").GetInt64(), StateFormat.ReadCorrelationEvents(c.GetProperty("events")).ToList())).ToArray(),
            };
            foreach (var e in g.GetProperty("entries").EnumerateArray())
            {
                group.Entries.Add((e.GetProperty("time").GetInt64(), StateFormat.ReadCorrelationEvents(e.GetProperty("events")).ToArray(),
                    e.GetProperty("source").GetInt32(), e.TryGetProperty("value", out var v) ? v.GetString() : null));
            }
            var key = string.Join('\u001f', values.Select(v => v.Text));
            Groups[key] = group;
            if (group.FrameStart != long.MinValue) _frameEnds.Enqueue(key, group.FrameStart + definition.TimespanNanos);
        }
    }
}

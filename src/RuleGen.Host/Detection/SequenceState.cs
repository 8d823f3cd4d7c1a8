using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>
/// The EQL sequence engine of a scan, with what it takes to continue open sequences in a later run: every event
/// that matched a sequence step recently enough to still join (within the largest sequence window plus the reorder
/// window of the stream's time) is kept with the stream's time when it arrived. A restored run replays them into a
/// fresh engine, which rebuilds the same open sequences and held-back events; sequences completed during the replay
/// were reported by the earlier run and are not reported again.
/// </summary>
/// <remarks>
/// Replaying the recorded events, each after the stream time it arrived at, reproduces the engine's decisions
/// (including which events were too late) without reaching into its internals; state older than the windows has
/// expired in the engine too, so dropping it from the record loses nothing. The record is bounded by
/// <see cref="MaxRecords"/> events (the oldest are dropped beyond it, and counted).
/// </remarks>
public sealed class SequenceState : ISequenceSink
{
    /// <summary>The most step-matching events kept for a later run.</summary>
    public const int MaxRecords = 100_000;

    private readonly IRuleSet _ruleSet;
    private readonly SequenceEngineOptions _options;
    private readonly Action<SequenceMatch> _onMatch;
    private readonly List<long> _watermarks = new();
    private readonly List<Record> _records = new();
    private readonly long _retention;
    private long[] _before = Array.Empty<long>();
    private bool _stepped;
    private bool _replaying;

    public SequenceState(IRuleSet ruleSet, Action<SequenceMatch> onMatch, SequenceEngineOptions? options = null)
    {
        _ruleSet = ruleSet;
        _options = options ?? new SequenceEngineOptions();
        _onMatch = onMatch;
        Engine = new SequenceEngine(ruleSet, Report, _options);
        var windows = ruleSet.Rules.Where(r => r.Sequence is not null).Select(r => r.Sequence!.EffectiveWindowNanos).DefaultIfEmpty(0).Max();
        _retention = windows + _options.ReorderWindow.Ticks * 100;
    }

    public SequenceEngine Engine { get; }

    /// <summary>Whether the rule set has sequence or sample rules (otherwise nothing needs this).</summary>
    public bool HasSequenceRules => Engine.HasSequenceRules;

    /// <summary>Step-matching events kept for a later run.</summary>
    public int RecordCount => _records.Count;

    /// <summary>Recorded events dropped over <see cref="MaxRecords"/>.</summary>
    public long Evicted { get; private set; }

    /// <summary>Statistics of this run alone (a replay's joins are not counted twice).</summary>
    public SequenceStatistics Statistics => Engine.Statistics.Since(_replayStatistics);

    private SequenceStatistics _replayStatistics = new();

    /// <summary>Before each event's evaluation: remembers the stream's time as the event found it.</summary>
    public void BeginEvent()
    {
        if (_before.Length != _watermarks.Count) _before = new long[_watermarks.Count];
        for (var i = 0; i < _watermarks.Count; i++) _before[i] = _watermarks[i];
        _stepped = false;
    }

    /// <summary>After each event's evaluation: keeps the event when it matched a sequence step.</summary>
    public void EndEvent(ReadOnlySpan<byte> json, EventSource source)
    {
        if (!_stepped) return;
        var latest = _watermarks.Count == 0 ? EventTime.Missing : _watermarks.Max();
        _records.Add(new Record(json.ToArray(), source, _before.ToArray(), latest));
        if (_records.Count > MaxRecords)
        {
            _records.RemoveAt(0);
            Evicted++;
        }
        if ((_records.Count & 1023) == 0) Prune();
    }

    public void OnEventTime(int clock, long timeNanos)
    {
        while (_watermarks.Count <= clock) _watermarks.Add(EventTime.Missing);
        if (timeNanos != EventTime.Missing && (_watermarks[clock] == EventTime.Missing || timeNanos > _watermarks[clock])) _watermarks[clock] = timeNanos;
        Engine.OnEventTime(clock, timeNanos);
    }

    public void OnSteps(int ruleIndex, int clock, long timeNanos, ulong steps, scoped in EventView ev)
    {
        _stepped = true;
        Engine.OnSteps(ruleIndex, clock, timeNanos, steps, in ev);
    }

    /// <summary>The end of the stream: joins what the engine still holds back.</summary>
    public void Flush() => Engine.Flush();

    private void Report(SequenceMatch match)
    {
        if (!_replaying) _onMatch(match);
    }

    /// <summary>Drops records too old to join anything the stream can still bring.</summary>
    private void Prune()
    {
        if (_watermarks.Count == 0) return;
        var oldestClock = _watermarks.Where(w => w != EventTime.Missing).DefaultIfEmpty(EventTime.Missing).Min();
        if (oldestClock == EventTime.Missing) return;
        var limit = oldestClock - _retention;
        _records.RemoveAll(r => r.Latest != EventTime.Missing && r.Latest < limit && r.Before.All(b => b == EventTime.Missing || b < limit));
    }

    public void SaveState(Utf8JsonWriter writer)
    {
        Prune();
        writer.WriteStartObject();
        writer.WriteStartArray("watermarks");
        foreach (var w in _watermarks) writer.WriteNumberValue(w);
        writer.WriteEndArray();
        writer.WriteStartArray("events");
        foreach (var r in _records)
        {
            writer.WriteStartObject();
            StateFormat.WriteSource(writer, r.Source);
            writer.WriteStartArray("before");
            foreach (var b in r.Before) writer.WriteNumberValue(b);
            writer.WriteEndArray();
            writer.WriteNumber("latest", r.Latest);
            StateFormat.WriteEvent(writer, "event", r.Json);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Replays a saved record into the (fresh) engine; sequences it completes are not reported again.</summary>
    public void LoadState(JsonElement state)
    {
        var matches = new int[Math.Max(1, _ruleSet.Rules.Count)];
        _replaying = true;
        try
        {
            foreach (var e in state.GetProperty("events").EnumerateArray())
            {
                var before = e.GetProperty("before").EnumerateArray().Select(b => b.GetInt64()).ToArray();
                for (var c = 0; c < before.Length; c++)
                {
                    if (before[c] != EventTime.Missing) OnEventTime(c, before[c]);
                }
                var json = StateFormat.ReadEvent(e.GetProperty("event"));
                var source = StateFormat.ReadSource(e);
                Engine.CurrentSource = source;
                BeginEvent();
                _ruleSet.TryEvaluate(json, matches, out _, MatchScope.Full, this);
                EndEvent(json, source);
            }
            var watermarks = state.GetProperty("watermarks").EnumerateArray().Select(w => w.GetInt64()).ToArray();
            for (var c = 0; c < watermarks.Length; c++)
            {
                if (watermarks[c] != EventTime.Missing) OnEventTime(c, watermarks[c]);
            }
        }
        finally
        {
            _replaying = false;
        }
        _replayStatistics = Engine.Statistics.Snapshot();
    }

    private sealed record Record(byte[] Json, EventSource Source, long[] Before, long Latest);
}

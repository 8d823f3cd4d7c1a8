namespace RuleGen.Runtime;

/// <summary>
/// Joins the steps that events match into EQL sequences and samples, with Elasticsearch's semantics, for a stream of
/// events: pass it as the <see cref="ISequenceSink"/> of a rule set's
/// <see cref="IRuleSet.TryEvaluate(ReadOnlySpan{byte}, Span{int}, out int, MatchScope, ISequenceSink?)"/>, set
/// <see cref="CurrentSource"/> before each event, and call <see cref="Flush"/> at the end of the input. Each
/// completed sequence is handed to the callback once, with all its events.
/// </summary>
/// <remarks>
/// <para>Sequences follow Elasticsearch's state machine ("How sequence queries handle matches" in the EQL syntax
/// reference): per join key, each step holds at most one pending sequence, a newer one overwrites an older one, and
/// an event that matches step i advances the pending sequence of step i-1. Events are joined in the order of the
/// rule's timestamp field, then its tiebreaker, then input order; step matches are held back for
/// <see cref="SequenceEngineOptions.ReorderWindow"/> so that events a little out of order still join correctly.
/// <c>maxspan</c> bounds a sequence from its first to its last event; an <c>until</c> event cancels the pending
/// sequences of its key. Missing-event steps are checked as Elasticsearch does after the positive steps matched:
/// between two steps, no such event may occur; before the first, none within maxspan of the last step; after the
/// last, none within maxspan of the first. A sequence that ends with a missing-event step is reported once the
/// stream's time has passed its window (a window still open at the end of the input is not reported).</para>
/// <para>Samples join events with equal keys in any order; each key gives at most one sample per look-back window.</para>
/// <para>Memory is bounded: state expires with maxspan (or the rule's look-back when there is none), and each rule
/// holds at most <see cref="SequenceEngineOptions.MaxStatePerRule"/> items, dropping its oldest beyond that.</para>
/// </remarks>
public sealed class SequenceEngine : ISequenceSink
{
    private readonly IRuleSet _ruleSet;
    private readonly Action<SequenceMatch> _onMatch;
    private readonly SequenceEngineOptions _options;
    private readonly long _lateness;
    private readonly JoinState?[] _rules;
    private readonly List<Clock> _clocks = new();
    private readonly List<byte> _keyBuffer = new();
    private long _arrival;
    private long _copiedArrival = -1;
    private byte[]? _copiedJson;

    public SequenceEngine(IRuleSet ruleSet, Action<SequenceMatch> onMatch, SequenceEngineOptions? options = null)
    {
        _ruleSet = ruleSet;
        _onMatch = onMatch;
        _options = options ?? new SequenceEngineOptions();
        if (_options.MaxStatePerRule < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxStatePerRule must be at least 1.");
        _lateness = Math.Max(0, _options.ReorderWindow.Ticks) * 100;
        _rules = new JoinState?[ruleSet.Rules.Count];
        foreach (var rule in ruleSet.Rules)
        {
            if (rule.Sequence is { } definition)
            {
                _rules[rule.Index] = definition.Kind == SequenceKind.Sample
                    ? new SampleJoin(this, rule, definition)
                    : new SequenceJoin(this, rule, definition);
            }
        }
    }

    /// <summary>Whether the rule set has any sequence or sample rule.</summary>
    public bool HasSequenceRules => _rules.Any(r => r is not null);

    /// <summary>Where the event being evaluated comes from (recorded on the events of completed sequences).</summary>
    public EventSource CurrentSource { get; set; }

    /// <summary>Totals over every sequence rule.</summary>
    public SequenceStatistics Statistics
    {
        get
        {
            var total = new SequenceStatistics();
            foreach (var join in _rules)
            {
                if (join is not null) total.Add(join.Statistics);
            }
            return total;
        }
    }

    /// <summary>What happened for one rule (all zero for a single-event rule).</summary>
    public SequenceStatistics StatisticsOf(int ruleIndex) => _rules[ruleIndex]?.Statistics ?? new SequenceStatistics();

    internal SequenceEngineOptions Options => _options;

    /// <summary>How much join state <paramref name="ruleIndex"/> holds now (partial sequences, pending windows, groups, held-back events).</summary>
    public int StateOf(int ruleIndex) => _rules[ruleIndex]?.StateCount ?? 0;

    public void OnEventTime(int clock, long timeNanos)
    {
        _arrival++;
        var c = ClockAt(clock);
        if (timeNanos == EventTime.Missing || timeNanos <= c.Watermark) return;
        c.Watermark = timeNanos;
        Release(c, c.Watermark - _lateness);
    }

    public void OnSteps(int ruleIndex, int clock, long timeNanos, ulong steps, scoped in EventView ev)
    {
        var join = _rules[ruleIndex];
        if (join is null) return;
        var definition = join.Definition;
        var statistics = join.Statistics;
        statistics.StepMatches++;
        if (definition.Kind == SequenceKind.Sequence && timeNanos == EventTime.Missing)
        {
            statistics.MissingTimestamps++;
            return;
        }

        // Join keys per matched step (a step whose required key is missing does not match).
        var keys = new SequenceKey?[definition.Steps.Count + 1];
        for (var s = 0; s < definition.Steps.Count; s++)
        {
            if ((steps & (1UL << s)) == 0) continue;
            keys[s] = SequenceKey.Read(in ev, definition.Steps[s], _keyBuffer);
            if (keys[s] is null) steps &= ~(1UL << s);
        }
        if ((steps & SequenceDefinition.UntilBit) != 0)
        {
            keys[definition.Steps.Count] = SequenceKey.Read(in ev, definition.Until!, _keyBuffer);
            if (keys[definition.Steps.Count] is null) steps &= ~SequenceDefinition.UntilBit;
        }
        if (steps == 0)
        {
            statistics.MissingKeys++;
            return;
        }

        // One copy of the event for every rule whose steps it matches.
        if (_copiedArrival != _arrival || _copiedJson is null)
        {
            _copiedJson = ev.Json.ToArray();
            _copiedArrival = _arrival;
        }
        var record = new SequenceEvent(_copiedJson, CurrentSource, timeNanos, _arrival)
        {
            Tiebreaker = Tiebreaker.Read(in ev, definition.TiebreakerSlot),
        };
        var entry = new StepEntry(join, steps, keys, record);
        if (definition.Kind == SequenceKind.Sample)
        {
            // Samples are unordered: join at once; the stream time only expires their groups.
            var sampleClock = ClockAt(clock);
            join.Clock = sampleClock;
            join.Process(entry, timeNanos == EventTime.Missing ? sampleClock.Watermark : timeNanos);
            return;
        }

        var c = ClockAt(clock);
        if (timeNanos < c.Horizon || timeNanos == c.Horizon && c.LastReleased is { } last && Order.Of(entry).CompareTo(last) < 0)
        {
            statistics.LateEvents++;
            return;
        }
        if (join.Buffered >= _options.MaxStatePerRule)
        {
            // The rule already holds back as many events as its cap allows: this one is dropped.
            statistics.CapEvictions++;
            return;
        }
        c.Pending.Enqueue(entry, Order.Of(entry));
        join.Buffered++;
        join.Clock = c;
        Release(c, c.Horizon);
    }

    /// <summary>
    /// Ends the input: joins every held-back step match in time order, reports the sequences whose missing-event
    /// windows closed before the last event's time, and counts the windows still open.
    /// </summary>
    public void Flush()
    {
        foreach (var c in _clocks)
        {
            Release(c, long.MaxValue);
            c.Horizon = c.Watermark;
            foreach (var join in _rules)
            {
                if (join?.Clock == c) join.Advance(c.Watermark, final: true);
            }
        }
    }

    private Clock ClockAt(int index)
    {
        while (_clocks.Count <= index) _clocks.Add(new Clock());
        return _clocks[index];
    }

    private void Release(Clock c, long upTo)
    {
        while (c.Pending.TryPeek(out var entry, out var order) && order.Time <= upTo)
        {
            c.Pending.Dequeue();
            entry.Join.Buffered--;
            c.LastReleased = order;
            entry.Join.Process(entry, entry.Record.TimeNanos);
        }
        var horizon = Math.Min(upTo, c.Watermark - _lateness);
        if (horizon > c.Horizon) c.Horizon = horizon;
        // Let rules expire state and close missing-event windows that the horizon has passed.
        while (c.Wakeups.TryPeek(out var join, out var at) && at < c.Horizon)
        {
            c.Wakeups.Dequeue();
            if (join.ScheduledWakeup == at) join.ScheduledWakeup = long.MaxValue;
            join.Advance(c.Horizon, final: false);
        }
    }

    internal void Schedule(JoinState join, long at)
    {
        if (join.Clock is not { } c || at >= join.ScheduledWakeup) return;
        join.ScheduledWakeup = at;
        c.Wakeups.Enqueue(join, at);
    }

    internal void Report(JoinState join, List<SequenceEvent> events, List<int> steps, SequenceKey? key)
    {
        join.Statistics.Completed++;
        var rule = join.Rule;
        _onMatch(new SequenceMatch(rule, events, steps, key?.Values() ?? Array.Empty<string?>()));
    }

    /// <summary>One timestamp field's stream time and the step matches held back on it.</summary>
    internal sealed class Clock
    {
        /// <summary>The largest timestamp seen.</summary>
        public long Watermark = long.MinValue;

        /// <summary>Every step match at or before this time has been joined; later arrivals before it are late.</summary>
        public long Horizon = long.MinValue;

        public Order? LastReleased;

        public readonly PriorityQueue<StepEntry, Order> Pending = new();

        public readonly PriorityQueue<JoinState, long> Wakeups = new();
    }

    /// <summary>Join order: timestamp, tiebreaker, input order.</summary>
    internal readonly struct Order : IComparable<Order>
    {
        public Order(long time, Tiebreaker tiebreaker, long arrival)
        {
            Time = time;
            Tiebreaker = tiebreaker;
            Arrival = arrival;
        }

        public long Time { get; }

        public Tiebreaker Tiebreaker { get; }

        public long Arrival { get; }

        public static Order Of(StepEntry entry) => new(entry.Record.TimeNanos, entry.Record.Tiebreaker, entry.Record.Arrival);

        public int CompareTo(Order other)
        {
            var c = Time.CompareTo(other.Time);
            if (c != 0) return c;
            c = Tiebreaker.CompareTo(other.Tiebreaker);
            return c != 0 ? c : Arrival.CompareTo(other.Arrival);
        }
    }
}

/// <summary>An event that matched steps of one rule, with its join keys per step (index Steps.Count: the until step).</summary>
internal sealed class StepEntry
{
    public StepEntry(JoinState join, ulong steps, SequenceKey?[] keys, SequenceEvent record)
    {
        Join = join;
        Steps = steps;
        Keys = keys;
        Record = record;
    }

    public JoinState Join { get; }

    public ulong Steps { get; }

    public SequenceKey?[] Keys { get; }

    public SequenceEvent Record { get; }
}

/// <summary>One rule's join state.</summary>
internal abstract class JoinState
{
    protected JoinState(SequenceEngine engine, CompiledRule rule, SequenceDefinition definition)
    {
        Engine = engine;
        Rule = rule;
        Definition = definition;
    }

    public SequenceEngine Engine { get; }

    public CompiledRule Rule { get; }

    public SequenceDefinition Definition { get; }

    public SequenceEngine.Clock? Clock { get; set; }

    /// <summary>Step matches held back in the clock's reorder queue.</summary>
    public int Buffered { get; set; }

    public long ScheduledWakeup { get; set; } = long.MaxValue;

    public abstract int StateCount { get; }

    protected int Cap => Engine.Options.MaxStatePerRule;

    /// <summary>What happened for this rule.</summary>
    public SequenceStatistics Statistics { get; } = new();

    /// <summary>Joins one event (in time order for sequences); <paramref name="now"/> is the stream time.</summary>
    public abstract void Process(StepEntry entry, long now);

    /// <summary>
    /// The stream has passed <paramref name="horizon"/>: every later event is newer. Expires state and closes
    /// missing-event windows; <paramref name="final"/> at the end of the input.
    /// </summary>
    public abstract void Advance(long horizon, bool final);

    protected void Evicted() => Statistics.CapEvictions++;
}

using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>
/// Runs a rule set's rules the way Kibana's detection engine runs them, over a stream of events in input order: each
/// rule executes on a schedule of event time (every <c>interval</c>, searching <c>[now - look-back, now]</c>), raises
/// at most <c>max_signals</c> alerts per execution, and its rule type decides what is an alert (every matching event,
/// threshold groups, new terms, indicator matches, EQL sequences, Sigma correlations). Alerts are shaped (severity,
/// risk score and rule name mappings, suppression) and handed to an <see cref="IDetectionAlertSink"/> in a
/// deterministic order: the same input always gives the same alerts in the same order.
/// </summary>
/// <remarks>
/// The engine is the sequential stage of a scan: give it every event (<see cref="OnEvent(ReadOnlySpan{byte}, EventSource, ReadOnlySpan{int})"/>)
/// in input order with the rules it matched, completed EQL sequences (<see cref="OnSequence"/>) as the sequence
/// engine reports them, and call <see cref="Finish"/> at the end of the input. An execution at time T of a rule runs
/// once the stream's time on the rule's clock has passed T plus the allowed lateness; executions that find nothing to
/// search are skipped. Memory is bounded per rule (<see cref="DetectionOptions"/>); <see cref="SaveState"/> and
/// <see cref="LoadState"/> carry everything across runs.
/// </remarks>
public sealed partial class DetectionEngine
{
    private readonly IRuleSet _ruleSet;
    private readonly IDetectionAlertSink _sink;
    private readonly RuleRunner?[] _runners;
    private readonly SequenceRunner?[] _sequenceRunners;
    private readonly string?[] _problems;
    private readonly ClockState[] _clockStates;
    private long _arrival;
    private long _copyArrival = -1;
    private ReadOnlyMemory<byte> _copy;
    private long _documentArrival = -1;
    private JsonDocument? _document;

    public DetectionEngine(IRuleSet ruleSet, IDetectionAlertSink sink, DetectionOptions? options = null, IndicatorSet? indicators = null,
        IReadOnlyList<CorrelationDefinition>? correlations = null)
    {
        _ruleSet = ruleSet;
        _sink = sink;
        Options = options ?? new DetectionOptions();
        correlations ??= ruleSet.Correlations;
        Clocks = EventClocks.Of(ruleSet, correlations);
        CorrelationClock = Clocks.ClockOf(EventClocks.CorrelationTimeFields(correlations), "correlations");
        _clockStates = Enumerable.Range(0, Clocks.Count).Select(_ => new ClockState()).ToArray();
        _runners = new RuleRunner?[ruleSet.Rules.Count];
        _sequenceRunners = new SequenceRunner?[ruleSet.Rules.Count];
        _problems = new string?[ruleSet.Rules.Count];
        _indicators = indicators;
        _deferred = new RuleRunSettings?[ruleSet.Rules.Count];
        foreach (var rule in ruleSet.Rules)
        {
            // A rule the scan leaves out (rulegen scan --min-level, --tags, ...) gets no runner: its matches raise nothing.
            if (Options.Selects is { } selects && !selects(rule.Info)) continue;
            // A single-event query whose run settings the set gives gets its runner when it first matches: a corpus of
            // thousands of rules then starts without decoding every rule's metadata, and a rule that never matches
            // costs nothing. Its schedule's problems are known now, as for the others.
            if (ruleSet.RunSettingsOf(rule.Index) is { } settings)
            {
                _deferred[rule.Index] = settings;
                _problems[rule.Index] = RuleSchedule.Of(settings, Options.SigmaMaxSignals).Problem;
            }
            else
            {
                SetUp(rule);
            }
        }
        Correlations = new CorrelationEngine(this, correlations);
        foreach (var rule in Correlations.SilencedRules)
        {
            if (RunnerOf(rule) is { } silenced) silenced.Alerts = false;
        }
        if (Options.Selects is { } selectsCorrelation)
        {
            for (var c = 0; c < Correlations.Count; c++)
            {
                if (!selectsCorrelation(Correlations.Definitions[c].Info)) Correlations.RunnerOf(c).Alerts = false;
            }
        }
    }

    private readonly IndicatorSet? _indicators;
    private readonly RuleRunSettings?[] _deferred;

    private void SetUp(CompiledRule rule, RuleRunSettings? settings = null)
    {
        var schedule = settings is null ? RuleSchedule.Of(rule.Info, Options.SigmaMaxSignals) : RuleSchedule.Of(settings, Options.SigmaMaxSignals);
        var clock = settings is null ? Clocks.ClockOf(rule.Info) : Clocks.ClockOf(settings.ResolvedTimeFields, rule);
        _runners[rule.Index] = CreateRunner(rule, schedule, clock, _indicators, out var problem);
        _sequenceRunners[rule.Index] = _runners[rule.Index] as SequenceRunner;
        _problems[rule.Index] = problem ?? schedule.Problem;
    }

    /// <summary>The rule's runner, set up now if it was deferred; null for a rule that does not run.</summary>
    private RuleRunner? RunnerOf(int rule)
    {
        if (_deferred[rule] is { } settings)
        {
            _deferred[rule] = null;
            SetUp(_ruleSet.Rules[rule], settings);
        }
        return _runners[rule];
    }

    /// <summary>Sets up every deferred runner (before state is restored, which finds runners by rule id).</summary>
    private void SetUpAll()
    {
        for (var rule = 0; rule < _deferred.Length; rule++) RunnerOf(rule);
    }

    public DetectionOptions Options { get; }

    /// <summary>The time fields the rules run on.</summary>
    public EventClocks Clocks { get; }

    /// <summary>The clock Sigma correlations run on (<see cref="EventClocks.CorrelationTimeFields"/>).</summary>
    public int CorrelationClock { get; }

    internal CorrelationEngine Correlations { get; }

    /// <summary>Events seen (well-formed ones handed to <see cref="OnEvent(ReadOnlySpan{byte}, EventSource, ReadOnlySpan{int})"/>).</summary>
    public long Events => _arrival;

    private RuleRunner? CreateRunner(CompiledRule rule, RuleSchedule schedule, int clock, IndicatorSet? indicators, out string? problem)
    {
        problem = null;
        var info = rule.Info;
        if (rule.Sequence is not null) return new SequenceRunner(this, rule, schedule, clock);
        var elastic = info.Elastic;
        switch (info.Type)
        {
            case "threshold" when elastic?.Threshold is { } threshold:
                return new ThresholdRunner(this, rule, schedule, clock, threshold);
            case "new_terms" when elastic?.NewTerms is { } newTerms:
                if (newTerms.HistoryWindow is not { } history)
                {
                    problem = $"history_window_start '{newTerms.HistoryWindowStart}' is not a look-back such as now-7d; the rule does not run";
                    return null;
                }
                if (history.Ticks * 100 <= schedule.LookbackNanos)
                {
                    // Kibana's validateHistoryWindowStart rejects such a rule.
                    problem = $"history_window_start '{newTerms.HistoryWindowStart}' is not earlier than from; the rule does not run";
                    return null;
                }
                return new NewTermsRunner(this, rule, schedule, clock, newTerms, history);
            case "threat_match" when elastic?.ThreatMatch is { } threat:
                if (indicators is null)
                {
                    problem = "no indicator file (scan --indicators FILE); the rule does not run";
                    return null;
                }
                if (!string.IsNullOrWhiteSpace(threat.Query) && rule.IndicatorQuery is null)
                {
                    problem = "its threat query is not compiled; the rule does not run";
                    return null;
                }
                return new ThreatMatchRunner(this, rule, schedule, clock, new IndicatorMatcher(threat, indicators, rule.IndicatorQuery));
            default:
                return new QueryRunner(this, rule, schedule, clock);
        }
    }

    /// <summary>Why a rule does not run or runs on default settings, or null.</summary>
    public string? ProblemOf(int ruleIndex) => _problems[ruleIndex];

    /// <summary>What the engine did for one rule of the rule set.</summary>
    public RuleStatistics StatisticsOf(int ruleIndex) => _runners[ruleIndex]?.Statistics ?? new RuleStatistics();

    /// <summary>The state one rule holds now, by kind.</summary>
    public IEnumerable<StateSize> StateOf(int ruleIndex) => _runners[ruleIndex]?.StateSizes() ?? Enumerable.Empty<StateSize>();

    /// <summary>Totals over every rule (and correlation).</summary>
    public RuleStatistics Totals
    {
        get
        {
            var total = new RuleStatistics();
            foreach (var runner in AllRunners()) total.Add(runner.Statistics);
            return total;
        }
    }

    /// <summary>State held now over every rule, by kind.</summary>
    public IReadOnlyList<StateSize> StateTotals =>
        AllRunners().SelectMany(r => r.StateSizes()).Concat(Correlations.StateSizes())
            .GroupBy(s => s.Kind).Select(g => new StateSize(g.Key, g.Sum(s => s.Count))).OrderBy(s => s.Kind, StringComparer.Ordinal).ToList();

    private IEnumerable<RuleRunner> AllRunners() => _runners.Where(r => r is not null).Concat(Correlations.Runners)!;

    /// <summary>The stream's time on a clock (the latest event time seen), or <see cref="EventTime.Missing"/>.</summary>
    public long WatermarkOf(int clock) => _clockStates[clock].Watermark;

    /// <summary>One event, in input order, with the indexes of the rules it matched; reads its times itself.</summary>
    public void OnEvent(ReadOnlySpan<byte> json, EventSource source, ReadOnlySpan<int> matches)
    {
        Span<long> times = stackalloc long[Clocks.Count];
        Clocks.Read(json, times);
        OnEvent(json, source, matches, times);
    }

    /// <summary>
    /// One event with its times already read (<see cref="EventClocks.Read"/>, which is thread-safe: a parallel stage
    /// can read them). Events without matches cost the clock update alone and allocate nothing.
    /// </summary>
    public void OnEvent(ReadOnlySpan<byte> json, EventSource source, ReadOnlySpan<int> matches, ReadOnlySpan<long> clockTimes)
    {
        _arrival++;
        for (var c = 0; c < _clockStates.Length; c++)
        {
            var t = clockTimes[c];
            var state = _clockStates[c];
            if (t == EventTime.Missing || state.Watermark != EventTime.Missing && t <= state.Watermark) continue;
            var first = state.Watermark == EventTime.Missing;
            state.Watermark = t;
            state.Moved = true;
            if (first) StampTimeless(c, t);
        }
        try
        {
            foreach (var index in matches)
            {
                var runner = RunnerOf(index);
                if (runner is null) continue;
                var t = clockTimes[runner.Clock];
                var timeless = t == EventTime.Missing;
                if (timeless) t = _clockStates[runner.Clock].Watermark;
                runner.Add(new EventContext(this, json, source, _arrival, t, timeless));
                if (t == EventTime.Missing) _clockStates[runner.Clock].Timeless.Add(runner);
                else Schedule(runner);
            }
            if (Correlations.Count > 0 && Correlations.Reads(matches)) Correlations.Add(json, source, _arrival, matches, clockTimes[CorrelationClock]);
        }
        finally
        {
            _document?.Dispose();
            _document = null;
        }
        if (Correlations.Count > 0 && _clockStates[CorrelationClock].Watermark != EventTime.Missing) Correlations.Advance(_clockStates[CorrelationClock].Watermark - Options.LatenessNanos);
        for (var c = 0; c < _clockStates.Length; c++)
        {
            var state = _clockStates[c];
            if (!state.Moved && state.Queue.Count == 0) continue;
            state.Moved = false;
            Advance(c);
        }
    }

    /// <summary>The id of a rule of the rule set.</summary>
    internal string RuleIdOf(int ruleIndex) => _ruleSet.Rules[ruleIndex].Info.Id;

    /// <summary>A completed EQL sequence or sample (from the <see cref="SequenceEngine"/>'s callback).</summary>
    public void OnSequence(SequenceMatch match)
    {
        var runner = _sequenceRunners[match.Rule.Index];
        if (runner is null) return;
        long first = EventTime.Missing, last = EventTime.Missing;
        Span<long> times = stackalloc long[Clocks.Count];
        foreach (var e in match.Events)
        {
            Clocks.Read(e.Json.Span, times);
            var t = times[runner.Clock];
            if (t == EventTime.Missing) continue;
            if (first == EventTime.Missing || t < first) first = t;
            if (last == EventTime.Missing || t > last) last = t;
        }
        runner.Add(match, first, last, match.Events.Max(e => e.Arrival));
        Schedule(runner);
        Advance(runner.Clock);
    }

    /// <summary>
    /// The end of the input. When it ends the stream (<see cref="DetectionOptions.EndOfInputEndsStream"/>), every
    /// remaining execution runs in time order and every open suppression window closes; otherwise state stays for
    /// <see cref="SaveState"/>.
    /// </summary>
    public void Finish()
    {
        if (!Options.EndOfInputEndsStream) return;
        Correlations.Advance(long.MaxValue);
        for (var c = 0; c < _clockStates.Length; c++)
        {
            // A stream without any time on a clock: its events are stamped at the epoch, deterministically.
            if (_clockStates[c].Watermark == EventTime.Missing && _clockStates[c].Timeless.Count > 0) StampTimeless(c, 0);
        }
        while (true)
        {
            ClockState? next = null;
            var nextClock = -1;
            (long Due, int Rule) nextKey = default;
            for (var c = 0; c < _clockStates.Length; c++)
            {
                var queue = _clockStates[c].Queue;
                while (queue.TryPeek(out var runner, out var key) && key.Due != runner.ScheduledDue) queue.Dequeue();
                if (!queue.TryPeek(out _, out var head)) continue;
                if (next is null || head.Due < nextKey.Due || head.Due == nextKey.Due && (c < nextClock || c == nextClock && head.Rule < nextKey.Rule))
                {
                    next = _clockStates[c];
                    nextClock = c;
                    nextKey = head;
                }
            }
            if (next is null) break;
            var due = next.Queue.Dequeue();
            due.ScheduledDue = long.MaxValue;
            Run(due, nextKey.Due);
        }
        foreach (var runner in AllRunners()) runner.CloseAllWindows();
    }

    private void StampTimeless(int clock, long time)
    {
        var state = _clockStates[clock];
        foreach (var runner in state.Timeless.Distinct().ToList())
        {
            runner.Stamp(time);
            Schedule(runner);
        }
        state.Timeless.Clear();
    }

    /// <summary>Queues the rule's next execution (or an earlier one, when a late event needs it).</summary>
    internal void Schedule(RuleRunner runner)
    {
        if (!runner.HasWork) return;
        var due = runner.NextDue();
        if (due >= runner.ScheduledDue || due == long.MaxValue) return;
        runner.ScheduledDue = due;
        _clockStates[runner.Clock].Queue.Enqueue(runner, (due, OrderOf(runner)));
    }

    /// <summary>Runs every execution of the clock whose time plus the allowed lateness the stream has passed.</summary>
    private void Advance(int clock)
    {
        var state = _clockStates[clock];
        if (state.Watermark == EventTime.Missing) return;
        var limit = state.Watermark - Options.LatenessNanos;
        while (state.Queue.TryPeek(out var runner, out var key))
        {
            if (key.Due != runner.ScheduledDue)
            {
                state.Queue.Dequeue();
                continue;
            }
            if (key.Due >= limit) break;
            state.Queue.Dequeue();
            runner.ScheduledDue = long.MaxValue;
            Run(runner, key.Due);
        }
    }

    private void Run(RuleRunner runner, long due)
    {
        runner.Execute(due);
        Schedule(runner);
    }

    private int OrderOf(RuleRunner runner) => runner is CorrelationRunner c ? _runners.Length + c.Index : runner.Rule.Index;

    internal void Write(DetectionAlert alert, bool update) => _sink.Write(alert, update);

    /// <summary>The current event's bytes, copied once for every rule that keeps them.</summary>
    internal ReadOnlyMemory<byte> CopyOfCurrent(ReadOnlySpan<byte> json)
    {
        if (_copyArrival != _arrival)
        {
            _copy = json.ToArray();
            _copyArrival = _arrival;
        }
        return _copy;
    }

    /// <summary>The current event parsed once for every rule that reads its fields.</summary>
    internal JsonElement RootOfCurrent(ReadOnlySpan<byte> json)
    {
        if (_documentArrival != _arrival || _document is null)
        {
            _document?.Dispose();
            _document = EventFieldValues.Parse(CopyOfCurrent(json));
            _documentArrival = _arrival;
        }
        return _document.RootElement;
    }

    private sealed class ClockState
    {
        public long Watermark = EventTime.Missing;
        public bool Moved;
        public readonly PriorityQueue<RuleRunner, (long Due, int Rule)> Queue = new();
        public readonly List<RuleRunner> Timeless = new();
    }
}

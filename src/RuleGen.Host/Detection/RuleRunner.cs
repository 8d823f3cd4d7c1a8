using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>A candidate alert of one execution: what the rule type found, before max_signals and suppression decide.</summary>
internal abstract class Candidate
{
    /// <summary>Its time (events: the event's; threshold: the group's last event), the suppression start and end.</summary>
    public abstract long Time { get; }

    /// <summary>The alert this candidate becomes when it is created.</summary>
    public abstract DetectionAlert Build(Execution execution);

    /// <summary>
    /// The values of the suppression fields, or null when the candidate is not suppressed (it lacks a field and the
    /// rule says <c>doNotSuppress</c>).
    /// </summary>
    public abstract IReadOnlyList<SuppressionTerm>? Terms(AlertSuppressionSettings settings);

    /// <summary>The candidate became an alert or was folded into one: no later execution considers it.</summary>
    public abstract void Consume();

    /// <summary>Suppression terms of an event from its fields (Kibana's <c>getSuppressionTerms</c>: arrays sorted).</summary>
    protected static IReadOnlyList<SuppressionTerm>? TermsOf(JsonElement root, AlertSuppressionSettings settings)
    {
        var terms = new List<SuppressionTerm>(settings.GroupBy.Count);
        foreach (var field in settings.GroupBy)
        {
            var values = EventFieldValues.Of(root, field);
            if (values.Count == 0)
            {
                if (settings.MissingFieldsStrategy == "doNotSuppress") return null;
                terms.Add(new SuppressionTerm(field, null));
                continue;
            }
            values.Sort();
            terms.Add(new SuppressionTerm(field, values));
        }
        return terms;
    }
}

/// <summary>
/// Runs one rule's executions: holds what its events brought until an execution whose window covers it, then (per
/// rule type) turns it into candidate alerts, which max_signals and alert suppression turn into alerts. The engine
/// decides when executions run (<see cref="NextDue"/>); a runner never looks at the wall clock.
/// </summary>
internal abstract class RuleRunner
{
    /// <summary>Kibana's <c>MAX_SIGNALS_SUPPRESSION_MULTIPLIER</c>: created plus suppressed alerts per execution stay under 5 x max_signals.</summary>
    public const int SuppressionMultiplier = 5;

    private readonly Dictionary<string, SuppressionWindow> _windows = new(StringComparer.Ordinal);
    private readonly Queue<string> _windowOrder = new();

    protected RuleRunner(DetectionEngine engine, CompiledRule rule, RuleSchedule schedule, int clock)
    {
        Engine = engine;
        Rule = rule;
        Schedule = schedule;
        Clock = clock;
    }

    public DetectionEngine Engine { get; }

    public CompiledRule Rule { get; }

    public RuleSchedule Schedule { get; }

    /// <summary>The rule's clock (its time field) in the engine's <see cref="EventClocks"/>.</summary>
    public int Clock { get; }

    public RuleStatistics Statistics { get; } = new();

    /// <summary>The last execution that ran, or <see cref="long.MinValue"/>.</summary>
    public long LastExecuted { get; set; } = long.MinValue;

    /// <summary>The execution the engine has queued for this rule, or <see cref="long.MaxValue"/>.</summary>
    public long ScheduledDue { get; set; } = long.MaxValue;

    /// <summary>Whether the rule alerts on its own (a Sigma rule only a correlation uses, without <c>generate</c>, does not).</summary>
    public bool Alerts { get; set; } = true;

    protected DetectionOptions Options => Engine.Options;

    protected AlertSuppressionSettings? Suppression => Rule.Info.Elastic?.AlertSuppression is { } s && (s.GroupBy.Count > 0 || SuppressesByOwnGroups) ? s : null;

    /// <summary>Threshold rules suppress by their own groups (their suppression settings name no fields).</summary>
    protected virtual bool SuppressesByOwnGroups => false;

    /// <summary>Whether anything waits for an execution (pending items).</summary>
    public abstract bool HasPending { get; }

    /// <summary>The earliest pending item's time (only when <see cref="HasPending"/>).</summary>
    public abstract long EarliestPending { get; }

    /// <summary>What the rule holds now, by kind.</summary>
    public abstract IEnumerable<StateSize> StateSizes();

    /// <summary>Whether an execution is needed: pending items, or suppression windows that must close.</summary>
    public bool HasWork => HasPending || _windows.Count > 0;

    /// <summary>The next execution this rule needs (a tick), or <see cref="long.MaxValue"/>.</summary>
    public long NextDue()
    {
        var due = long.MaxValue;
        if (HasPending) due = Schedule.TickAtOrAfter(EarliestPending);
        if (_windows.Count > 0 && Suppression?.Duration is { } duration)
        {
            // A window created at T0 takes candidates while T0 >= now - duration: the first execution after that closes it.
            var oldest = _windows.Values.Min(w => w.CreatedAt);
            due = Math.Min(due, Schedule.TickAtOrAfter(oldest + duration.Ticks * 100 + 1));
        }
        if (due != long.MaxValue && LastExecuted != long.MinValue) due = Math.Max(due, LastExecuted + Schedule.IntervalNanos);
        return due;
    }

    /// <summary>
    /// Whether a future execution can still search <paramref name="time"/>; if not, counts why (late, or between
    /// windows) and returns false.
    /// </summary>
    protected bool Covered(long time)
    {
        if (Schedule.EveryMatch) return true;
        var next = Schedule.TickAtOrAfter(time);
        if (LastExecuted != long.MinValue && next <= LastExecuted) next = LastExecuted + Schedule.IntervalNanos;
        if (next - Schedule.LookbackNanos <= time) return true;
        if (Schedule.TickAtOrAfter(time) - Schedule.LookbackNanos > time) Statistics.InGap++;
        else Statistics.Late++;
        return false;
    }

    /// <summary>Takes what one matching event brings (events in input order; <paramref name="e"/>'s time on this rule's clock).</summary>
    public virtual void Add(in EventContext e)
    {
    }

    /// <summary>Gives items without a time the stream's first time (once the clock has one).</summary>
    public abstract void Stamp(long time);

    /// <summary>Runs the execution at <paramref name="tick"/>.</summary>
    public void Execute(long tick)
    {
        var execution = new Execution(Rule.Info.Id, tick, tick - Schedule.LookbackNanos);
        Statistics.Executions++;
        CloseWindows(execution);
        // A rule that alerts every match keeps what arrived late for this execution (see RuleSchedule.EveryMatch).
        Expire(Schedule.EveryMatch ? long.MinValue : execution.WindowStartNanos);
        var candidates = new List<Candidate>();
        Collect(execution, candidates);
        Emit(execution, candidates);
        AfterExecution(execution);
        LastExecuted = tick;
    }

    /// <summary>Drops what no execution from now on can search (before the window's start).</summary>
    protected abstract void Expire(long windowStart);

    /// <summary>The candidate alerts of an execution, in Kibana's order (the search's sort: time, then input order).</summary>
    protected abstract void Collect(Execution execution, List<Candidate> candidates);

    /// <summary>After the alerts are written: drop what was consumed, remember what the rule type needs.</summary>
    protected virtual void AfterExecution(Execution execution)
    {
    }

    /// <summary>
    /// max_signals and alert suppression over an execution's candidates (Kibana's <c>bulkCreate</c> with
    /// <c>maxAlerts</c>, and <c>executeBulkCreateAlerts</c> / <c>suppressAlertsInMemory</c> with suppression):
    /// without suppression the first max_signals candidates become alerts and the rest wait (a later execution
    /// whose look-back still covers them may alert on them). With suppression, candidates with equal values of the
    /// group-by fields are one alert: per execution (no duration), or for as long as the alert created first is
    /// younger than the duration; created alerts stay within max_signals and created plus suppressed within
    /// 5 x max_signals.
    /// </summary>
    private void Emit(Execution execution, List<Candidate> candidates)
    {
        var max = Schedule.MaxSignals;
        var created = new List<DetectionAlert>();
        long suppressed = 0, over = 0;
        var settings = Suppression;
        if (!Alerts)
        {
            foreach (var c in candidates) c.Consume();
            return;
        }
        if (settings is null)
        {
            foreach (var candidate in candidates)
            {
                if (created.Count >= max)
                {
                    over++;
                    if (Schedule.EveryMatch)
                    {
                        // A cap the user set on a Sigma rule limits what alerts: without windows to age out of, what it
                        // holds back would alert at the next execution, so it is dropped (and counted) now.
                        candidate.Consume();
                        Statistics.NeverAlerted++;
                    }
                    continue;
                }
                created.Add(Create(candidate, execution));
            }
        }
        else
        {
            var suppressible = new List<(Candidate Candidate, IReadOnlyList<SuppressionTerm> Terms, string Key)>();
            foreach (var candidate in candidates)
            {
                var terms = candidate.Terms(settings);
                if (terms is not null)
                {
                    suppressible.Add((candidate, terms, KeyOf(terms)));
                    continue;
                }
                if (created.Count >= max) over++;
                else created.Add(Create(candidate, execution));
            }
            var inExecution = new Dictionary<string, DetectionAlert>(StringComparer.Ordinal);
            // Kibana sorts suppressible alerts by their suppression start before folding them.
            foreach (var (candidate, terms, key) in suppressible.OrderBy(s => s.Candidate.Time))
            {
                if (created.Count + suppressed >= (long)SuppressionMultiplier * max)
                {
                    over++;
                    continue;
                }
                DetectionAlert? into = null;
                if (settings.Duration is null) inExecution.TryGetValue(key, out into);
                else if (_windows.TryGetValue(key, out var window)) into = window.Alert;
                if (into is not null)
                {
                    var s = into.Suppression!;
                    s.DocsCount++;
                    s.StartNanos = Math.Min(s.StartNanos, candidate.Time);
                    s.EndNanos = Math.Max(s.EndNanos, candidate.Time);
                    s.LastDetectedNanos = execution.TimeNanos;
                    candidate.Consume();
                    suppressed++;
                    continue;
                }
                if (created.Count >= max)
                {
                    over++;
                    continue;
                }
                var alert = Create(candidate, execution);
                alert.Suppression = new SuppressionState
                {
                    InstanceId = Ids.Hash(Rule.Info.Id, key),
                    Terms = terms,
                    StartNanos = candidate.Time,
                    EndNanos = candidate.Time,
                    LastDetectedNanos = execution.TimeNanos,
                };
                created.Add(alert);
                if (settings.Duration is null) inExecution[key] = alert;
                else OpenWindow(key, alert, execution.TimeNanos);
            }
        }

        foreach (var alert in created)
        {
            Engine.Write(alert, update: false);
            if (alert.Suppression is { } s && _windows.TryGetValue(KeyOf(s.Terms), out var w) && ReferenceEquals(w.Alert, alert)) w.WrittenDocsCount = s.DocsCount;
        }
        Statistics.Alerts += created.Count;
        Statistics.Suppressed += suppressed;
        if (over > 0)
        {
            Statistics.ExecutionsAtCap++;
            Statistics.OverCap += over;
        }
    }

    private static DetectionAlert Create(Candidate candidate, Execution execution)
    {
        var alert = candidate.Build(execution);
        alert.Shape();
        candidate.Consume();
        return alert;
    }

    private static string KeyOf(IReadOnlyList<SuppressionTerm> terms)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var term in terms) term.WriteTo(writer);
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private void OpenWindow(string key, DetectionAlert alert, long createdAt)
    {
        _windows[key] = new SuppressionWindow(alert, createdAt);
        _windowOrder.Enqueue(key);
        while (_windows.Count > Options.MaxGroupsPerRule && _windowOrder.TryDequeue(out var oldest))
        {
            if (!_windows.TryGetValue(oldest, out var w) || ReferenceEquals(w.Alert, alert)) continue;
            _windows.Remove(oldest);
            Statistics.Evicted++;
            WriteFinal(w);
        }
    }

    /// <summary>
    /// Closes the suppression windows <paramref name="execution"/> can no longer fold into (created before
    /// now - duration, Kibana's <c>ALERT_START >= now - duration</c> test): each that took more candidates after it
    /// was written is written again with its final counts.
    /// </summary>
    private void CloseWindows(Execution execution)
    {
        if (_windows.Count == 0 || Suppression?.Duration is not { } duration) return;
        var limit = execution.TimeNanos - duration.Ticks * 100;
        foreach (var (key, window) in _windows.Where(w => w.Value.CreatedAt < limit).OrderBy(w => w.Value.CreatedAt).ThenBy(w => w.Key, StringComparer.Ordinal).ToList())
        {
            _windows.Remove(key);
            WriteFinal(window);
        }
    }

    /// <summary>The end of the stream: every open suppression window closes.</summary>
    public void CloseAllWindows()
    {
        foreach (var (key, window) in _windows.OrderBy(w => w.Value.CreatedAt).ThenBy(w => w.Key, StringComparer.Ordinal).ToList())
        {
            _windows.Remove(key);
            WriteFinal(window);
        }
        _windowOrder.Clear();
    }

    private void WriteFinal(SuppressionWindow window)
    {
        if (window.Alert.Suppression!.DocsCount == window.WrittenDocsCount) return;
        Engine.Write(window.Alert, update: true);
        Statistics.AlertUpdates++;
    }

    /// <summary>Open suppression windows (for state sizes and persistence).</summary>
    internal IReadOnlyDictionary<string, SuppressionWindow> Windows => _windows;

    internal void RestoreWindow(string key, SuppressionWindow window)
    {
        _windows[key] = window;
        _windowOrder.Enqueue(key);
    }

    protected IEnumerable<StateSize> WindowSizes()
    {
        if (_windows.Count > 0) yield return new StateSize("suppression windows", _windows.Count);
    }

    /// <summary>Writes the rule's state (see <see cref="DetectionState"/>).</summary>
    public abstract void SaveState(Utf8JsonWriter writer);

    /// <summary>Reads what <see cref="SaveState"/> wrote.</summary>
    public abstract void LoadState(JsonElement state);
}

/// <summary>An alert whose suppression window is open: later candidates with its terms fold into it.</summary>
internal sealed class SuppressionWindow(DetectionAlert alert, long createdAt)
{
    public DetectionAlert Alert { get; } = alert;

    /// <summary>The execution that created the alert (Kibana's <c>kibana.alert.start</c>).</summary>
    public long CreatedAt { get; } = createdAt;

    /// <summary>The docs count the alert had when it was last written.</summary>
    public long WrittenDocsCount { get; set; }
}

/// <summary>One matching event as the engine hands it to a rule: its bytes, where it came from, its time on the rule's clock.</summary>
internal readonly ref struct EventContext
{
    private readonly DetectionEngine _engine;

    public EventContext(DetectionEngine engine, ReadOnlySpan<byte> json, EventSource source, long arrival, long time, bool timeless)
    {
        _engine = engine;
        Json = json;
        Source = source;
        Arrival = arrival;
        Time = time;
        Timeless = timeless;
    }

    public ReadOnlySpan<byte> Json { get; }

    public EventSource Source { get; }

    public long Arrival { get; }

    /// <summary>The event's time on the rule's clock; the stream's time when the event has none (see <see cref="Timeless"/>).</summary>
    public long Time { get; }

    /// <summary>The event has no time on the rule's clock.</summary>
    public bool Timeless { get; }

    /// <summary>One copy of the event's bytes, shared by every rule it matched.</summary>
    public ReadOnlyMemory<byte> Copy() => _engine.CopyOfCurrent(Json);

    /// <summary>The event parsed once for every rule that reads its fields.</summary>
    public JsonElement Root => _engine.RootOfCurrent(Json);
}

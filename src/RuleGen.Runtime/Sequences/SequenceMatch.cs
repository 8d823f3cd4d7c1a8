namespace RuleGen.Runtime;

/// <summary>Settings of a <see cref="SequenceEngine"/>.</summary>
public sealed class SequenceEngineOptions
{
    /// <summary>
    /// How far out of time order events may arrive: step matches are held back until the stream's time (the
    /// largest timestamp seen) has passed them by this much, then joined in time order. A step match that arrives
    /// later than that is dropped and counted in <see cref="SequenceStatistics.LateEvents"/>. Default: 1 minute.
    /// </summary>
    public TimeSpan ReorderWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most join state one rule may hold: partial sequences, sequences waiting for a missing-event window to
    /// close, sample groups, and step matches held back for reordering. When a rule is at the cap, its oldest state
    /// is dropped and counted in <see cref="SequenceStatistics.CapEvictions"/>. Default: 10,000.
    /// </summary>
    public int MaxStatePerRule { get; init; } = 10_000;
}

/// <summary>One event of a completed sequence or sample.</summary>
public sealed class SequenceEvent
{
    /// <summary>An event of a sequence (the engine makes these; a host restoring saved alerts may too).</summary>
    public SequenceEvent(byte[] json, EventSource source, long timeNanos, long arrival)
    {
        Json = json;
        Source = source;
        TimeNanos = timeNanos;
        Arrival = arrival;
    }

    /// <summary>The event's UTF-8 JSON, as read.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>Where the event was read.</summary>
    public EventSource Source { get; }

    /// <summary>The event's time (nanoseconds since the epoch), or <see cref="EventTime.Missing"/>.</summary>
    public long TimeNanos { get; }

    /// <summary>The event's position in the input (0 for the first event the engine saw).</summary>
    public long Arrival { get; }

    internal Tiebreaker Tiebreaker { get; init; }
}

/// <summary>A completed sequence (or sample): the rule and the events that make it up, in step order.</summary>
public sealed class SequenceMatch
{
    /// <summary>A completed sequence (the engine makes these; a host restoring saved alerts may too).</summary>
    public SequenceMatch(CompiledRule rule, IReadOnlyList<SequenceEvent> events, IReadOnlyList<int> steps, IReadOnlyList<string?> keys)
    {
        Rule = rule;
        Events = events;
        Steps = steps;
        Keys = keys;
    }

    public CompiledRule Rule { get; }

    /// <summary>The events, one per step position (a step with runs=n contributes n events).</summary>
    public IReadOnlyList<SequenceEvent> Events { get; }

    /// <summary>For each event, the index of the step it matched.</summary>
    public IReadOnlyList<int> Steps { get; }

    /// <summary>The join key values shared by the events (null for a missing optional key).</summary>
    public IReadOnlyList<string?> Keys { get; }
}

/// <summary>What a <see cref="SequenceEngine"/> saw and did.</summary>
public sealed class SequenceStatistics
{
    /// <summary>Events that matched some step of some sequence rule.</summary>
    public long StepMatches { get; internal set; }

    /// <summary>Completed sequences and samples reported.</summary>
    public long Completed { get; internal set; }

    /// <summary>Step matches dropped because they arrived after the reorder window had passed them.</summary>
    public long LateEvents { get; internal set; }

    /// <summary>Step matches of sequence rules dropped because the event has no readable timestamp.</summary>
    public long MissingTimestamps { get; internal set; }

    /// <summary>Step matches dropped because a join key field the step requires has no value.</summary>
    public long MissingKeys { get; internal set; }

    /// <summary>Partial sequences and sample groups that expired (maxspan, or the look-back window).</summary>
    public long Expired { get; internal set; }

    /// <summary>Sequences rejected by a missing-event step (the event that must not occur did).</summary>
    public long RejectedByMissingEvent { get; internal set; }

    /// <summary>Partial sequences cancelled by an until event.</summary>
    public long CancelledByUntil { get; internal set; }

    /// <summary>State dropped because a rule reached <see cref="SequenceEngineOptions.MaxStatePerRule"/>.</summary>
    public long CapEvictions { get; internal set; }

    /// <summary>Sequences whose missing-event window was still open at the end of the input (not reported).</summary>
    public long OpenWindowsAtEnd { get; internal set; }

    internal void Add(SequenceStatistics other)
    {
        StepMatches += other.StepMatches;
        Completed += other.Completed;
        LateEvents += other.LateEvents;
        MissingTimestamps += other.MissingTimestamps;
        MissingKeys += other.MissingKeys;
        Expired += other.Expired;
        RejectedByMissingEvent += other.RejectedByMissingEvent;
        CancelledByUntil += other.CancelledByUntil;
        CapEvictions += other.CapEvictions;
        OpenWindowsAtEnd += other.OpenWindowsAtEnd;
    }

    /// <summary>A copy of these counts as they are now.</summary>
    public SequenceStatistics Snapshot()
    {
        var copy = new SequenceStatistics();
        copy.Add(this);
        return copy;
    }

    /// <summary>What happened since <paramref name="earlier"/> (a <see cref="Snapshot"/> of the same counts).</summary>
    public SequenceStatistics Since(SequenceStatistics earlier) => new()
    {
        StepMatches = StepMatches - earlier.StepMatches,
        Completed = Completed - earlier.Completed,
        LateEvents = LateEvents - earlier.LateEvents,
        MissingTimestamps = MissingTimestamps - earlier.MissingTimestamps,
        MissingKeys = MissingKeys - earlier.MissingKeys,
        Expired = Expired - earlier.Expired,
        RejectedByMissingEvent = RejectedByMissingEvent - earlier.RejectedByMissingEvent,
        CancelledByUntil = CancelledByUntil - earlier.CancelledByUntil,
        CapEvictions = CapEvictions - earlier.CapEvictions,
        OpenWindowsAtEnd = OpenWindowsAtEnd - earlier.OpenWindowsAtEnd,
    };
}

/// <summary>Orders events with equal timestamps (the rule's tiebreaker field): numbers before text, missing last.</summary>
internal readonly struct Tiebreaker : IComparable<Tiebreaker>
{
    private readonly byte _kind; // 0 missing, 1 number, 2 text
    private readonly double _number;
    private readonly byte[]? _text;

    private Tiebreaker(byte kind, double number, byte[]? text)
    {
        _kind = kind;
        _number = number;
        _text = text;
    }

    public static Tiebreaker Missing => default;

    public static Tiebreaker Read(scoped in EventView ev, int slot)
    {
        if (slot < 0) return Missing;
        foreach (var value in ev.Values(slot))
        {
            if (value.Kind == System.Text.Json.JsonValueKind.Number && EventView.TryParseNumber(value.Utf8, out var n)) return new Tiebreaker(1, n, null);
            if (value.Kind == System.Text.Json.JsonValueKind.String)
                return EventView.TryParseNumber(value.Utf8, out var s) ? new Tiebreaker(1, s, null) : new Tiebreaker(2, 0, value.Utf8.ToArray());
            return Missing;
        }
        return Missing;
    }

    public int CompareTo(Tiebreaker other)
    {
        if (_kind != other._kind)
        {
            // Missing sorts last (Elasticsearch's default for ascending sorts); numbers before text.
            if (_kind == 0) return 1;
            if (other._kind == 0) return -1;
            return _kind.CompareTo(other._kind);
        }
        return _kind switch
        {
            1 => _number.CompareTo(other._number),
            2 => _text.AsSpan().SequenceCompareTo(other._text),
            _ => 0,
        };
    }
}

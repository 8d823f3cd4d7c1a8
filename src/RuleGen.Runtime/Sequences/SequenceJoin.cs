namespace RuleGen.Runtime;

/// <summary>
/// One sequence rule's state machine (see <see cref="SequenceEngine"/>): per join key, one pending sequence per
/// position, advanced by events given in time order.
/// </summary>
internal sealed class SequenceJoin : JoinState
{
    private const long None = long.MinValue;

    /// <summary>Step index of each positive (not missing) position; a step with runs=n fills n positions.</summary>
    private readonly int[] _positionStep;

    /// <summary>For a missing step between positive positions p and p+1: p (the slot it watches); -1 otherwise.</summary>
    private readonly int[] _middleSlot;
    private readonly bool[] _leading;
    private readonly bool[] _trailing;
    private readonly bool _hasLeading;
    private readonly bool _hasTrailing;
    private readonly long _window;
    private readonly long _maxSpan;

    private readonly Dictionary<SequenceKey, Partial?[]> _slots = new();
    private readonly Queue<Partial> _byStart = new();
    private int _live;

    private readonly Dictionary<SequenceKey, (long Latest, long Before)> _leadingTimes = new();
    private readonly Queue<(SequenceKey Key, long Time)> _leadingQueue = new();

    private readonly PriorityQueue<Waiting, long> _waiting = new();
    private readonly Dictionary<SequenceKey, List<Waiting>> _waitingByKey = new();

    public SequenceJoin(SequenceEngine engine, CompiledRule rule, SequenceDefinition definition) : base(engine, rule, definition)
    {
        var positions = new List<int>();
        var steps = definition.Steps;
        _middleSlot = new int[steps.Count];
        _leading = new bool[steps.Count];
        _trailing = new bool[steps.Count];
        var positivesBefore = new int[steps.Count];
        for (var s = 0; s < steps.Count; s++)
        {
            positivesBefore[s] = positions.Count;
            if (!steps[s].Missing)
            {
                for (var r = 0; r < steps[s].Runs; r++) positions.Add(s);
            }
        }
        _positionStep = positions.ToArray();
        for (var s = 0; s < steps.Count; s++)
        {
            _middleSlot[s] = -1;
            if (!steps[s].Missing) continue;
            if (positivesBefore[s] == 0) _leading[s] = _hasLeading = true;
            else if (positivesBefore[s] == _positionStep.Length) _trailing[s] = _hasTrailing = true;
            else _middleSlot[s] = positivesBefore[s] - 1;
        }
        _maxSpan = definition.MaxSpanNanos;
        _window = definition.EffectiveWindowNanos;
    }

    public override int StateCount => _live + _waiting.Count + _leadingTimes.Count + Buffered;

    private sealed class Partial
    {
        public Partial(SequenceKey key, SequenceEvent first, int step, long leadingLast)
        {
            Key = key;
            Start = first.TimeNanos;
            LastTime = first.TimeNanos;
            Events.Add(first);
            Steps.Add(step);
            LeadingLast = leadingLast;
        }

        public SequenceKey Key { get; }

        public long Start { get; }

        public long LastTime { get; set; }

        public List<SequenceEvent> Events { get; } = new();

        public List<int> Steps { get; } = new();

        /// <summary>The latest leading missing-event before the first event, or None.</summary>
        public long LeadingLast { get; }

        /// <summary>The time of a missing-step event seen after the last event (checked when the sequence advances).</summary>
        public long MissingAt { get; set; } = long.MaxValue;

        public bool Rejected { get; set; }

        /// <summary>The slot holding it, or -1.</summary>
        public int Slot { get; set; } = -1;

        public bool Queued { get; set; }
    }

    private sealed class Waiting
    {
        public Waiting(Partial sequence, long deadline)
        {
            Sequence = sequence;
            Deadline = deadline;
        }

        public Partial Sequence { get; }

        public long Deadline { get; }

        public bool Done { get; set; }
    }

    public override void Process(StepEntry entry, long now)
    {
        var record = entry.Record;
        var t = record.TimeNanos;
        var mask = entry.Steps;
        var steps = Definition.Steps;

        // Missing-event steps first: they judge the state that existed before this event.
        for (var s = 0; s < steps.Count; s++)
        {
            if (!steps[s].Missing || (mask & (1UL << s)) == 0) continue;
            var key = entry.Keys[s]!;
            if (_leading[s])
            {
                RecordLeading(key, t);
            }
            else if (_trailing[s])
            {
                if (_waitingByKey.TryGetValue(key, out var waiting))
                {
                    foreach (var w in waiting)
                    {
                        if (!w.Done && t > w.Sequence.LastTime && t <= w.Deadline)
                        {
                            w.Done = true;
                            Statistics.RejectedByMissingEvent++;
                        }
                    }
                }
            }
            else if (_slots.TryGetValue(key, out var slots) && slots[_middleSlot[s]] is { } watched && t > watched.LastTime)
            {
                watched.MissingAt = Math.Min(watched.MissingAt, t);
            }
        }

        // Positive positions, last to first, so one event advances a sequence by one position at most.
        var last = _positionStep.Length - 1;
        for (var p = last; p >= 0; p--)
        {
            var s = _positionStep[p];
            if ((mask & (1UL << s)) == 0) continue;
            var key = entry.Keys[s]!;
            if (p == 0)
            {
                var started = new Partial(key, record, s, LeadingBefore(key, t));
                if (last == 0) Complete(started);
                else Place(started, 0);
                continue;
            }
            if (!_slots.TryGetValue(key, out var slots) || slots[p - 1] is not { } pending) continue;
            Take(pending);
            if (t - pending.Start > _window)
            {
                Statistics.Expired++;
                continue;
            }
            if (pending.MissingAt < t) pending.Rejected = true; // a missing-step event occurred between the two events
            pending.MissingAt = long.MaxValue;
            pending.Events.Add(record);
            pending.Steps.Add(s);
            pending.LastTime = t;
            if (p == last) Complete(pending);
            else Place(pending, p);
        }

        // The until event cancels every pending sequence of its key (even those this event just advanced).
        if ((mask & SequenceDefinition.UntilBit) != 0 && entry.Keys[steps.Count] is { } untilKey && _slots.TryGetValue(untilKey, out var cancelled))
        {
            foreach (var partial in cancelled)
            {
                if (partial is null) continue;
                Take(partial);
                Statistics.CancelledByUntil++;
            }
        }
        EnforceCap();
        ScheduleNext();
    }

    private void Place(Partial partial, int slot)
    {
        if (!_slots.TryGetValue(partial.Key, out var slots))
        {
            slots = new Partial?[_positionStep.Length - 1];
            _slots[partial.Key] = slots;
        }
        if (slots[slot] is { } older)
        {
            // One pending sequence per position: the newer one overwrites the older.
            older.Slot = -1;
            _live--;
        }
        slots[slot] = partial;
        partial.Slot = slot;
        _live++;
        if (!partial.Queued)
        {
            partial.Queued = true;
            _byStart.Enqueue(partial);
        }
    }

    private void Take(Partial partial)
    {
        if (partial.Slot < 0) return;
        var slots = _slots[partial.Key];
        slots[partial.Slot] = null;
        partial.Slot = -1;
        _live--;
        foreach (var other in slots)
        {
            if (other is not null) return;
        }
        _slots.Remove(partial.Key);
    }

    private void Complete(Partial sequence)
    {
        if (sequence.Rejected)
        {
            Statistics.RejectedByMissingEvent++;
            return;
        }
        var leading = sequence.LeadingLast;
        if (!_hasTrailing)
        {
            // Leading missing steps: no such event within maxspan before the last event.
            if (_hasLeading && leading != None && sequence.LastTime - leading <= _maxSpan)
            {
                Statistics.RejectedByMissingEvent++;
                return;
            }
            Report(sequence);
            return;
        }
        long deadline;
        if (_hasLeading)
        {
            // Leading and trailing: the gap between the nearest missing events on either side must exceed maxspan.
            if (leading == None || sequence.LastTime >= leading + _maxSpan)
            {
                Report(sequence);
                return;
            }
            deadline = leading + _maxSpan;
        }
        else
        {
            // Trailing: no such event within maxspan of the first event.
            deadline = sequence.Start + _maxSpan;
        }
        var waiting = new Waiting(sequence, deadline);
        _waiting.Enqueue(waiting, deadline);
        if (!_waitingByKey.TryGetValue(sequence.Key, out var list)) _waitingByKey[sequence.Key] = list = new List<Waiting>();
        list.Add(waiting);
    }

    private void Report(Partial sequence) => Engine.Report(this, sequence.Events, sequence.Steps, sequence.Key);

    private void RecordLeading(SequenceKey key, long t)
    {
        var (latest, before) = _leadingTimes.TryGetValue(key, out var times) ? times : (None, None);
        if (t > latest)
        {
            before = latest;
            latest = t;
        }
        else if (t < latest && t > before)
        {
            before = t;
        }
        _leadingTimes[key] = (latest, before);
        _leadingQueue.Enqueue((key, t));
    }

    /// <summary>The latest leading missing-step event strictly before <paramref name="t"/>, or None.</summary>
    private long LeadingBefore(SequenceKey key, long t)
    {
        if (!_hasLeading || !_leadingTimes.TryGetValue(key, out var times)) return None;
        if (times.Latest < t) return times.Latest;
        return times.Before < t ? times.Before : None;
    }

    public override void Advance(long horizon, bool final)
    {
        // Pending sequences that can no longer be extended (every later event is beyond their window).
        while (_byStart.TryPeek(out var oldest))
        {
            if (oldest.Slot < 0)
            {
                _byStart.Dequeue();
                continue;
            }
            if (oldest.Start + _window >= horizon) break;
            _byStart.Dequeue();
            Take(oldest);
            Statistics.Expired++;
        }
        // Missing-event windows that the stream has passed: the sequences whose window stayed empty are reported.
        while (_waiting.TryPeek(out var waiting, out var deadline) && deadline < horizon)
        {
            _waiting.Dequeue();
            RemoveWaiting(waiting);
            if (!waiting.Done) Report(waiting.Sequence);
        }
        if (final)
        {
            while (_waiting.TryDequeue(out var open, out _))
            {
                if (!open.Done) Statistics.OpenWindowsAtEnd++;
            }
            _waitingByKey.Clear();
        }
        // Leading missing-step events older than maxspan no longer matter.
        while (_leadingQueue.TryPeek(out var item) && item.Time + _maxSpan < horizon)
        {
            _leadingQueue.Dequeue();
            if (_leadingTimes.TryGetValue(item.Key, out var times) && times.Latest <= item.Time) _leadingTimes.Remove(item.Key);
        }
        if (_byStart.Count > 2 * Cap + 16) Compact();
        ScheduleNext();
    }

    private void RemoveWaiting(Waiting waiting)
    {
        if (!_waitingByKey.TryGetValue(waiting.Sequence.Key, out var list)) return;
        list.Remove(waiting);
        if (list.Count == 0) _waitingByKey.Remove(waiting.Sequence.Key);
    }

    private void EnforceCap()
    {
        while (StateCount > Cap)
        {
            if (_live > 0 && _byStart.TryDequeue(out var oldest))
            {
                if (oldest.Slot < 0) continue;
                Take(oldest);
                Evicted();
            }
            else if (_waiting.TryDequeue(out var waiting, out _))
            {
                RemoveWaiting(waiting);
                Evicted();
            }
            else if (_leadingQueue.TryDequeue(out var item))
            {
                if (_leadingTimes.Remove(item.Key)) Evicted();
            }
            else
            {
                break;
            }
        }
        if (_byStart.Count > 2 * Cap + 16) Compact();
    }

    /// <summary>Drops queue entries of sequences that are gone (so the queue stays proportional to live state).</summary>
    private void Compact()
    {
        var live = _byStart.Where(p => p.Slot >= 0).ToList();
        _byStart.Clear();
        foreach (var p in live) _byStart.Enqueue(p);
    }

    private void ScheduleNext()
    {
        var next = long.MaxValue;
        while (_byStart.TryPeek(out var gone) && gone.Slot < 0) _byStart.Dequeue();
        if (_byStart.TryPeek(out var oldest)) next = oldest.Start + _window;
        if (_waiting.TryPeek(out _, out var deadline)) next = Math.Min(next, deadline);
        if (_leadingQueue.TryPeek(out var item)) next = Math.Min(next, item.Time + _maxSpan);
        if (next != long.MaxValue) Engine.Schedule(this, next);
    }
}

/// <summary>
/// One sample rule's state: per join key, up to n candidate events per step (n = the number of steps); once every
/// step has a candidate and distinct events can fill the steps, the sample is reported and the key is done for the
/// rest of its look-back window.
/// </summary>
internal sealed class SampleJoin : JoinState
{
    private readonly Dictionary<SequenceKey, Group> _groups = new();
    private readonly Queue<Group> _byCreation = new();

    public SampleJoin(SequenceEngine engine, CompiledRule rule, SequenceDefinition definition) : base(engine, rule, definition)
    {
    }

    public override int StateCount => _groups.Count;

    private sealed class Group
    {
        public Group(SequenceKey key, long created, int steps)
        {
            Key = key;
            Created = created;
            Candidates = new List<SequenceEvent>[steps];
            for (var i = 0; i < steps; i++) Candidates[i] = new List<SequenceEvent>();
        }

        public SequenceKey Key { get; }

        public long Created { get; }

        public List<SequenceEvent>[] Candidates { get; }

        public bool Done { get; set; }

        public bool Removed { get; set; }
    }

    public override void Process(StepEntry entry, long now)
    {
        var steps = Definition.Steps.Count;
        for (var s = 0; s < steps; s++)
        {
            if ((entry.Steps & (1UL << s)) == 0) continue;
            var key = entry.Keys[s]!;
            if (!_groups.TryGetValue(key, out var group))
            {
                group = new Group(key, now, steps);
                _groups[key] = group;
                _byCreation.Enqueue(group);
            }
            if (group.Done) continue;
            var candidates = group.Candidates[s];
            if (candidates.Count < steps && !candidates.Contains(entry.Record)) candidates.Add(entry.Record);
            if (group.Candidates.Any(c => c.Count == 0)) continue;
            var chosen = new List<SequenceEvent>(steps);
            if (!Assign(group.Candidates, 0, chosen)) continue;
            group.Done = true;
            foreach (var c in group.Candidates) c.Clear();
            Engine.Report(this, chosen, Enumerable.Range(0, steps).ToList(), key);
        }
        while (_groups.Count > Cap && _byCreation.TryDequeue(out var oldest))
        {
            if (oldest.Removed) continue;
            oldest.Removed = true;
            _groups.Remove(oldest.Key);
            Evicted();
        }
        if (_byCreation.TryPeek(out var head)) Engine.Schedule(this, head.Created + Definition.EffectiveWindowNanos);
    }

    /// <summary>Picks a distinct event for each step, in step order, backtracking (Elasticsearch's sample matching).</summary>
    private static bool Assign(List<SequenceEvent>[] candidates, int step, List<SequenceEvent> chosen)
    {
        if (step == candidates.Length) return true;
        foreach (var candidate in candidates[step])
        {
            if (chosen.Contains(candidate)) continue;
            chosen.Add(candidate);
            if (Assign(candidates, step + 1, chosen)) return true;
            chosen.RemoveAt(chosen.Count - 1);
        }
        return false;
    }

    public override void Advance(long horizon, bool final)
    {
        while (_byCreation.TryPeek(out var oldest) && (oldest.Removed || oldest.Created + Definition.EffectiveWindowNanos < horizon))
        {
            _byCreation.Dequeue();
            if (oldest.Removed) continue;
            oldest.Removed = true;
            _groups.Remove(oldest.Key);
            if (!oldest.Done) Statistics.Expired++;
        }
        if (_byCreation.TryPeek(out var head)) Engine.Schedule(this, head.Created + Definition.EffectiveWindowNanos);
    }
}

namespace RuleGen.Host.Detection;

/// <summary>Something a rule holds until an execution decides it: a matching event, a completed sequence, a correlation.</summary>
internal abstract class PendingItem
{
    /// <summary>The item's time on its rule's clock (nanoseconds), or <see cref="RuleGen.Runtime.EventTime.Missing"/> until stamped.</summary>
    public long Time;

    /// <summary>The position of the event that brought it (input order), the tiebreaker after time.</summary>
    public long Arrival;

    /// <summary>Some execution's window held it and the item was not consumed (over max_signals, or not yet decided).</summary>
    public bool Considered;

    /// <summary>Alerted on or folded into a suppressed alert: no later execution considers it.</summary>
    public bool Consumed;
}

/// <summary>
/// A rule's pending items in execution order (time, then input order). Items mostly arrive in order and leave from
/// the front, so both are cheap; a late item is inserted in place.
/// </summary>
internal sealed class PendingList<T> where T : PendingItem
{
    private readonly List<T> _items = new();
    private int _head;

    public int Count => _items.Count - _head;

    public T this[int index] => _items[_head + index];

    public bool IsEmpty => Count == 0;

    /// <summary>The earliest item's time (the list must not be empty).</summary>
    public long EarliestTime => _items[_head].Time;

    public IEnumerable<T> Items => _items.Skip(_head);

    public void Add(T item)
    {
        var i = _items.Count;
        while (i > _head && Compare(_items[i - 1], item) > 0) i--;
        _items.Insert(i, item);
    }

    /// <summary>
    /// What an execution at <paramref name="time"/> sees: each item up to that time that no execution consumed yet, in
    /// order, is offered; the candidates <paramref name="offer"/> makes of them (null: not this time) are added to
    /// <paramref name="candidates"/> and their items marked considered.
    /// </summary>
    public void Offer(long time, List<Candidate> candidates, Func<T, Candidate?> offer)
    {
        for (var i = _head; i < _items.Count; i++)
        {
            var item = _items[i];
            if (item.Time > time) break;
            if (item.Consumed || offer(item) is not { } candidate) continue;
            item.Considered = true;
            candidates.Add(candidate);
        }
    }

    /// <summary>Removes the items before <paramref name="time"/>, calling <paramref name="removed"/> for each.</summary>
    public void RemoveBefore(long time, Action<T> removed)
    {
        while (_head < _items.Count && _items[_head].Time < time)
        {
            removed(_items[_head]);
            _head++;
        }
        Compact();
    }

    /// <summary>Removes the items <paramref name="drop"/> selects (consumed ones, decided ones).</summary>
    public void RemoveWhere(Func<T, bool> drop)
    {
        var write = _head;
        for (var read = _head; read < _items.Count; read++)
        {
            if (!drop(_items[read])) _items[write++] = _items[read];
        }
        _items.RemoveRange(write, _items.Count - write);
        Compact();
    }

    /// <summary>Restores the order after items' times changed (items stamped with the stream's first time).</summary>
    public void Reorder()
    {
        var live = _items.Skip(_head).OrderBy(i => i.Time).ThenBy(i => i.Arrival).ToList();
        _items.Clear();
        _items.AddRange(live);
        _head = 0;
    }

    private void Compact()
    {
        if (_head > 64 && _head * 2 > _items.Count)
        {
            _items.RemoveRange(0, _head);
            _head = 0;
        }
        else if (_head == _items.Count)
        {
            _items.Clear();
            _head = 0;
        }
    }

    private static int Compare(T a, T b)
    {
        var c = a.Time.CompareTo(b.Time);
        return c != 0 ? c : a.Arrival.CompareTo(b.Arrival);
    }
}

using System.Runtime.CompilerServices;
using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// The values extracted from one event, per slot, as offsets into the event's bytes (or into a scratch buffer for
/// strings that had JSON escapes). Reused from event to event: after warm-up, scanning allocates nothing.
/// </summary>
/// <remarks>Not thread-safe; <see cref="ForCurrentThread"/> gives each thread its own.</remarks>
public sealed class EventFields
{
    internal struct Entry
    {
        public int Start;
        public int Length;
        public int Next;
        /// <summary>The slot the value was recorded under (a value read by several slots has one entry per slot, in a row).</summary>
        public int Slot;
        public JsonValueKind Kind;
        public bool InScratch;
    }

    [ThreadStatic] private static EventFields?[]? t_pool;
    [ThreadStatic] private static int t_depth;

    internal Entry[] Entries = new Entry[64];
    internal int Count;
    internal int[] First = Array.Empty<int>();
    internal int[] Last = Array.Empty<int>();
    private int[] _touched = Array.Empty<int>();
    private int _touchedCount;
    internal byte[] Scratch = new byte[256];
    internal int ScratchLength;
    internal byte[] PathBuffer = new byte[256];

    /// <summary>An object or array the scanner is inside of.</summary>
    internal struct Frame
    {
        /// <summary>The schema node its keys are looked up under (-1: none; unused for arrays).</summary>
        public int KeyNode;
        /// <summary>The schema node of the object or array itself as a value (-1: no field reads it).</summary>
        public int ValueNode;
        /// <summary>Bytes of its dotted path in <see cref="PathBuffer"/> (only kept when the schema has patterns).</summary>
        public int Path;
        /// <summary>Offset of its first byte in the event.</summary>
        public int Start;
        public bool IsArray;
        public bool HasElements;
    }

    /// <summary>The scanner's stack of open objects and arrays: the event's own object and up to the reader's depth limit.</summary>
    internal readonly Frame[] Frames = new Frame[EventScanner.MaxDepth + 2];

    public EventFields(int slotCount = 0) => EnsureSlots(slotCount);

    /// <summary>
    /// This thread's instance for the current nesting depth (a nested query evaluates inside an outer one, so it
    /// gets its own). Pair with <see cref="Release"/>.
    /// </summary>
    public static EventFields ForCurrentThread(int slotCount)
    {
        var pool = t_pool ??= new EventFields?[4];
        var depth = t_depth;
        if (depth >= pool.Length) Array.Resize(ref t_pool, depth * 2);
        pool = t_pool!;
        var fields = pool[depth] ??= new EventFields(slotCount);
        fields.EnsureSlots(slotCount);
        t_depth = depth + 1;
        return fields;
    }

    /// <summary>Returns the instance taken by <see cref="ForCurrentThread"/>.</summary>
    public static void Release() => t_depth--;

    internal void EnsureSlots(int slotCount)
    {
        if (First.Length >= slotCount) return;
        var size = Math.Max(slotCount, 8);
        var oldLength = First.Length;
        Array.Resize(ref First, size);
        Array.Resize(ref Last, size);
        Array.Resize(ref _touched, size);
        First.AsSpan(oldLength).Fill(-1);
    }

    /// <summary>Forgets the previous event's values (touching only the slots it filled).</summary>
    internal void Reset()
    {
        var first = First;
        var touched = _touched;
        for (var i = 0; i < _touchedCount; i++) first[touched[i]] = -1;
        _touchedCount = 0;
        Count = 0;
        ScratchLength = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Add(int slot, JsonValueKind kind, int start, int length, bool inScratch)
    {
        if (Count == Entries.Length) Array.Resize(ref Entries, Entries.Length * 2);
        ref var entry = ref Entries[Count];
        entry.Start = start;
        entry.Length = length;
        entry.Slot = slot;
        entry.Kind = kind;
        entry.InScratch = inScratch;
        entry.Next = -1;
        var last = First[slot] < 0 ? -1 : Last[slot];
        if (last < 0)
        {
            First[slot] = Count;
            _touched[_touchedCount++] = slot;
        }
        else
        {
            Entries[last].Next = Count;
        }
        Last[slot] = Count;
        Count++;
    }

    /// <summary>Reserves <paramref name="length"/> bytes of scratch space for a decoded string.</summary>
    internal Span<byte> ReserveScratch(int length, out int start)
    {
        if (ScratchLength + length > Scratch.Length)
        {
            Array.Resize(ref Scratch, Math.Max(Scratch.Length * 2, ScratchLength + length));
        }
        start = ScratchLength;
        ScratchLength += length;
        return Scratch.AsSpan(start, length);
    }

    internal void ShrinkScratch(int unused) => ScratchLength -= unused;

    /// <summary>
    /// Room for one escaped property name, decoded. Reused: a name is only needed until the scanner has looked it
    /// up, before it reads the value.
    /// </summary>
    internal Span<byte> LongKeyBuffer(int length)
    {
        if (_longKey.Length < length) _longKey = new byte[Math.Max(length, _longKey.Length * 2)];
        return _longKey;
    }

    private byte[] _longKey = Array.Empty<byte>();

    // The candidate index's per-thread state: which witness literals this event has shown already, and room to fold
    // values into. Rule sets share it: the epoch moves on for every event, so marks of another set are stale.
    internal int[] AtomSeen = Array.Empty<int>();
    private int _atomEpoch;
    private byte[] _fold = new byte[256];

    /// <summary>A fresh epoch for <see cref="AtomSeen"/>, which holds at least <paramref name="atoms"/> entries.</summary>
    internal int NextAtomEpoch(int atoms)
    {
        if (AtomSeen.Length < atoms) AtomSeen = new int[Math.Max(atoms, AtomSeen.Length * 2)];
        if (++_atomEpoch == int.MaxValue)
        {
            Array.Clear(AtomSeen);
            _atomEpoch = 1;
        }
        return _atomEpoch;
    }

    private ulong[] _ruleWords = Array.Empty<ulong>();

    /// <summary>Room for per-rule bit sets of the candidate index (<paramref name="words"/> words), valid until the next call.</summary>
    internal Span<ulong> RuleWords(int words)
    {
        if (_ruleWords.Length < words) _ruleWords = new ulong[words];
        return _ruleWords.AsSpan(0, words);
    }

    /// <summary>Room for one folded value, valid until the next call.</summary>
    internal Span<byte> FoldBuffer(int length)
    {
        if (_fold.Length < length) _fold = new byte[Math.Max(length, _fold.Length * 2)];
        return _fold.AsSpan(0, length);
    }
}

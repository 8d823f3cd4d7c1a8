using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// The candidate index of a rule set: for each rule, a witness, a set of literals (a field and a value it must equal,
/// start with, end with or contain, or just the field's presence) at least one of which every event the rule matches
/// holds. Per event, one pass over the values of the indexed fields finds the witnesses present: exact values, and
/// prefixes and suffixes shorter than a gram, by hash; longer prefixes, suffixes and substrings with a multi-pattern
/// search (each literal is found through one of its 4-byte grams, picked as rare as possible among all literals,
/// then verified in place); a single byte (what a substring shorter than a gram needs: its rarest byte, such as the
/// lead byte of a non-ASCII character) with one vectorized search per value; presence by a look at the field. The
/// rules whose witness is present, and the rules that have none, are the candidates; only they are evaluated. A
/// candidate need not match; a non-candidate cannot. A rule can need several witnesses at once (up to <see cref="MaxGroups"/>, all of which the event must hold): those
/// of two operands of an AND, and for a full match its logsource's (one of the gate's literals, such as
/// <c>Channel</c> is <c>Security</c>), so that a rule of another logsource is not evaluated however common its
/// detection's literals are on this event.
/// </summary>
/// <remarks>
/// Comparisons fold ASCII case on both sides, whatever the rule's case mode: a witness only has to be necessary, and
/// folding makes it weaker, never wrong. The witnesses come from the generator as UTF-8 data, rule after rule in
/// chunks (see <see cref="ParseAtoms"/>); the tables are built once, when the rule set is first used.
/// </remarks>
public sealed class CandidateIndex
{
    /// <summary>Gram length of the substring search; the generator indexes no shorter prefix, suffix or substring.</summary>
    public const int GramLength = 4;

    private enum Kind : byte { Equals, StartsWith, EndsWith, Contains, Present, ContainsByte }

    /// <summary>Witnesses a rule can need at once, per scope.</summary>
    public const int MaxGroups = 4;

    // What an atom is to a rule, in an entry of _atomRules: the rule index, then which witness (group) of the rule it
    // belongs to, then the scopes it is that for (a full match, the detection alone).
    private const int ScopeFull = 1;
    private const int ScopeDetection = 2;
    private const int GroupShift = 2;
    private const int EntryShift = 4;

    private readonly int _words;
    // Per scope (full, detection) and group: the rules that pass it on every event (no witness at all in group 0;
    // fewer groups than this one's index in the others). Per scope, how many groups some rule needs.
    private readonly ulong[][] _start;
    private readonly int[] _groups;

    // Atoms: distinct (slot, kind, literal); the rules (rule << EntryShift | what the atom is to it) of each.
    private readonly int[] _atomSlot;
    private readonly Kind[] _atomKind;
    private readonly byte[][] _atomLiteral;
    private readonly int[][] _atomRules;
    // Per scope, for atoms with many rules (a category every process event has): their rules as the bits to set in
    // each group, so that marking them is a few hundred ORs, not a walk of a thousand entries.
    private readonly ulong[]?[][] _atomDense;

    // What each slot's values are searched for.
    private readonly SlotFlags[] _slotFlags;
    private readonly int[] _slotPrefixLengths; // bit L set: a prefix of L (< GramLength) bytes is looked up
    private readonly int[] _slotSuffixLengths;
    private readonly (int Slot, int Atom)[] _presentAtoms;
    // Single bytes: per slot, every byte some atom needs (one search per value) and the atom of each.
    private readonly SearchValues<byte>?[] _slotBytes;
    private readonly (byte Byte, int Atom)[][] _slotByteAtoms;

    // Exact values, short prefixes and suffixes: open addressing on (slot, kind, folded text) -> chain of atoms.
    private readonly int[] _equalsHeads;
    private readonly int[] _equalsNext;
    private readonly ulong[] _equalsHash;
    private readonly int _equalsMask;

    // Grams: a bitmap filter on the gram alone (one test per position serves every slot of the value), a second on
    // (slot, gram) (most grams that pass the first belong to another slot's literals), then open addressing on
    // (slot, gram) -> chain of (atom, offset of the gram in it).
    private readonly ulong[] _gramFilter;
    private readonly ulong[] _slotGramFilter;
    private readonly ulong[] _gramKeys;
    private readonly int[] _gramHeads;
    private readonly int _gramMask;
    private readonly int[] _gramEntryAtom;
    private readonly int[] _gramEntryOffset;
    private readonly int[] _gramEntryNext;

    /// <summary>The generated data of one chunk of <c>rulesPerChunk</c> rules' witnesses (see <see cref="ParseAtoms"/>).</summary>
    public delegate ReadOnlySpan<byte> WitnessChunk(int chunk);

    /// <param name="ruleCount">Rules in the set.</param>
    /// <param name="fullWitnesses">Per rule, its witness for a full match (the text of <see cref="ParseAtoms"/>); null: none (always evaluated).</param>
    /// <param name="detectionWitnesses">Per rule, its witness for the detection alone.</param>
    public CandidateIndex(int ruleCount, string?[] fullWitnesses, string?[] detectionWitnesses)
        : this(ruleCount, ruleCount, Encode(fullWitnesses, ruleCount), Encode(detectionWitnesses, ruleCount))
    {
    }

    /// <param name="ruleCount">Rules in the set.</param>
    /// <param name="rulesPerChunk">Rules per chunk of the witness data.</param>
    /// <param name="fullWitnesses">Chunk by chunk, each rule's witness for a full match: <c>-</c> for none (the rule is
    /// always evaluated), else <c>LENGTH ':' TEXT</c> (LENGTH the text's UTF-8 bytes, TEXT as <see cref="ParseAtoms"/> reads it).</param>
    /// <param name="detectionWitnesses">The same for the detection alone.</param>
    public CandidateIndex(int ruleCount, int rulesPerChunk, WitnessChunk fullWitnesses, WitnessChunk detectionWitnesses)
        : this(ruleCount, new WitnessReader(rulesPerChunk, fullWitnesses), new WitnessReader(rulesPerChunk, detectionWitnesses))
    {
    }

    // Built once per rule set, before its first event: compiled optimised from the start, since tier-0 code (and
    // tier-0 dictionaries) made building the SigmaHQ corpus's index most of a consumer's cold start.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private CandidateIndex(int ruleCount, WitnessReader fullWitnesses, WitnessReader detectionWitnesses)
    {
        RuleCount = ruleCount;
        _words = (ruleCount + 63) / 64;
        _start = new ulong[2][];
        _groups = [1, 1];
        for (var s = 0; s < 2; s++) _start[s] = new ulong[MaxGroups * _words];
        var several = new int[2];

        var atoms = new Dictionary<(int Slot, Kind Kind, string Literal), int>();
        var atomList = new List<(int Slot, Kind Kind, byte[] Literal)>();
        var parsed = new List<(int Slot, Kind Kind, byte[] Literal)>();
        var groups = new List<int>(); // where each group's atoms start in parsed
        var atomRules = new List<List<int>>();
        var always = new List<int>[] { new(), new() };
        var never = new List<int>();
        var ruleScopes = new Dictionary<(int Atom, int Rule, int Group), int>();
        for (var rule = 0; rule < ruleCount; rule++)
        {
            var neverCount = 0;
            for (var s = 0; s < 2; s++)
            {
                var scope = s == 0 ? ScopeFull : ScopeDetection;
                var witness = s == 0 ? fullWitnesses.Next(rule) : detectionWitnesses.Next(rule);
                var start = _start[s];
                if (witness.IsNone)
                {
                    for (var g = 0; g < MaxGroups; g++) start[g * _words + (rule >> 6)] |= 1UL << rule;
                    always[s].Add(rule);
                    continue;
                }
                if (witness.Text.IsEmpty) neverCount++;
                ParseAtoms(witness.Text, parsed, groups);
                if (groups.Count > 1) several[s]++;
                _groups[s] = Math.Max(_groups[s], groups.Count);
                for (var g = groups.Count; g < MaxGroups; g++) start[g * _words + (rule >> 6)] |= 1UL << rule;
                for (var g = 0; g < groups.Count; g++)
                {
                    var end = g + 1 < groups.Count ? groups[g + 1] : parsed.Count;
                    for (var a = groups[g]; a < end; a++)
                    {
                        var (slot, kind, literal) = parsed[a];
                        var key = (slot, kind, Encoding.Latin1.GetString(literal));
                        if (!atoms.TryGetValue(key, out var atom))
                        {
                            atom = atomList.Count;
                            atoms[key] = atom;
                            atomList.Add((slot, kind, AsciiText.ToLower(literal)));
                            atomRules.Add(new List<int>());
                        }
                        ruleScopes.TryGetValue((atom, rule, g), out var scopes);
                        ruleScopes[(atom, rule, g)] = scopes | scope;
                    }
                }
            }
            if (neverCount == 2) never.Add(rule);
        }
        foreach (var ((atom, rule, group), scopes) in ruleScopes.OrderBy(p => p.Key.Rule)) atomRules[atom].Add(rule << EntryShift | group << GroupShift | scopes);

        var count = atomList.Count;
        _atomSlot = new int[count];
        _atomKind = new Kind[count];
        _atomLiteral = new byte[count][];
        _atomRules = new int[count][];
        _atomDense = [new ulong[]?[count], new ulong[]?[count]];
        var maxSlot = -1;
        for (var i = 0; i < count; i++)
        {
            (_atomSlot[i], _atomKind[i], _atomLiteral[i]) = atomList[i];
            _atomRules[i] = atomRules[i].ToArray();
            if (_atomRules[i].Length > DenseRules)
            {
                for (var s = 0; s < 2; s++)
                {
                    var dense = new ulong[_groups[s] * _words];
                    foreach (var entry in _atomRules[i])
                    {
                        if ((entry & (1 << s)) != 0) dense[HitWord(entry)] |= 1UL << (entry >> EntryShift);
                    }
                    _atomDense[s][i] = dense;
                }
            }
            maxSlot = Math.Max(maxSlot, _atomSlot[i]);
        }
        var slotHasEquals = new bool[maxSlot + 1];
        var slotHasGrams = new bool[maxSlot + 1];
        _slotPrefixLengths = new int[maxSlot + 1];
        _slotSuffixLengths = new int[maxSlot + 1];
        var gramCounts = new GramCounts(count * 8);
        var present = new List<(int, int)>();
        var byteAtoms = new List<(byte, int)>[maxSlot + 1];
        for (var i = 0; i < count; i++)
        {
            var slot = _atomSlot[i];
            switch (_atomKind[i])
            {
                case Kind.Present:
                    present.Add((slot, i));
                    continue;
                case Kind.Equals:
                    slotHasEquals[slot] = true;
                    continue;
                case Kind.ContainsByte:
                    (byteAtoms[slot] ??= new()).Add((_atomLiteral[i][0], i));
                    continue;
                case Kind.StartsWith when _atomLiteral[i].Length < GramLength:
                    _slotPrefixLengths[slot] |= 1 << _atomLiteral[i].Length;
                    continue;
                case Kind.EndsWith when _atomLiteral[i].Length < GramLength:
                    _slotSuffixLengths[slot] |= 1 << _atomLiteral[i].Length;
                    continue;
            }
            if (_atomLiteral[i].Length < GramLength) throw new ArgumentException($"A substring witness shorter than {GramLength} bytes cannot be indexed.");
            slotHasGrams[slot] = true;
            // Each literal counts a gram once however often it holds it.
            var literal = _atomLiteral[i];
            for (var offset = 0; offset + GramLength <= literal.Length; offset++) gramCounts.Count(GramKey(slot, Gram(literal, offset)), literal: i);
        }
        _presentAtoms = present.ToArray();
        _slotBytes = new SearchValues<byte>?[maxSlot + 1];
        _slotByteAtoms = new (byte, int)[maxSlot + 1][];
        _slotFlags = new SlotFlags[maxSlot + 1];
        for (var s = 0; s <= maxSlot; s++)
        {
            _slotByteAtoms[s] = byteAtoms[s]?.ToArray() ?? [];
            if (byteAtoms[s] is { } needed)
            {
                _slotBytes[s] = SearchValues.Create(needed.Select(b => b.Item1).Distinct().ToArray());
                _slotFlags[s] |= SlotFlags.Bytes;
            }
            if (slotHasEquals[s]) _slotFlags[s] |= SlotFlags.Equals | SlotFlags.Hashed;
            if (_slotPrefixLengths[s] != 0 || _slotSuffixLengths[s] != 0) _slotFlags[s] |= SlotFlags.Hashed;
            if (slotHasGrams[s]) _slotFlags[s] |= SlotFlags.Grams;
        }

        // Exact values, short prefixes and suffixes.
        var equalsAtoms = Enumerable.Range(0, count).Where(i => IsHashed(i)).ToList();
        var equalsSize = TableSize(equalsAtoms.Count);
        _equalsMask = equalsSize - 1;
        _equalsHeads = new int[equalsSize];
        Array.Fill(_equalsHeads, -1);
        _equalsNext = new int[count];
        _equalsHash = new ulong[count];
        foreach (var atom in equalsAtoms)
        {
            var hash = Hash(_atomSlot[atom], _atomKind[atom], _atomLiteral[atom]);
            _equalsHash[atom] = hash;
            var bucket = (int)(hash >> 32) & _equalsMask;
            _equalsNext[atom] = _equalsHeads[bucket];
            _equalsHeads[bucket] = atom;
        }

        // Grams: each literal through its rarest gram.
        var chosen = new List<(ulong Key, int Atom, int Offset)>();
        for (var i = 0; i < count; i++)
        {
            if (_atomKind[i] is Kind.Present or Kind.ContainsByte || IsHashed(i)) continue;
            var literal = _atomLiteral[i];
            var best = 0;
            var bestCount = int.MaxValue;
            for (var offset = 0; offset + GramLength <= literal.Length; offset++)
            {
                var c = gramCounts.Of(GramKey(_atomSlot[i], Gram(literal, offset)));
                // Prefixes and suffixes are checked at their place: their first/last gram is as good as any.
                if (c < bestCount)
                {
                    best = offset;
                    bestCount = c;
                }
            }
            chosen.Add((GramKey(_atomSlot[i], Gram(literal, best)), i, best));
        }
        var distinctKeys = chosen.Select(c => c.Key).Distinct().ToList();
        var gramSize = TableSize(distinctKeys.Count);
        _gramMask = gramSize - 1;
        _gramKeys = new ulong[gramSize];
        _gramHeads = new int[gramSize];
        Array.Fill(_gramHeads, -1);
        _gramFilter = new ulong[FilterBits / 64];
        _slotGramFilter = new ulong[FilterBits / 64];
        _gramEntryAtom = new int[chosen.Count];
        _gramEntryOffset = new int[chosen.Count];
        _gramEntryNext = new int[chosen.Count];
        for (var e = 0; e < chosen.Count; e++)
        {
            var (key, atom, offset) = chosen[e];
            var filterBit = FilterBit((uint)key);
            _gramFilter[filterBit >> 6] |= 1UL << filterBit;
            var mixed = GramHash(key);
            var slotBit = (int)(mixed >> (64 - FilterShift));
            _slotGramFilter[slotBit >> 6] |= 1UL << slotBit;
            var bucket = (int)(mixed >> 16) & _gramMask;
            while (_gramHeads[bucket] >= 0 && _gramKeys[bucket] != key) bucket = (bucket + 1) & _gramMask;
            _gramKeys[bucket] = key;
            _gramEntryAtom[e] = atom;
            _gramEntryOffset[e] = offset;
            _gramEntryNext[e] = _gramHeads[bucket];
            _gramHeads[bucket] = e;
        }

        Info = new CandidateIndexInfo(ruleCount, always[0], always[1], count, never) { SeveralWitnesses = several[0], SeveralWitnessesDetectionOnly = several[1] };
    }

    /// <summary>Exact values and prefixes or suffixes shorter than a gram are found by hash.</summary>
    private bool IsHashed(int atom) => _atomKind[atom] switch
    {
        Kind.Equals => true,
        Kind.StartsWith or Kind.EndsWith => _atomLiteral[atom].Length < GramLength,
        _ => false,
    };

    /// <summary>Each gram filter: 2^18 bits (32 KB, so they stay close in cache during the scan).</summary>
    private const int FilterShift = 18;
    private const int FilterBits = 1 << FilterShift;

    /// <summary>Rules in the set.</summary>
    public int RuleCount { get; }

    /// <summary>ulong words of a candidate set.</summary>
    public int Words => _words;

    public CandidateIndexInfo Info { get; }

    /// <summary>
    /// Writes into <paramref name="candidates"/> (<see cref="Words"/> words, one bit per rule) the rules to evaluate
    /// on the event <paramref name="ev"/> (scanned with the rule set's shared slots, no slot map).
    /// </summary>
    public void Collect(scoped in EventView ev, MatchScope scope, Span<ulong> candidates)
    {
        var detection = scope == MatchScope.DetectionOnly;
        var fields = ev.Fields;
        // Per group, the rules whose witness of that group holds (or that need no such witness).
        var s = detection ? 1 : 0;
        var groups = _groups[s];
        var hits = fields.RuleWords(groups * _words);
        _start[s].AsSpan(0, groups * _words).CopyTo(hits);
        var mask = detection ? ScopeDetection : ScopeFull;
        var epoch = fields.NextAtomEpoch(_atomSlot.Length);
        var seen = fields.AtomSeen;
        foreach (var (slot, atom) in _presentAtoms)
        {
            if (ev.HasKey(slot)) Mark(atom, hits, mask, seen, epoch);
        }
        // Each value once, in the order the scan recorded them: a value read by several slots (its field's, and the
        // field-less search's) is one run of entries, folded once and searched for grams once for all of them.
        var entries = fields.Entries;
        var count = fields.Count;
        var slotFlags = _slotFlags;
        for (var first = 0; first < count;)
        {
            ref readonly var head = ref entries[first];
            var end = first + 1;
            while (end < count && entries[end].Start == head.Start && entries[end].Length == head.Length && entries[end].InScratch == head.InScratch) end++;
            var run = first;
            first = end;
            if (head.Kind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null) continue;
            var flags = SlotFlags.None;
            for (var e = run; e < end; e++) flags |= FlagsOf(slotFlags, entries[e].Slot);
            if (flags == SlotFlags.None) continue;

            var text = (head.InScratch ? fields.Scratch : ev.Json).Slice(head.Start, head.Length);
            var folded = fields.FoldBuffer(text.Length);
            AsciiText.ToLower(text, folded);
            for (var e = run; e < end; e++)
            {
                var slot = entries[e].Slot;
                var slotFlag = FlagsOf(slotFlags, slot);
                if ((slotFlag & SlotFlags.Bytes) != 0) FindBytes(slot, folded, hits, mask, seen, epoch);
                if ((slotFlag & SlotFlags.Hashed) == 0) continue;
                if ((slotFlag & SlotFlags.Equals) != 0) FindHashed(slot, Kind.Equals, folded, hits, mask, seen, epoch);
                for (var lengths = _slotPrefixLengths[slot]; lengths != 0; lengths &= lengths - 1)
                {
                    var length = BitOperations.TrailingZeroCount(lengths);
                    if (folded.Length >= length) FindHashed(slot, Kind.StartsWith, folded.Slice(0, length), hits, mask, seen, epoch);
                }
                for (var lengths = _slotSuffixLengths[slot]; lengths != 0; lengths &= lengths - 1)
                {
                    var length = BitOperations.TrailingZeroCount(lengths);
                    if (folded.Length >= length) FindHashed(slot, Kind.EndsWith, folded.Slice(folded.Length - length), hits, mask, seen, epoch);
                }
            }
            if ((flags & SlotFlags.Grams) != 0 && folded.Length >= GramLength) FindGrams(entries, run, end, folded, hits, mask, seen, epoch);
        }
        // Candidates: the rules with every group's witness.
        hits.Slice(0, _words).CopyTo(candidates);
        for (var g = 1; g < groups; g++)
        {
            var group = hits.Slice(g * _words, _words);
            for (var w = 0; w < _words; w++) candidates[w] &= group[w];
        }
    }

    [Flags]
    private enum SlotFlags : byte
    {
        None = 0,
        Equals = 1,
        /// <summary>Exact values or short prefixes or suffixes: looked up by hash.</summary>
        Hashed = 2,
        Grams = 4,
        /// <summary>Single bytes (substrings shorter than a gram).</summary>
        Bytes = 8,
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static SlotFlags FlagsOf(SlotFlags[] flags, int slot) => (uint)slot < (uint)flags.Length ? flags[slot] : SlotFlags.None;

    private void FindHashed(int slot, Kind kind, ReadOnlySpan<byte> folded, Span<ulong> hits, int mask, int[] seen, int epoch)
    {
        var hash = Hash(slot, kind, folded);
        for (var atom = _equalsHeads[(int)(hash >> 32) & _equalsMask]; atom >= 0; atom = _equalsNext[atom])
        {
            if (_equalsHash[atom] == hash && _atomSlot[atom] == slot && _atomKind[atom] == kind && folded.SequenceEqual(_atomLiteral[atom]))
                Mark(atom, hits, mask, seen, epoch);
        }
    }

    /// <summary>The bytes a slot's atoms need: one vectorized search of the value, then (rarely) one per byte.</summary>
    private void FindBytes(int slot, ReadOnlySpan<byte> folded, Span<ulong> hits, int mask, int[] seen, int epoch)
    {
        if (folded.IndexOfAny(_slotBytes[slot]!) < 0) return;
        foreach (var (b, atom) in _slotByteAtoms[slot])
        {
            if (seen[atom] != epoch && folded.IndexOf(b) >= 0) Mark(atom, hits, mask, seen, epoch);
        }
    }

    /// <summary>
    /// The gram search of one value for the slots of its run of entries: the filter is on the gram alone, so one test
    /// per position serves every slot; only a gram that passes it is looked up per slot.
    /// </summary>
    private void FindGrams(EventFields.Entry[] entries, int run, int end, ReadOnlySpan<byte> folded, Span<ulong> hits, int mask, int[] seen, int epoch)
    {
        var filter = _gramFilter;
        var slotFlags = _slotFlags;
        var last = folded.Length - GramLength;
        for (var i = 0; i <= last; i++)
        {
            var gram = BinaryPrimitives.ReadUInt32LittleEndian(folded.Slice(i));
            var bit = FilterBit(gram);
            if ((filter[bit >> 6] & (1UL << bit)) == 0) continue;
            for (var e = run; e < end; e++)
            {
                var slot = entries[e].Slot;
                if ((FlagsOf(slotFlags, slot) & SlotFlags.Grams) != 0) FindGram(slot, gram, i, folded, hits, mask, seen, epoch);
            }
        }
    }

    private void FindGram(int slot, uint gram, int at, ReadOnlySpan<byte> folded, Span<ulong> hits, int mask, int[] seen, int epoch)
    {
        var key = GramKey(slot, gram);
        var mixed = GramHash(key);
        var bit = (int)(mixed >> (64 - FilterShift));
        if ((_slotGramFilter[bit >> 6] & (1UL << bit)) == 0) return;
        var bucket = (int)(mixed >> 16) & _gramMask;
        while (true)
        {
            var head = _gramHeads[bucket];
            if (head < 0) return;
            if (_gramKeys[bucket] == key)
            {
                for (var e = head; e >= 0; e = _gramEntryNext[e])
                {
                    var atom = _gramEntryAtom[e];
                    if (seen[atom] == epoch) continue;
                    var start = at - _gramEntryOffset[e];
                    var literal = _atomLiteral[atom];
                    if (start < 0 || start + literal.Length > folded.Length) continue;
                    var holds = _atomKind[atom] switch
                    {
                        Kind.StartsWith => start == 0,
                        Kind.EndsWith => start + literal.Length == folded.Length,
                        _ => true,
                    };
                    if (holds && folded.Slice(start, literal.Length).SequenceEqual(literal)) Mark(atom, hits, mask, seen, epoch);
                }
                return;
            }
            bucket = (bucket + 1) & _gramMask;
        }
    }

    /// <summary>The gram's bit in the filter: the top bits of one multiply, computed at every byte of every indexed value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FilterBit(uint gram) => (int)(((ulong)gram * 0x9E3779B97F4A7C15UL) >> (64 - FilterShift));

    /// <summary>Atoms with more rules than this have their rules as bit sets too (see <see cref="_atomDense"/>).</summary>
    private const int DenseRules = 64;

    /// <summary>The atom holds on the event: its rules' bits in <paramref name="hits"/>, in the part of each one's group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Mark(int atom, Span<ulong> hits, int mask, int[] seen, int epoch)
    {
        if (seen[atom] == epoch) return;
        seen[atom] = epoch;
        // mask is ScopeFull (1) or ScopeDetection (2): the scope's index is mask >> 1.
        if (_atomDense[mask >> 1][atom] is { } dense)
        {
            for (var w = 0; w < dense.Length; w++) hits[w] |= dense[w];
            return;
        }
        foreach (var entry in _atomRules[atom])
        {
            if ((entry & mask) != 0) hits[HitWord(entry)] |= 1UL << (entry >> EntryShift);
        }
    }

    /// <summary>The word of an entry's rule in the bit set of its group (groups one after another, <see cref="_words"/> each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int HitWord(int entry) => ((entry >> GroupShift) & (MaxGroups - 1)) * _words + (entry >> EntryShift >> 6);

    /// <summary>
    /// Reads a witness text into its atoms (<paramref name="atoms"/>) and where each group of them starts
    /// (<paramref name="groupStarts"/>). The text: atoms one after another, each <c>KIND SLOT ':' LENGTH ':' LITERAL</c>,
    /// KIND one of <c>=</c> (equals), <c>^</c> (starts with), <c>$</c> (ends with), <c>*</c> (contains), <c>%</c>
    /// (contains the byte whose code is the literal's one character), <c>?</c> (has a value, with an empty literal);
    /// SLOT the rule set's shared slot; LENGTH the literal's length in UTF-8 bytes. An empty text: the rule never
    /// matches. Up to <see cref="MaxGroups"/> groups of atoms joined by <c>&amp;</c>: one atom of each must hold.
    /// </summary>
    /// <exception cref="FormatException">The text is not such a witness.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ParseAtoms(ReadOnlySpan<byte> text, List<(int Slot, Kind Kind, byte[] Literal)> atoms, List<int> groupStarts)
    {
        atoms.Clear();
        groupStarts.Clear();
        groupStarts.Add(0);
        var at = 0;
        while (at < text.Length)
        {
            if (text[at] == (byte)'&')
            {
                if (atoms.Count == groupStarts[^1] || at + 1 == text.Length) throw new FormatException("A witness's groups are joined by '&', none empty.");
                groupStarts.Add(atoms.Count);
                at++;
                continue;
            }
            var kind = text[at++] switch
            {
                (byte)'=' => Kind.Equals,
                (byte)'^' => Kind.StartsWith,
                (byte)'$' => Kind.EndsWith,
                (byte)'*' => Kind.Contains,
                (byte)'?' => Kind.Present,
                (byte)'%' => Kind.ContainsByte,
                var c => throw new FormatException($"Unknown witness kind '{(char)c}'."),
            };
            var slot = Number(text, ref at);
            var length = Number(text, ref at);
            if (length > text.Length - at) throw new FormatException("A witness literal runs past its text.");
            var literal = text.Slice(at, length);
            at += length;
            if (kind == Kind.ContainsByte)
            {
                // A byte's literal is the character of that code (a lone byte is not UTF-8 text).
                var chars = Encoding.UTF8.GetString(literal);
                if (chars.Length != 1 || chars[0] > 0xFF) throw new FormatException("A byte witness is one character of code 0 to 255.");
                atoms.Add((slot, kind, [(byte)chars[0]]));
            }
            else
            {
                atoms.Add((slot, kind, literal.ToArray()));
            }
        }
        if (groupStarts.Count > MaxGroups) throw new FormatException($"A witness has at most {MaxGroups} groups of literals.");
    }

    /// <summary>A decimal number ended by <c>:</c>.</summary>
    private static int Number(ReadOnlySpan<byte> text, ref int at)
    {
        var value = 0;
        var start = at;
        while (at < text.Length && text[at] is >= (byte)'0' and <= (byte)'9')
        {
            value = checked(value * 10 + (text[at] - '0'));
            at++;
        }
        if (at == start || at >= text.Length || text[at] != (byte)':') throw new FormatException("A witness number is digits ended by ':'.");
        at++;
        return value;
    }

    /// <summary>One rule's witness in the generated data: none, or its text.</summary>
    private readonly ref struct Witness
    {
        public Witness(ReadOnlySpan<byte> text, bool isNone)
        {
            Text = text;
            IsNone = isNone;
        }

        public ReadOnlySpan<byte> Text { get; }
        public bool IsNone { get; }
    }

    /// <summary>Walks the generated witness data rule by rule, chunk by chunk.</summary>
    private sealed class WitnessReader
    {
        private readonly int _rulesPerChunk;
        private readonly WitnessChunk _chunks;
        private int _at;

        public WitnessReader(int rulesPerChunk, WitnessChunk chunks)
        {
            if (rulesPerChunk <= 0) throw new ArgumentOutOfRangeException(nameof(rulesPerChunk));
            _rulesPerChunk = rulesPerChunk;
            _chunks = chunks;
        }

        /// <summary>Rule <paramref name="rule"/>'s witness; rules are read in order.</summary>
        public Witness Next(int rule)
        {
            if (rule % _rulesPerChunk == 0) _at = 0;
            var data = _chunks(rule / _rulesPerChunk);
            if (_at >= data.Length) throw new FormatException($"The witness data ends before rule {rule}.");
            if (data[_at] == (byte)'-')
            {
                _at++;
                return new Witness(default, isNone: true);
            }
            var length = Number(data, ref _at);
            if (length > data.Length - _at) throw new FormatException($"Rule {rule}'s witness runs past its data.");
            var text = data.Slice(_at, length);
            _at += length;
            return new Witness(text, isNone: false);
        }
    }

    /// <summary>Witness texts (null: none) as the generated data of one chunk.</summary>
    private static WitnessChunk Encode(string?[] witnesses, int ruleCount)
    {
        if (witnesses.Length < ruleCount) throw new ArgumentException("A witness (or null) per rule is needed.", nameof(witnesses));
        var data = new List<byte>();
        for (var rule = 0; rule < ruleCount; rule++)
        {
            if (witnesses[rule] is not { } witness)
            {
                data.Add((byte)'-');
                continue;
            }
            var text = Encoding.UTF8.GetBytes(witness);
            data.AddRange(Encoding.ASCII.GetBytes(text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":"));
            data.AddRange(text);
        }
        var bytes = data.ToArray();
        return _ => bytes;
    }

    private static uint Gram(ReadOnlySpan<byte> text, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(text.Slice(offset));

    private static ulong GramKey(int slot, uint gram) => (ulong)(uint)slot << 32 | gram;

    /// <summary>The hash of a (slot, gram) key in the gram table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong GramHash(ulong key) => key * 0x9E3779B97F4A7C15UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong key)
    {
        key ^= key >> 31;
        key *= 0x9E3779B97F4A7C15UL;
        key ^= key >> 29;
        return key;
    }

    private static ulong Hash(int slot, Kind kind, ReadOnlySpan<byte> text)
    {
        var hash = 0x243F6A8885A308D3UL ^ ((ulong)(uint)slot << 32) ^ ((ulong)kind << 24) ^ (ulong)text.Length;
        while (text.Length >= 8)
        {
            hash = Mix(hash ^ BinaryPrimitives.ReadUInt64LittleEndian(text));
            text = text.Slice(8);
        }
        ulong tail = 0;
        for (var i = 0; i < text.Length; i++) tail |= (ulong)text[i] << (8 * i);
        return Mix(hash ^ tail ^ 0x13198A2E03707344UL);
    }

    /// <summary>
    /// How many literals hold each (slot, gram) key: open addressing over arrays, growing as needed, with the last
    /// literal that counted a key kept beside it so a literal counts each of its grams once.
    /// </summary>
    private sealed class GramCounts
    {
        private ulong[] _keys;
        private int[] _counts; // 0: empty
        private int[] _lastLiteral;
        private int _used;
        private int _shift; // the hash's top bits index the table

        public GramCounts(int expected)
        {
            var size = TableSize(Math.Max(expected, 16));
            _keys = new ulong[size];
            _counts = new int[size];
            _lastLiteral = new int[size];
            _shift = 64 - BitOperations.Log2((uint)size);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Count(ulong key, int literal)
        {
            var at = Find(key);
            if (_counts[at] == 0)
            {
                _keys[at] = key;
                _counts[at] = 1;
                _lastLiteral[at] = literal;
                if (++_used * 2 > _keys.Length) Grow();
                return;
            }
            if (_lastLiteral[at] == literal) return;
            _lastLiteral[at] = literal;
            _counts[at]++;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Of(ulong key) => _counts[Find(key)];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int Find(ulong key)
        {
            var mask = _keys.Length - 1;
            var at = (int)(GramHash(key) >> _shift);
            while (_counts[at] != 0 && _keys[at] != key) at = (at + 1) & mask;
            return at;
        }

        private void Grow()
        {
            var (keys, counts, last) = (_keys, _counts, _lastLiteral);
            _keys = new ulong[keys.Length * 2];
            _counts = new int[keys.Length * 2];
            _lastLiteral = new int[keys.Length * 2];
            _shift--;
            for (var i = 0; i < keys.Length; i++)
            {
                if (counts[i] == 0) continue;
                var at = Find(keys[i]);
                (_keys[at], _counts[at], _lastLiteral[at]) = (keys[i], counts[i], last[i]);
            }
        }
    }

    private static int TableSize(int entries)
    {
        var size = 16;
        while (size < entries * 2) size <<= 1;
        return size;
    }
}

using System.Text;
using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// A field schema as data: the same trie of dotted path prefixes as a generated <see cref="IFieldSchema"/>
/// (<see cref="FieldTrie"/>), built from the list of a rule's field paths the generator emits (<see cref="FromJson"/>),
/// with the key lookup a short scan over each node's keys instead of generated code.
/// </summary>
/// <remarks>
/// A rule set scans with its own generated schema (a decision tree over every field of every rule: the hot path);
/// a rule evaluated alone through its <c>IsMatch</c> scans with its table. A rule reads a handful of fields, so a
/// node has a few keys, and comparing their lengths first rejects nearly all of them. Emitting each rule's lookup as
/// code made 3,756 Sigma rules 33 MB of C#; its paths are a few dozen bytes per field.
/// </remarks>
public sealed class FieldTable
{
    private readonly int[] _slots;
    private readonly int[] _slotStart;
    private readonly int[] _slotCount;
    // Per node, the keys that lead on from it: _keys[_edgeStart[n] .. _edgeStart[n + 1]) and their target nodes.
    private readonly int[] _edgeStart;
    private readonly byte[][] _keys;
    private readonly int[] _targets;
    private readonly bool[] _ignoresSpaces;
    private readonly bool[] _nodeIgnoresSpaces;

    private FieldTable(int slotCount, int allStringsSlot, FieldPatternSet? patterns, List<int>[] nodeSlots, List<(int From, byte[] Key, int To, bool Spaceless)> edges)
    {
        SlotCount = slotCount;
        AllStringsSlot = allStringsSlot;
        Patterns = patterns;
        var nodes = nodeSlots.Length;
        _slotStart = new int[nodes];
        _slotCount = new int[nodes];
        var slots = new List<int>();
        for (var n = 0; n < nodes; n++)
        {
            _slotStart[n] = slots.Count;
            _slotCount[n] = nodeSlots[n].Count;
            slots.AddRange(nodeSlots[n]);
        }
        _slots = slots.ToArray();

        edges.Sort((a, b) => a.From != b.From ? a.From.CompareTo(b.From) : a.Key.Length.CompareTo(b.Key.Length));
        _edgeStart = new int[nodes + 1];
        _keys = new byte[edges.Count][];
        _targets = new int[edges.Count];
        _ignoresSpaces = new bool[edges.Count];
        _nodeIgnoresSpaces = new bool[nodes];
        var at = 0;
        for (var n = 0; n < nodes; n++)
        {
            _edgeStart[n] = at;
            while (at < edges.Count && edges[at].From == n)
            {
                _keys[at] = edges[at].Key;
                _targets[at] = edges[at].To;
                _ignoresSpaces[at] = edges[at].Spaceless;
                _nodeIgnoresSpaces[n] |= edges[at].Spaceless;
                at++;
            }
        }
        _edgeStart[nodes] = at;
        if (at != edges.Count) throw new FormatException("A field table's edge leaves a node it does not have.");
    }

    /// <summary>How many value slots the table feeds.</summary>
    public int SlotCount { get; }

    /// <summary>The slot that receives every string value of the event, or -1.</summary>
    public int AllStringsSlot { get; }

    /// <summary>Field-name patterns matched against each value's full path; null when none.</summary>
    public FieldPatternSet? Patterns { get; }

    /// <summary>The slots fed by the values at <paramref name="node"/>.</summary>
    public ReadOnlySpan<int> Slots(int node) => new(_slots, _slotStart[node], _slotCount[node]);

    /// <summary>Whether any field path continues below <paramref name="node"/>.</summary>
    public bool HasChildren(int node) => _edgeStart[node + 1] > _edgeStart[node];

    /// <summary>The node reached from <paramref name="node"/> by <paramref name="key"/>, or -1.</summary>
    public int Child(int node, ReadOnlySpan<byte> key)
    {
        var found = Find(node, key, spacelessOnly: false);
        if (found >= 0 || !_nodeIgnoresSpaces[node] || key.IndexOf((byte)' ') < 0) return found;
        // A native key with spaces ("Threat Name") also reaches a field written without them (ThreatName).
        Span<byte> compact = key.Length <= 256 ? stackalloc byte[key.Length] : new byte[key.Length];
        return Find(node, KeyText.WithoutSpaces(key, compact), spacelessOnly: true);
    }

    private int Find(int node, ReadOnlySpan<byte> key, bool spacelessOnly)
    {
        for (var e = _edgeStart[node]; e < _edgeStart[node + 1]; e++)
        {
            var candidate = _keys[e];
            // Keys are sorted by length: none after a longer one can match.
            if (candidate.Length > key.Length) break;
            if (candidate.Length == key.Length && key.SequenceEqual(candidate) && (!spacelessOnly || _ignoresSpaces[e])) return _targets[e];
        }
        return -1;
    }

    /// <summary>
    /// Builds the table from the generator's description of a rule's fields:
    /// <c>{"fields":[["path","path",...],...],"spaceless":[slot,...],"allStrings":true}</c>, each slot's paths in slot
    /// order (<c>spaceless</c>: the slots whose paths event keys with spaces also reach; <c>allStrings</c>: one more
    /// slot receives every string value; both optional). The trie is <see cref="FieldTrie"/>'s, the same construction
    /// the generator plans a rule set's schema with.
    /// </summary>
    /// <exception cref="FormatException">The text is not such a description.</exception>
    public static FieldTable FromJson(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return Read(utf8Json);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            throw new FormatException("Not a RuleGen field table: " + ex.Message, ex);
        }
    }

    /// <summary>The fields in slot order, each as its paths joined by <c> | </c> (what a rule's <c>Fields</c> lists).</summary>
    public IReadOnlyList<string> Fields { get; private init; } = Array.Empty<string>();

    private static FieldTable Read(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        var fields = new List<IReadOnlyList<string>>();
        var spaceless = new List<int>();
        var allStrings = false;
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            switch (name)
            {
                case "fields":
                    Expect(ref reader, JsonTokenType.StartArray);
                    while (Next(ref reader) == JsonTokenType.StartArray)
                    {
                        var paths = new List<string>();
                        while (Next(ref reader) == JsonTokenType.String) paths.Add(reader.GetString()!);
                        if (reader.TokenType != JsonTokenType.EndArray || paths.Count == 0) throw new FormatException("A field of a field table is a non-empty array of paths.");
                        fields.Add(paths);
                    }
                    break;
                case "spaceless":
                    Expect(ref reader, JsonTokenType.StartArray);
                    while (Next(ref reader) == JsonTokenType.Number) spaceless.Add(reader.GetInt32());
                    break;
                case "allStrings":
                    Next(ref reader);
                    allStrings = reader.GetBoolean();
                    break;
                default:
                    Next(ref reader);
                    reader.Skip();
                    break;
            }
        }

        var ignoresSpaces = new bool[fields.Count];
        foreach (var slot in spaceless) ignoresSpaces[slot] = true;
        var trie = FieldTrie.Build(fields, ignoresSpaces);
        var nodeSlots = new List<int>[trie.Prefixes.Count];
        for (var n = 0; n < nodeSlots.Length; n++) nodeSlots[n] = trie.NodeSlots[n];
        var edges = new List<(int, byte[], int, bool)>(trie.Edges.Count);
        foreach (var edge in trie.Edges) edges.Add((edge.From, Encoding.UTF8.GetBytes(edge.Key), edge.To, edge.IgnoresSpaces));
        var patternSet = trie.Patterns.Count == 0 ? null : new FieldPatternSet(
            trie.Patterns.Select(p => p.Key).ToArray(), trie.Patterns.Select(p => p.Value).ToArray());
        var names = fields.Select(paths => string.Join(" | ", paths)).ToArray();
        return new FieldTable(fields.Count + (allStrings ? 1 : 0), allStrings ? fields.Count : -1, patternSet, nodeSlots, edges) { Fields = names };
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new FormatException("The field table ends early.");
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (Next(ref reader) != token) throw new FormatException($"Expected {token} in the field table, found {reader.TokenType}.");
    }
}

/// <summary>What a generated rule names to scan with its <see cref="FieldTable"/> (see <see cref="TableSchema{TSource}"/>).</summary>
public interface IFieldTableSource
{
    /// <summary>The table, decoded once.</summary>
    static abstract FieldTable Table { get; }
}

/// <summary>
/// An <see cref="IFieldSchema"/> over a <see cref="FieldTable"/>, so the scanner (generic over schemas, specialised
/// by the JIT) reads a table as it reads generated code.
/// </summary>
public readonly struct TableSchema<TSource> : IFieldSchema where TSource : struct, IFieldTableSource
{
    public static int SlotCount => TSource.Table.SlotCount;

    public static int AllStringsSlot => TSource.Table.AllStringsSlot;

    public static FieldPatternSet? Patterns => TSource.Table.Patterns;

    public static int Child(int node, ReadOnlySpan<byte> key) => TSource.Table.Child(node, key);

    public static ReadOnlySpan<int> Slots(int node) => TSource.Table.Slots(node);

    public static bool HasChildren(int node) => TSource.Table.HasChildren(node);
}

using System.Buffers;
using System.Text;

namespace RuleGen.Runtime;

/// <summary>
/// Many prefixes, suffixes or substrings tested in one pass over UTF-8 text, exactly or folding ASCII case: a trie
/// walked from the start (prefixes) or the end (suffixes, stored reversed), or an Aho-Corasick automaton
/// (substrings). For value lists such as <c>Image|endswith: [...]</c> or <c>Hashes|contains: [... 2,000 hashes ...]</c>,
/// where one test per value would read the text once per value. Built once; lookups allocate nothing.
/// </summary>
public sealed class Utf8TextSet
{
    private readonly TextRelation _relation;
    private readonly bool _ignoreCase;
    private readonly bool _matchesEverything;
    // Trie: node n's children are _keys/_targets[_first[n] .. _first[n] + _count[n]) sorted by key; the root's are dense.
    private readonly int[] _rootNext = new int[256];
    private readonly int[] _first;
    private readonly int[] _count;
    private readonly byte[] _keys;
    private readonly int[] _targets;
    private readonly bool[] _output;
    private readonly int[] _fail;
    // Substrings in ASCII text: .NET's vectorised multi-string search over the set's ASCII texts (null: none), exact
    // there because ordinal case-insensitive comparison of ASCII is ASCII folding and a text with a non-ASCII byte
    // cannot occur in ASCII text. Other text walks the automaton.
    private readonly SearchValues<string>? _asciiSubstrings;
    // Nodes with many children (the busy top of a trie) also get a dense row of 256 targets: _dense[_denseRow[n] + b].
    private readonly int[] _denseRow;
    private readonly int[] _dense;

    /// <summary>Children from which a node gets a dense row, and at most how many rows a set holds (1 KB each).</summary>
    private const int DenseFromChildren = 4;
    private const int MaxDenseRows = 512;

    /// <summary>Longest text widened to UTF-16 on the stack for the vectorised search; longer text uses <see cref="Utf16Scratch"/>.</summary>
    private const int MaxOnStack = 256;

    public Utf8TextSet(TextRelation relation, bool ignoreCase, params string[] values)
    {
        if (relation == TextRelation.Equals) throw new ArgumentException("Use Utf8StringSet for equality.", nameof(relation));
        _relation = relation;
        _ignoreCase = ignoreCase;
        // Build a node list with dictionaries, then flatten.
        var children = new List<Dictionary<byte, int>> { new() };
        var terminal = new List<bool> { false };
        foreach (var value in values)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            if (ignoreCase) bytes = AsciiText.ToLower(bytes);
            if (relation == TextRelation.EndsWith) Array.Reverse(bytes);
            if (bytes.Length == 0) _matchesEverything = true;
            var node = 0;
            foreach (var b in bytes)
            {
                if (!children[node].TryGetValue(b, out var next))
                {
                    next = children.Count;
                    children.Add(new Dictionary<byte, int>());
                    terminal.Add(false);
                    children[node][b] = next;
                }
                node = next;
            }
            terminal[node] = true;
        }
        var n = children.Count;
        _first = new int[n];
        _count = new int[n];
        var keys = new List<byte>();
        var targets = new List<int>();
        for (var i = 0; i < n; i++)
        {
            _first[i] = keys.Count;
            _count[i] = children[i].Count;
            foreach (var pair in children[i].OrderBy(p => p.Key))
            {
                keys.Add(pair.Key);
                targets.Add(pair.Value);
            }
        }
        _keys = keys.ToArray();
        _targets = targets.ToArray();
        foreach (var pair in children[0]) _rootNext[pair.Key] = pair.Value;
        _output = terminal.ToArray();
        _fail = new int[n];
        var asciiValues = values.Where(v => Ascii.IsValid(v)).ToArray();
        if (relation == TextRelation.Contains && asciiValues.Length > 0)
            _asciiSubstrings = SearchValues.Create(asciiValues, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        // Dense rows, breadth first so the nodes nearest the root (visited by every lookup) get them first.
        _denseRow = new int[n];
        Array.Fill(_denseRow, -1);
        var rows = new List<int>();
        var order = new Queue<int>();
        order.Enqueue(0);
        while (order.Count > 0 && rows.Count < MaxDenseRows)
        {
            var node = order.Dequeue();
            if (node != 0 && _count[node] >= DenseFromChildren)
            {
                _denseRow[node] = rows.Count * 256;
                rows.Add(node);
            }
            foreach (var child in children[node].Values) order.Enqueue(child);
        }
        _dense = new int[rows.Count * 256];
        Array.Fill(_dense, -1);
        foreach (var node in rows)
        {
            foreach (var pair in children[node]) _dense[_denseRow[node] + pair.Key] = pair.Value;
        }
        if (relation == TextRelation.Contains)
        {
            // Breadth-first failure links; a state outputs when any state on its failure chain is terminal.
            var queue = new Queue<int>();
            foreach (var child in children[0].Values) queue.Enqueue(child);
            while (queue.Count > 0)
            {
                var state = queue.Dequeue();
                foreach (var pair in children[state])
                {
                    var fail = _fail[state];
                    while (fail != 0 && Child(fail, pair.Key) < 0) fail = _fail[fail];
                    var target = Child(fail, pair.Key);
                    _fail[pair.Value] = target >= 0 && target != pair.Value ? target : 0;
                    _output[pair.Value] |= _output[_fail[pair.Value]];
                    queue.Enqueue(pair.Value);
                }
            }
        }
    }

    private int Child(int node, byte key)
    {
        if (node == 0)
        {
            var next = _rootNext[key];
            return next == 0 ? -1 : next;
        }
        var row = _denseRow[node];
        if (row >= 0) return _dense[row + key];
        var lo = _first[node];
        var hi = lo + _count[node] - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            var k = _keys[mid];
            if (k == key) return _targets[mid];
            if (k < key) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>Whether <paramref name="text"/> starts with, ends with or contains one of the set's texts.</summary>
    public bool IsMatch(ReadOnlySpan<byte> text)
    {
        if (_matchesEverything) return true;
        switch (_relation)
        {
            case TextRelation.StartsWith:
            {
                var node = 0;
                foreach (var raw in text)
                {
                    node = Child(node, _ignoreCase ? AsciiText.Fold(raw) : raw);
                    if (node < 0) return false;
                    if (_output[node]) return true;
                }
                return false;
            }
            case TextRelation.EndsWith:
            {
                var node = 0;
                for (var i = text.Length - 1; i >= 0; i--)
                {
                    node = Child(node, _ignoreCase ? AsciiText.Fold(text[i]) : text[i]);
                    if (node < 0) return false;
                    if (_output[node]) return true;
                }
                return false;
            }
            default:
            {
                if (Ascii.IsValid(text))
                {
                    if (_asciiSubstrings is null) return false;
                    var chars = text.Length <= MaxOnStack ? stackalloc char[text.Length] : Utf16Scratch.Get(text.Length);
                    Ascii.ToUtf16(text, chars, out _);
                    return chars.ContainsAny(_asciiSubstrings);
                }
                var state = 0;
                foreach (var raw in text)
                {
                    var b = _ignoreCase ? AsciiText.Fold(raw) : raw;
                    int next;
                    while ((next = Child(state, b)) < 0 && state != 0) state = _fail[state];
                    state = next < 0 ? 0 : next;
                    if (_output[state]) return true;
                }
                return false;
            }
        }
    }
}

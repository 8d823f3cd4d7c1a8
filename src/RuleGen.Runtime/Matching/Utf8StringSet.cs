using System.Text;

namespace RuleGen.Runtime;

/// <summary>
/// A set of UTF-8 strings with exact or ASCII-case-insensitive membership, for long value lists
/// (<c>process.name:(a or b or ... )</c>). Lookups hash the value once and allocate nothing.
/// </summary>
public sealed class Utf8StringSet
{
    private readonly byte[][] _entries;
    private readonly int[] _buckets; // index+1 into _entries chain heads
    private readonly int[] _next;
    private readonly bool _ignoreCase;
    private readonly int _minLength;
    private readonly int _maxLength;

    public Utf8StringSet(bool ignoreCase, params string[] values)
    {
        _ignoreCase = ignoreCase;
        var unique = new List<byte[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            if (ignoreCase) bytes = AsciiText.ToLower(bytes);
            if (seen.Add(Convert.ToBase64String(bytes))) unique.Add(bytes);
        }
        _entries = unique.ToArray();
        var size = 1;
        while (size < _entries.Length * 2) size <<= 1;
        _buckets = new int[size];
        _next = new int[_entries.Length];
        _minLength = int.MaxValue;
        for (var i = 0; i < _entries.Length; i++)
        {
            var bucket = (int)(Hash(_entries[i], false) & (uint)(size - 1));
            _next[i] = _buckets[bucket] - 1;
            _buckets[bucket] = i + 1;
            _minLength = Math.Min(_minLength, _entries[i].Length);
            _maxLength = Math.Max(_maxLength, _entries[i].Length);
        }
    }

    public int Count => _entries.Length;

    public bool Contains(ReadOnlySpan<byte> value)
    {
        if (value.Length < _minLength || value.Length > _maxLength) return false;
        var bucket = (int)(Hash(value, _ignoreCase) & (uint)(_buckets.Length - 1));
        for (var i = _buckets[bucket] - 1; i >= 0; i = _next[i])
        {
            var entry = _entries[i];
            if (_ignoreCase ? AsciiText.EqualsIgnoreCase(value, entry) : value.SequenceEqual(entry)) return true;
        }
        return false;
    }

    private static uint Hash(ReadOnlySpan<byte> value, bool fold)
    {
        // FNV-1a; folding ASCII case when the set ignores it (entries are stored lowercased).
        var hash = 2166136261u;
        foreach (var b in value) hash = (hash ^ (fold ? AsciiText.Fold(b) : b)) * 16777619u;
        return hash;
    }
}

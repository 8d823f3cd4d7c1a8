using System.Buffers.Text;
using System.IO.Compression;

namespace RuleGen.Runtime;

/// <summary>
/// The metadata of a project's compiled rules as generated code carries it: each rule's <see cref="RuleInfo"/> as the
/// JSON <see cref="RuleInfoJson"/> reads, one rule per line, in blocks of a few rules, each block compressed with
/// deflate and written as a base64 UTF-8 literal. A rule's <c>Info</c> asks here by its type name; its block is
/// inflated and its line decoded the first time, and the result kept.
/// </summary>
/// <remarks>
/// Metadata is most of what a rule file says (descriptions, investigation notes, MITRE mappings, the query), and the
/// hot path never reads it. As one JSON literal per rule it was 10 MB of the SigmaHQ corpus's generated C# and 14.5 MB
/// of Elastic's; compressed a block at a time it is a quarter of that, since neighbouring rules share most of their
/// words. A block of a few rules keeps the first read of one rule cheap (one small inflate).
/// </remarks>
public sealed class RuleMetadataStore
{
    /// <summary>The generated base64 text of one block.</summary>
    public delegate ReadOnlySpan<byte> BlockSource(int block);

    private readonly string[] _names;
    private readonly int _rulesPerBlock;
    private readonly BlockSource _blocks;
    private readonly RuleInfo?[] _infos;
    private Dictionary<string, int>? _index;
    // The last block inflated: rules are mostly read in order (a host reading the metadata of the rules it sets up
    // at start), so neighbours find their block already inflated. Immutable, swapped whole.
    private Inflated? _last;

    private sealed record Inflated(int Block, byte[] Json, int Length);

    /// <param name="rulesPerBlock">How many rules each block holds (the last may hold fewer).</param>
    /// <param name="names">The rules' type names in store order, separated by <c>\n</c>.</param>
    /// <param name="blocks">Block <c>k</c> holds the rules <c>k * rulesPerBlock</c> onwards.</param>
    public RuleMetadataStore(int rulesPerBlock, string names, BlockSource blocks)
    {
        if (rulesPerBlock <= 0) throw new ArgumentOutOfRangeException(nameof(rulesPerBlock));
        _rulesPerBlock = rulesPerBlock;
        _names = names.Length == 0 ? Array.Empty<string>() : names.Split('\n');
        _blocks = blocks;
        _infos = new RuleInfo?[_names.Length];
    }

    /// <summary>How many rules the store holds.</summary>
    public int Count => _names.Length;

    /// <summary>The metadata of the rule whose generated type is named <paramref name="typeName"/>.</summary>
    /// <exception cref="KeyNotFoundException">No rule of the store has that name.</exception>
    public RuleInfo Info(string typeName)
    {
        var index = Volatile.Read(ref _index) ?? BuildIndex();
        return index.TryGetValue(typeName, out var at)
            ? Info(at)
            : throw new KeyNotFoundException($"No compiled rule is named '{typeName}'.");
    }

    /// <summary>
    /// The metadata of the rule at <paramref name="index"/> in store order. Threads that race on a rule's first use
    /// may each decode it; one result is kept, and every caller sees that one.
    /// </summary>
    public RuleInfo Info(int index)
    {
        var info = Volatile.Read(ref _infos[index]);
        if (info is not null) return info;
        info = Decode(index);
        return Interlocked.CompareExchange(ref _infos[index], info, null) ?? info;
    }

    /// <summary>Rule <paramref name="index"/>'s JSON, inflated from its block, decoded.</summary>
    private RuleInfo Decode(int index)
    {
        var inflated = Volatile.Read(ref _last);
        if (inflated is null || inflated.Block != index / _rulesPerBlock)
        {
            inflated = Inflate(index / _rulesPerBlock);
            Volatile.Write(ref _last, inflated);
        }
        var block = inflated.Json.AsSpan(0, inflated.Length);

        // Lines: the block's first rule, then one per rule. JSON text has no raw line breaks.
        for (var skip = index % _rulesPerBlock; skip > 0; skip--)
        {
            var end = block.IndexOf((byte)'\n');
            if (end < 0) throw new FormatException($"The metadata block of rule {index} holds fewer rules than it should.");
            block = block[(end + 1)..];
        }
        var lineEnd = block.IndexOf((byte)'\n');
        return RuleInfoJson.Read(lineEnd < 0 ? block : block[..lineEnd]);
    }

    private Inflated Inflate(int block)
    {
        var text = _blocks(block);
        var compressed = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
        if (Base64.DecodeFromUtf8(text, compressed, out _, out var length) != System.Buffers.OperationStatus.Done)
            throw new FormatException($"The metadata block {block} is not base64.");
        using var inflate = new DeflateStream(new MemoryStream(compressed, 0, length), CompressionMode.Decompress);
        using var json = new MemoryStream();
        inflate.CopyTo(json);
        return new Inflated(block, json.GetBuffer(), (int)json.Length);
    }

    private Dictionary<string, int> BuildIndex()
    {
        var index = new Dictionary<string, int>(_names.Length, StringComparer.Ordinal);
        for (var i = 0; i < _names.Length; i++) index[_names[i]] = i;
        return Interlocked.CompareExchange(ref _index, index, null) ?? index;
    }
}

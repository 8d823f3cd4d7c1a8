using System.Buffers.Binary;
using RuleGen.Evtx;
using RuleGen.Evtx.BinXml;

namespace RuleGen.Tests.Evtx;

/// <summary>The binary XML parser on hand-made damage that real files do not hold.</summary>
public sealed class BinXmlParserTests
{
    private const int Definition = 0x200;

    /// <summary>
    /// A chunk whose template body is <paramref name="tokens"/> substitutions of value 0, with binary XML type: each
    /// instance's value 0 is a smaller instance of the same template, <paramref name="depth"/> deep.
    /// </summary>
    private static (byte[] Chunk, int Start, int End) SelfExpandingTemplate(int tokens, int depth)
    {
        var chunk = new byte[EvtxReader.ChunkSize];
        var body = new List<byte> { 0x0F, 1, 1, 0 };
        for (var i = 0; i < tokens; i++) body.AddRange([0x0D, 0, 0, BinXmlValueType.BinXml]);
        body.Add(0x00);
        BinaryPrimitives.WriteInt32LittleEndian(chunk.AsSpan(Definition + 20), body.Count);
        body.CopyTo(chunk, Definition + 24);

        byte[] value = [0x00];
        for (var level = 0; level < depth; level++)
        {
            var instance = new List<byte> { 0x0F, 1, 1, 0, 0x0C, 1, 0, 0, 0, 0 };
            instance.AddRange(BitConverter.GetBytes(Definition));
            instance.AddRange(BitConverter.GetBytes(1)); // one value
            instance.AddRange(BitConverter.GetBytes((ushort)value.Length));
            instance.AddRange([BinXmlValueType.BinXml, 0]);
            instance.AddRange(value);
            value = instance.ToArray();
        }
        const int start = 0x4000;
        value.CopyTo(chunk, start);
        return (chunk, start, start + value.Length);
    }

    [Fact]
    public void A_template_that_expands_itself_exponentially_is_damage_not_a_hang()
    {
        var (chunk, start, end) = SelfExpandingTemplate(tokens: 1000, depth: 8);
        var error = Assert.Throws<EvtxFormatException>(() => new BinXmlParser().Parse(chunk, chunk.Length, start, end, new RecordTree()));
        Assert.Contains("binary XML tokens", error.Message);
    }

    [Fact]
    public void The_same_template_nested_a_little_is_read()
    {
        // Two substitutions, three levels: 2^3 leaves, nothing near the limits.
        var (chunk, start, end) = SelfExpandingTemplate(tokens: 2, depth: 3);
        var tree = new RecordTree();
        new BinXmlParser().Parse(chunk, chunk.Length, start, end, tree);
        Assert.Equal(0, tree.ElementCount);
    }

    [Fact]
    public void Templates_nested_deeper_than_the_limit_are_damage()
    {
        var (chunk, start, end) = SelfExpandingTemplate(tokens: 1, depth: 40);
        var error = Assert.Throws<EvtxFormatException>(() => new BinXmlParser().Parse(chunk, chunk.Length, start, end, new RecordTree()));
        Assert.Contains("nested more than", error.Message);
    }
}

using System.Runtime.CompilerServices;
using System.Buffers.Binary;

namespace RuleGen.Evtx.BinXml;

/// <summary>
/// Reads one record's binary XML into a <see cref="RecordTree"/>: elements, attributes and text, with every template
/// instance expanded (its definition's XML, each substitution token replaced by the instance's value, a value of binary
/// XML type read as a nested fragment). Every read is checked against the bounds it may use (the record for its own
/// data, the chunk for template definitions and names), and nesting is limited, so damaged data ends in an
/// <see cref="EvtxFormatException"/>, never in a wrong read, a loop or a stack overflow.
/// </summary>
internal sealed class BinXmlParser
{
    /// <summary>Template instances nested in substitution values: real logs nest two or three.</summary>
    private const int MaxFragmentDepth = 16;

    /// <summary>Elements nested in elements.</summary>
    private const int MaxElementDepth = 256;

    /// <summary>Values of one template instance (real templates have at most a few hundred).</summary>
    private const int MaxValues = 8192;

    /// <summary>
    /// Tokens read for one record, templates expanded. A real record reads a few hundred; damaged data can make a
    /// template's body name the same nested value many times at every level, which would take exponential time.
    /// </summary>
    private const int MaxTokens = 1 << 22;

    private int _tokensLeft;

    private byte[] _chunk = [];
    private int _chunkLength;
    private RecordTree _tree = null!;

    private int[] _stack = new int[64];
    private int _stackCount;

    // The substitution values of the template instances being expanded (a stack: nested instances push theirs).
    private int[] _valueOffsets = new int[256];
    private int[] _valueLengths = new int[256];
    private byte[] _valueTypes = new byte[256];
    private int _valueTop;

    /// <summary>Reads the fragment at [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="chunk"/> into <paramref name="tree"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Parse(byte[] chunk, int chunkLength, int start, int end, RecordTree tree)
    {
        _chunk = chunk;
        _chunkLength = chunkLength;
        _tree = tree;
        tree.Clear();
        _stackCount = 0;
        _valueTop = 0;
        _tokensLeft = MaxTokens;
        ParseFragment(start, end, 0, 0, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ParseFragment(int pos, int end, int valueBase, int valueCount, int depth)
    {
        if (depth > MaxFragmentDepth) throw Corrupt(pos, "binary XML nested more than " + MaxFragmentDepth + " deep");
        var stackBase = _stackCount;
        var attribute = -1;
        var chunk = _chunk;
        while (pos < end)
        {
            var token = chunk[pos];
            if (--_tokensLeft < 0) throw Corrupt(pos, "the record expands to more than " + MaxTokens + " binary XML tokens");
            switch (token & ~BinXmlToken.MoreFlag)
            {
                case BinXmlToken.EndOfFragment:
                    if (_stackCount > stackBase) _stackCount = stackBase;
                    return pos + 1;
                case BinXmlToken.FragmentHeader:
                    Need(pos, 4, end);
                    pos += 4;
                    break;
                case BinXmlToken.TemplateInstance:
                    pos = ParseTemplateInstance(pos, end, depth);
                    break;
                case BinXmlToken.OpenStartElement:
                {
                    // token, dependency id (u16), data size (u32), name offset (u32); the name may follow inline.
                    Need(pos, 11, end);
                    var name = ReadU32(pos + 7);
                    pos += 11;
                    if (name == pos) pos = SkipInlineName(pos, end);
                    else CheckName(name, pos);
                    if ((token & BinXmlToken.MoreFlag) != 0)
                    {
                        Need(pos, 4, end);
                        pos += 4; // the attribute list's size
                    }
                    var parent = _stackCount > 0 ? _stack[_stackCount - 1] : -1;
                    var element = _tree.AddElement(name, parent);
                    if (_stackCount == MaxElementDepth) throw Corrupt(pos, "elements nested more than " + MaxElementDepth + " deep");
                    if (_stackCount == _stack.Length) Array.Resize(ref _stack, _stack.Length * 2);
                    _stack[_stackCount++] = element;
                    attribute = -1;
                    break;
                }
                case BinXmlToken.Attribute:
                {
                    Need(pos, 5, end);
                    var name = ReadU32(pos + 1);
                    pos += 5;
                    if (name == pos) pos = SkipInlineName(pos, end);
                    else CheckName(name, pos);
                    if (_stackCount <= stackBase) throw Corrupt(pos, "an attribute outside an element");
                    attribute = _tree.AddAttribute(_stack[_stackCount - 1], name);
                    break;
                }
                case BinXmlToken.CloseStartElement:
                    pos++;
                    attribute = -1;
                    break;
                case BinXmlToken.CloseEmptyElement:
                case BinXmlToken.EndElement:
                    if (_stackCount <= stackBase) throw Corrupt(pos, "an element end without its start");
                    _stackCount--;
                    pos++;
                    attribute = -1;
                    break;
                case BinXmlToken.Value:
                {
                    Need(pos, 4, end);
                    var type = chunk[pos + 1];
                    if (type != BinXmlValueType.WString) throw Corrupt(pos, $"an inline value of type 0x{type:x2} (only strings are inline)");
                    var bytes = ReadU16(pos + 2) * 2;
                    Need(pos + 4, bytes, end);
                    AddPiece(attribute, BinXmlValueType.WString, pos + 4, bytes);
                    pos += 4 + bytes;
                    break;
                }
                case BinXmlToken.CDataSection:
                {
                    Need(pos, 3, end);
                    var bytes = ReadU16(pos + 1) * 2;
                    Need(pos + 3, bytes, end);
                    AddPiece(attribute, BinXmlValueType.WString, pos + 3, bytes);
                    pos += 3 + bytes;
                    break;
                }
                case BinXmlToken.CharRef:
                    Need(pos, 3, end);
                    AddPiece(attribute, BinXmlValueType.CharRefPiece, ReadU16(pos + 1), 0);
                    pos += 3;
                    break;
                case BinXmlToken.EntityRef:
                {
                    Need(pos, 5, end);
                    var name = ReadU32(pos + 1);
                    pos += 5;
                    if (name == pos) pos = SkipInlineName(pos, end);
                    else CheckName(name, pos);
                    AddPiece(attribute, BinXmlValueType.EntityRefPiece, name, 0);
                    break;
                }
                case BinXmlToken.PITarget:
                {
                    Need(pos, 5, end);
                    var name = ReadU32(pos + 1);
                    pos += 5;
                    if (name == pos) pos = SkipInlineName(pos, end);
                    break;
                }
                case BinXmlToken.PIData:
                    Need(pos, 3, end);
                    pos += 3 + ReadU16(pos + 1) * 2;
                    if (pos > end) throw Corrupt(pos, "processing instruction data past the end of its fragment");
                    break;
                case BinXmlToken.NormalSubstitution:
                case BinXmlToken.OptionalSubstitution:
                {
                    Need(pos, 4, end);
                    var index = ReadU16(pos + 1);
                    pos += 4;
                    if (index >= valueCount) throw Corrupt(pos - 4, $"substitution {index} of a template instance with {valueCount} values");
                    var type = _valueTypes[valueBase + index];
                    var offset = _valueOffsets[valueBase + index];
                    var length = _valueLengths[valueBase + index];
                    // A null (or empty) value adds nothing: an attribute made only of it is left out.
                    if (type == BinXmlValueType.Null || length == 0) break;
                    if (type == BinXmlValueType.BinXml)
                    {
                        // Nested binary XML: its elements become children of the current element.
                        if (attribute < 0) ParseFragment(offset, offset + length, 0, 0, depth + 1);
                        break;
                    }
                    AddPiece(attribute, type, offset, length);
                    break;
                }
                default:
                    throw Corrupt(pos, $"unknown binary XML token 0x{token:x2}");
            }
        }
        // A nested value's fragment may end without its EOF token; elements it left open end with it.
        if (_stackCount > stackBase) _stackCount = stackBase;
        return pos;
    }

    /// <summary>A template instance: the definition (inline the first time the chunk uses it), then the values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ParseTemplateInstance(int pos, int end, int depth)
    {
        // token, unknown byte, template id (u32), definition offset (u32).
        Need(pos, 10, end);
        var definition = ReadU32(pos + 6);
        pos += 10;
        if (definition == pos)
        {
            // The definition itself follows: next definition (u32), GUID (16 bytes), data size (u32), data.
            Need(pos, 24, end);
            var size = ReadU32(pos + 20);
            if (size < 0 || size > end - pos - 24) throw Corrupt(pos, "a template definition past the end of its record");
            pos += 24 + size;
        }
        if (definition < 0 || definition > _chunkLength - 24) throw Corrupt(pos, $"a template definition offset 0x{definition:x} outside the chunk");
        var bodySize = ReadU32(definition + 20);
        var body = definition + 24;
        if (bodySize < 0 || bodySize > _chunkLength - body) throw Corrupt(definition, "a template definition past the end of the chunk");

        // The instance's values: their count, (size u16, type u8, unused u8) for each, then the values.
        Need(pos, 4, end);
        var count = ReadU32(pos);
        pos += 4;
        if (count < 0 || count > MaxValues) throw Corrupt(pos - 4, $"a template instance with {(uint)count} values");
        Need(pos, count * 4, end);
        var valueBase = _valueTop;
        if (_valueOffsets.Length < valueBase + count)
        {
            var size = Math.Max(_valueOffsets.Length * 2, valueBase + count);
            Array.Resize(ref _valueOffsets, size);
            Array.Resize(ref _valueLengths, size);
            Array.Resize(ref _valueTypes, size);
        }
        var offset = pos + count * 4;
        for (var i = 0; i < count; i++)
        {
            var length = ReadU16(pos + i * 4);
            _valueLengths[valueBase + i] = length;
            _valueTypes[valueBase + i] = _chunk[pos + i * 4 + 2];
            _valueOffsets[valueBase + i] = offset;
            offset += length;
        }
        if (offset > end) throw Corrupt(pos, "template values past the end of their record");
        _valueTop = valueBase + count;
        ParseFragment(body, body + bodySize, valueBase, count, depth + 1);
        _valueTop = valueBase;
        return offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddPiece(int attribute, byte type, int offset, int length)
    {
        if (attribute >= 0) _tree.AddAttributePiece(attribute, type, offset, length);
        else if (_stackCount > 0) _tree.AddElementPiece(_stack[_stackCount - 1], type, offset, length);
    }

    /// <summary>Skips a name structure written inline: next offset (u32), hash (u16), length (u16), UTF-16, NUL.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int SkipInlineName(int pos, int end)
    {
        Need(pos, 8, end);
        var total = 8 + ReadU16(pos + 6) * 2 + 2;
        Need(pos, total, end);
        return pos + total;
    }

    /// <summary>Checks a name written elsewhere in the chunk lies inside it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CheckName(int name, int at)
    {
        if (name < 0 || name > _chunkLength - 8 || name + 8 + ReadU16(name + 6) * 2 > _chunkLength)
            throw Corrupt(at, $"a name offset 0x{name:x} outside the chunk");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Need(int pos, int count, int end)
    {
        if (count < 0 || pos > end - count) throw Corrupt(pos, "binary XML past the end of its fragment");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReadU16(int pos) => BinaryPrimitives.ReadUInt16LittleEndian(_chunk.AsSpan(pos));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReadU32(int pos) => BinaryPrimitives.ReadInt32LittleEndian(_chunk.AsSpan(pos));

    private static EvtxFormatException Corrupt(int chunkOffset, string what) =>
        new($"{what} (at chunk offset 0x{chunkOffset:x})");
}

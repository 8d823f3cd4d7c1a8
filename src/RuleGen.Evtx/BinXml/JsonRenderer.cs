using System.Runtime.CompilerServices;
using System.Buffers.Binary;

namespace RuleGen.Evtx.BinXml;

/// <summary>
/// Writes a <see cref="RecordTree"/> as one JSON event in the evtx_dump shape of <c>real-logs/README.md</c>:
/// <list type="bullet">
/// <item>an element with only text is its text; with attributes it is <c>{"#attributes": {..}, "#text": ..}</c> (no
/// <c>#text</c> when it has none); with child elements, an object of them by name (a repeated name gets <c>_1</c>,
/// <c>_2</c>, .. as evtx_dump does);</item>
/// <item>a <c>Data</c> element with a <c>Name</c> attribute is keyed by that name and is its text;</item>
/// <item>an empty element is <c>null</c>, except inside <c>EventData</c> and <c>UserData</c>, where it is <c>""</c>;</item>
/// <item>attributes made only of null substitutions are left out, as are <c>xmlns</c> declarations and
/// <c>RenderingInfo</c> and the attributes of <c>EventData</c> and <c>UserData</c> themselves; every value is a
/// string.</item>
/// </list>
/// Names are transcoded once per chunk (<see cref="BeginChunk"/>) and then copied.
/// </summary>
internal sealed class JsonRenderer
{
    /// <summary>
    /// The most JSON one record may render to: a real record, at most a chunk of UTF-16, renders to a few hundred KB;
    /// damaged templates can name the same large value a hundred thousand times.
    /// </summary>
    public const int MaxRecordBytes = 16 << 20;

    private byte[] _chunk = [];
    private int _start;
    private RecordTree _tree = null!;
    private JsonBuffer _out = null!;

    // Names of this chunk, as escaped UTF-8: name offset -> (start, length) in _names.
    private readonly Dictionary<int, long> _nameIndex = new();
    private byte[] _names = new byte[4096];
    private int _namesLength;
    private readonly JsonBuffer _scratch = new(1024);

    // Keys written in the objects being written (for repeated names): start in the output and length without suffix.
    private int[] _keyStarts = new int[64];
    private int[] _keyLengths = new int[64];
    private int _keyCount;

    /// <summary>Forgets the names of the previous chunk (offsets are chunk-relative).</summary>
    public void BeginChunk(byte[] chunk)
    {
        _chunk = chunk;
        _nameIndex.Clear();
        _namesLength = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Render(RecordTree tree, JsonBuffer output)
    {
        _tree = tree;
        _out = output;
        _keyCount = 0;
        _start = output.Length;
        if (tree.ElementCount == 0) throw new EvtxFormatException("the record holds no XML element");
        output.Write((byte)'{');
        WriteKey(tree.Elements[0].Name, 0);
        output.Write((byte)':');
        WriteElement(0, inPayload: false);
        output.Write((byte)'}');
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteElement(int index, bool inPayload)
    {
        ref readonly var element = ref _tree.Elements[index];
        var children = false;
        for (var c = element.FirstChild; c >= 0; c = _tree.Elements[c].Next)
        {
            if (!IsName(_tree.Elements[c].Name, "RenderingInfo"u8))
            {
                children = true;
                break;
            }
        }
        var attributes = HasAttributes(index);
        var o = _out;
        if (children)
        {
            var payload = inPayload || IsName(element.Name, "EventData"u8) || IsName(element.Name, "UserData"u8);
            o.Write((byte)'{');
            var first = true;
            // EventData's and UserData's own attributes (a Name on EventData) are not part of the shape.
            if (attributes && !(IsName(element.Name, "EventData"u8) || IsName(element.Name, "UserData"u8)))
            {
                WriteAttributes(index);
                first = false;
            }
            var keyBase = _keyCount;
            for (var c = element.FirstChild; c >= 0; c = _tree.Elements[c].Next)
            {
                ref readonly var child = ref _tree.Elements[c];
                if (IsName(child.Name, "RenderingInfo"u8)) continue;
                if (!first) o.Write((byte)',');
                first = false;
                var nameAttribute = IsName(child.Name, "Data"u8) ? FindAttribute(c, "Name"u8) : -1;
                if (nameAttribute >= 0)
                {
                    // <Data Name="X">text</Data> is "X": "text".
                    WriteKeyFromPieces(_tree.Attributes[nameAttribute].FirstPiece, keyBase);
                    o.Write((byte)':');
                    o.Write((byte)'"');
                    WritePieces(child.FirstPiece);
                    o.Write((byte)'"');
                }
                else
                {
                    WriteKey(child.Name, keyBase);
                    o.Write((byte)':');
                    WriteElement(c, payload);
                }
            }
            _keyCount = keyBase;
            o.Write((byte)'}');
        }
        else if (attributes)
        {
            o.Write((byte)'{');
            WriteAttributes(index);
            if (element.FirstPiece >= 0)
            {
                o.Write(",\"#text\":\""u8);
                WritePieces(element.FirstPiece);
                o.Write((byte)'"');
            }
            o.Write((byte)'}');
        }
        else if (element.FirstPiece >= 0)
        {
            o.Write((byte)'"');
            WritePieces(element.FirstPiece);
            o.Write((byte)'"');
        }
        else
        {
            o.Write(inPayload ? "\"\""u8 : "null"u8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool HasAttributes(int element)
    {
        for (var a = _tree.Elements[element].FirstAttribute; a >= 0; a = _tree.Attributes[a].Next)
        {
            if (Kept(a)) return true;
        }
        return false;
    }

    /// <summary>An attribute is written unless it holds nothing (null substitutions) or declares a namespace.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Kept(int attribute)
    {
        ref readonly var a = ref _tree.Attributes[attribute];
        if (a.FirstPiece < 0) return false;
        var name = Name(a.Name);
        return !(name.SequenceEqual("xmlns"u8) || name.StartsWith("xmlns:"u8));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int FindAttribute(int element, ReadOnlySpan<byte> name)
    {
        for (var a = _tree.Elements[element].FirstAttribute; a >= 0; a = _tree.Attributes[a].Next)
        {
            if (_tree.Attributes[a].FirstPiece >= 0 && IsName(_tree.Attributes[a].Name, name)) return a;
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteAttributes(int element)
    {
        var o = _out;
        o.Write("\"#attributes\":{"u8);
        var first = true;
        var keyBase = _keyCount;
        for (var a = _tree.Elements[element].FirstAttribute; a >= 0; a = _tree.Attributes[a].Next)
        {
            if (!Kept(a)) continue;
            if (!first) o.Write((byte)',');
            first = false;
            WriteKey(_tree.Attributes[a].Name, keyBase);
            o.Write(":\""u8);
            WritePieces(_tree.Attributes[a].FirstPiece);
            o.Write((byte)'"');
        }
        _keyCount = keyBase;
        o.Write((byte)'}');
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WritePieces(int piece)
    {
        var o = _out;
        if (o.Length - _start > MaxRecordBytes) throw new EvtxFormatException($"the record renders to more than {MaxRecordBytes >> 20} MB of JSON");
        for (; piece >= 0; piece = _tree.Pieces[piece].Next)
        {
            ref readonly var p = ref _tree.Pieces[piece];
            switch (p.Type)
            {
                case BinXmlValueType.CharRefPiece:
                    ValueText.WriteChar(o, p.Offset);
                    break;
                case BinXmlValueType.EntityRefPiece:
                    WriteEntity(p.Offset);
                    break;
                default:
                    ValueText.Write(o, p.Type, _chunk.AsSpan(p.Offset, p.Length));
                    break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteEntity(int name)
    {
        var text = Name(name);
        var c = text.SequenceEqual("amp"u8) ? '&' : text.SequenceEqual("lt"u8) ? '<' : text.SequenceEqual("gt"u8) ? '>'
            : text.SequenceEqual("quot"u8) ? '"' : text.SequenceEqual("apos"u8) ? '\'' : '\0';
        if (c != '\0')
        {
            ValueText.WriteChar(_out, c);
            return;
        }
        _out.Write((byte)'&');
        _out.Write(text);
        _out.Write((byte)';');
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteKey(int name, int keyBase) => WriteKeyText(Name(name), keyBase);

    /// <summary>A key made of text pieces (a Data element's Name attribute).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteKeyFromPieces(int piece, int keyBase)
    {
        var o = _out;
        var start = o.Length;
        WritePieces(piece);
        var length = o.Length - start;
        // The key's text is in the output already; copy it aside and write it as a key.
        _scratch.Clear();
        _scratch.Write(o.WrittenSpan.Slice(start, length));
        o.Truncate(start);
        WriteKeyText(_scratch.WrittenSpan, keyBase);
    }

    /// <summary>Writes <c>"key"</c>; a key already written in this object gets the suffix <c>_n</c> (n: how many came before).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteKeyText(ReadOnlySpan<byte> key, int keyBase)
    {
        var o = _out;
        o.Write((byte)'"');
        var start = o.Length;
        o.Write(key);
        var repeats = 0;
        var written = o.WrittenSpan;
        for (var k = keyBase; k < _keyCount; k++)
        {
            if (written.Slice(_keyStarts[k], _keyLengths[k]).SequenceEqual(key)) repeats++;
        }
        if (repeats > 0)
        {
            o.Write((byte)'_');
            var buffer = o.Ensure(12);
            repeats.TryFormat(buffer.AsSpan(o.Length), out var digits);
            o.Length += digits;
        }
        o.Write((byte)'"');
        if (_keyCount == _keyStarts.Length)
        {
            Array.Resize(ref _keyStarts, _keyCount * 2);
            Array.Resize(ref _keyLengths, _keyCount * 2);
        }
        _keyStarts[_keyCount] = start;
        _keyLengths[_keyCount] = key.Length;
        _keyCount++;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsName(int name, ReadOnlySpan<byte> ascii) => Name(name).SequenceEqual(ascii);

    /// <summary>The name at chunk offset <paramref name="offset"/> as escaped UTF-8 (the parser checked its bounds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> Name(int offset)
    {
        if (!_nameIndex.TryGetValue(offset, out var span))
        {
            var chars = BinaryPrimitives.ReadUInt16LittleEndian(_chunk.AsSpan(offset + 6));
            _scratch.Clear();
            ValueText.WriteUtf16(_scratch, _chunk.AsSpan(offset + 8, chars * 2));
            var text = _scratch.WrittenSpan;
            if (_names.Length - _namesLength < text.Length) Array.Resize(ref _names, Math.Max(_names.Length * 2, _namesLength + text.Length));
            text.CopyTo(_names.AsSpan(_namesLength));
            span = ((long)_namesLength << 32) | (uint)text.Length;
            _namesLength += text.Length;
            _nameIndex[offset] = span;
        }
        return _names.AsSpan((int)(span >> 32), (int)span);
    }
}

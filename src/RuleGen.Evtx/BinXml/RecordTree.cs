using System.Runtime.CompilerServices;
namespace RuleGen.Evtx.BinXml;

/// <summary>
/// One record's XML as the parser found it: elements, attributes and text pieces in flat arrays of structs, linked by
/// index and reused from record to record (no allocation once they have grown). Names are chunk offsets of name
/// structures; text pieces are typed byte ranges of the chunk (inline text or substitution values), formatted only when
/// the JSON is written.
/// </summary>
internal sealed class RecordTree
{
    /// <summary>More nodes than this in one record is damage (a template instantiated in a loop), not a real event.</summary>
    public const int MaxItems = 1 << 18;

    public struct Element
    {
        public int Name;
        public int Parent;
        public int FirstChild;
        public int LastChild;
        public int Next;
        public int FirstAttribute;
        public int LastAttribute;
        public int FirstPiece;
        public int LastPiece;
    }

    public struct Attribute
    {
        public int Name;
        public int Next;
        public int FirstPiece;
        public int LastPiece;
    }

    public struct Piece
    {
        public byte Type;
        public int Offset;
        public int Length;
        public int Next;
    }

    public Element[] Elements = new Element[256];
    public Attribute[] Attributes = new Attribute[256];
    public Piece[] Pieces = new Piece[512];
    public int ElementCount;
    public int AttributeCount;
    public int PieceCount;

    public void Clear()
    {
        ElementCount = 0;
        AttributeCount = 0;
        PieceCount = 0;
    }

    /// <summary>Adds an element under <paramref name="parent"/> (-1: a root).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int AddElement(int name, int parent)
    {
        if (ElementCount == Elements.Length) Grow(ref Elements);
        var index = ElementCount++;
        Elements[index] = new Element
        {
            Name = name, Parent = parent, FirstChild = -1, LastChild = -1, Next = -1,
            FirstAttribute = -1, LastAttribute = -1, FirstPiece = -1, LastPiece = -1,
        };
        if (parent >= 0)
        {
            ref var p = ref Elements[parent];
            if (p.LastChild < 0) p.FirstChild = index;
            else Elements[p.LastChild].Next = index;
            p.LastChild = index;
        }
        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int AddAttribute(int element, int name)
    {
        if (AttributeCount == Attributes.Length) Grow(ref Attributes);
        var index = AttributeCount++;
        Attributes[index] = new Attribute { Name = name, Next = -1, FirstPiece = -1, LastPiece = -1 };
        ref var e = ref Elements[element];
        if (e.LastAttribute < 0) e.FirstAttribute = index;
        else Attributes[e.LastAttribute].Next = index;
        e.LastAttribute = index;
        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int NewPiece(byte type, int offset, int length)
    {
        if (PieceCount == Pieces.Length) Grow(ref Pieces);
        var index = PieceCount++;
        Pieces[index] = new Piece { Type = type, Offset = offset, Length = length, Next = -1 };
        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddElementPiece(int element, byte type, int offset, int length)
    {
        var piece = NewPiece(type, offset, length);
        ref var e = ref Elements[element];
        if (e.LastPiece < 0) e.FirstPiece = piece;
        else Pieces[e.LastPiece].Next = piece;
        e.LastPiece = piece;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddAttributePiece(int attribute, byte type, int offset, int length)
    {
        var piece = NewPiece(type, offset, length);
        ref var a = ref Attributes[attribute];
        if (a.LastPiece < 0) a.FirstPiece = piece;
        else Pieces[a.LastPiece].Next = piece;
        a.LastPiece = piece;
    }

    private static void Grow<T>(ref T[] array)
    {
        if (array.Length >= MaxItems) throw new EvtxFormatException("the record's XML has more than " + MaxItems + " nodes");
        Array.Resize(ref array, array.Length * 2);
    }
}

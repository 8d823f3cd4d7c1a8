namespace RuleGen.Evtx.BinXml;

/// <summary>The tokens of Windows binary XML (the low nibble; 0x40 marks "more follow" / "has attributes").</summary>
internal static class BinXmlToken
{
    public const byte EndOfFragment = 0x00;
    public const byte OpenStartElement = 0x01;
    public const byte CloseStartElement = 0x02;
    public const byte CloseEmptyElement = 0x03;
    public const byte EndElement = 0x04;
    public const byte Value = 0x05;
    public const byte Attribute = 0x06;
    public const byte CDataSection = 0x07;
    public const byte CharRef = 0x08;
    public const byte EntityRef = 0x09;
    public const byte PITarget = 0x0A;
    public const byte PIData = 0x0B;
    public const byte TemplateInstance = 0x0C;
    public const byte NormalSubstitution = 0x0D;
    public const byte OptionalSubstitution = 0x0E;
    public const byte FragmentHeader = 0x0F;

    /// <summary>On an element: it has an attribute list. On other tokens: more of the same kind follow.</summary>
    public const byte MoreFlag = 0x40;
}

/// <summary>The value types of binary XML values and substitutions (0x80 marks an array of the base type).</summary>
internal static class BinXmlValueType
{
    public const byte Null = 0x00;
    public const byte WString = 0x01;
    public const byte AnsiString = 0x02;
    public const byte Int8 = 0x03;
    public const byte UInt8 = 0x04;
    public const byte Int16 = 0x05;
    public const byte UInt16 = 0x06;
    public const byte Int32 = 0x07;
    public const byte UInt32 = 0x08;
    public const byte Int64 = 0x09;
    public const byte UInt64 = 0x0A;
    public const byte Real32 = 0x0B;
    public const byte Real64 = 0x0C;
    public const byte Bool = 0x0D;
    public const byte Binary = 0x0E;
    public const byte Guid = 0x0F;
    public const byte SizeT = 0x10;
    public const byte FileTime = 0x11;
    public const byte SystemTime = 0x12;
    public const byte Sid = 0x13;
    public const byte HexInt32 = 0x14;
    public const byte HexInt64 = 0x15;
    public const byte EvtHandle = 0x20;
    public const byte BinXml = 0x21;
    public const byte EvtXml = 0x23;
    public const byte ArrayFlag = 0x80;

    // Pieces of text that are not substitution values (the parser's own kinds, above every real type).
    /// <summary>A character reference: the piece's offset holds the UTF-16 code unit.</summary>
    public const byte CharRefPiece = 0xF0;

    /// <summary>An entity reference: the piece's offset is the entity's name.</summary>
    public const byte EntityRefPiece = 0xF1;
}

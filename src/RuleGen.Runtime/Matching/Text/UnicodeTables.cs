// This file is compiled into the runtime and, linked, into the generator (RULEGEN_GENERATOR): the generator analyses
// rule literals at build time with exactly the code that analyses event values at run time.
using System;

#if RULEGEN_GENERATOR
namespace RuleGen.Generator.Text;
#else
namespace RuleGen.Runtime.Text;
#endif

/// <summary>The Word_Break property values of Unicode Standard Annex #29 (the low bits of a code point's class).</summary>
internal enum WordBreak : byte
{
    Other = 0,
    CR = 1,
    LF = 2,
    Newline = 3,
    Extend = 4,
    ZWJ = 5,
    RegionalIndicator = 6,
    Format = 7,
    Katakana = 8,
    HebrewLetter = 9,
    ALetter = 10,
    SingleQuote = 11,
    DoubleQuote = 12,
    MidNumLet = 13,
    MidLetter = 14,
    MidNum = 15,
    Numeric = 16,
    ExtendNumLet = 17,
    WSegSpace = 18,
}

/// <summary>
/// Lookups into the generated Unicode tables (UnicodeTables.Data.cs): each code point's word-break class and its
/// simple lowercase mapping (UnicodeData.txt field 13, which is what Java's <c>Character.toLowerCase(int)</c> and so
/// Lucene's LowerCaseFilter apply).
/// </summary>
internal static partial class UnicodeTables
{
    public const byte WordBreakMask = 0x1F;
    public const byte ExtendedPictographic = 0x20;
    public const byte Ideographic = 0x40;
    public const byte ComplexContext = 0x80;

    // A holder class, so the table is built after the generated tables (another part of this class) exist: static
    // fields of partial class parts initialize in no guaranteed order.
    private static class Latin1
    {
        public static readonly byte[] Classes = Build();

        private static byte[] Build()
        {
            var table = new byte[256];
            for (var cp = 0; cp < 256; cp++) table[cp] = SearchClass(cp);
            return table;
        }
    }

    /// <summary>The class byte of <paramref name="codePoint"/>: Word_Break value plus flags.</summary>
    public static byte Class(int codePoint) => (uint)codePoint < 256 ? Latin1.Classes[codePoint] : SearchClass(codePoint);

    private static byte SearchClass(int codePoint)
    {
        var starts = s_classStarts;
        int lo = 0, hi = starts.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (starts[mid] <= codePoint) lo = mid;
            else hi = mid - 1;
        }
        return s_classValues[lo];
    }

    /// <summary>The simple lowercase mapping of <paramref name="codePoint"/> (itself when it has none).</summary>
    public static int ToLower(int codePoint)
    {
        if (codePoint < 0x80) return (uint)(codePoint - 'A') <= 'Z' - 'A' ? codePoint | 0x20 : codePoint;
        var starts = s_lowerStarts;
        int lo = 0, hi = starts.Length - 1;
        if (codePoint < starts[0]) return codePoint;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (starts[mid] <= codePoint) lo = mid;
            else hi = mid - 1;
        }
        if (codePoint > s_lowerEnds[lo] || (codePoint - starts[lo]) % s_lowerStrides[lo] != 0) return codePoint;
        return codePoint + s_lowerDeltas[lo];
    }
}

/// <summary>UTF-8 decoding and encoding of single scalar values, without allocation.</summary>
internal static class Utf8Scalar
{
    public const int Replacement = 0xFFFD;

    /// <summary>
    /// Decodes the scalar at <paramref name="index"/>; ill-formed bytes decode as U+FFFD one byte at a time.
    /// Returns the code point and sets <paramref name="length"/> to the bytes consumed.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> text, int index, out int length)
    {
        var b0 = text[index];
        if (b0 < 0x80)
        {
            length = 1;
            return b0;
        }
        int need, cp, min;
        if ((b0 & 0xE0) == 0xC0) { need = 1; cp = b0 & 0x1F; min = 0x80; }
        else if ((b0 & 0xF0) == 0xE0) { need = 2; cp = b0 & 0x0F; min = 0x800; }
        else if ((b0 & 0xF8) == 0xF0) { need = 3; cp = b0 & 0x07; min = 0x10000; }
        else { length = 1; return Replacement; }
        if (index + need > text.Length - 1)
        {
            length = 1;
            return Replacement;
        }
        for (var i = 1; i <= need; i++)
        {
            var b = text[index + i];
            if ((b & 0xC0) != 0x80)
            {
                length = 1;
                return Replacement;
            }
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        {
            length = 1;
            return Replacement;
        }
        length = need + 1;
        return cp;
    }

    /// <summary>Writes <paramref name="codePoint"/> as UTF-8 at <paramref name="index"/>; returns the bytes written.</summary>
    public static int Encode(int codePoint, Span<byte> destination, int index)
    {
        if (codePoint < 0x80)
        {
            destination[index] = (byte)codePoint;
            return 1;
        }
        if (codePoint < 0x800)
        {
            destination[index] = (byte)(0xC0 | (codePoint >> 6));
            destination[index + 1] = (byte)(0x80 | (codePoint & 0x3F));
            return 2;
        }
        if (codePoint < 0x10000)
        {
            destination[index] = (byte)(0xE0 | (codePoint >> 12));
            destination[index + 1] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
            destination[index + 2] = (byte)(0x80 | (codePoint & 0x3F));
            return 3;
        }
        destination[index] = (byte)(0xF0 | (codePoint >> 18));
        destination[index + 1] = (byte)(0x80 | ((codePoint >> 12) & 0x3F));
        destination[index + 2] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
        destination[index + 3] = (byte)(0x80 | (codePoint & 0x3F));
        return 4;
    }

    /// <summary>How many UTF-16 code units <paramref name="codePoint"/> takes (Lucene counts token length in them).</summary>
    public static int Utf16Length(int codePoint) => codePoint >= 0x10000 ? 2 : 1;
}

/// <summary>
/// Lowercasing of UTF-8 text with the simple Unicode mappings, as Elasticsearch's <c>lowercase</c> token filter and
/// normalizer do. Never allocates: callers pass the destination.
/// </summary>
internal static class Utf8Lowercase
{
    /// <summary>The most bytes lowercasing <paramref name="sourceLength"/> bytes can produce (a 2-byte letter can map to 3 bytes).</summary>
    public static int MaxLength(int sourceLength) => sourceLength + (sourceLength >> 1) + 4;

    /// <summary>Lowercases <paramref name="source"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes); returns the length.</summary>
    public static int ToLower(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var written = 0;
        var i = 0;
        while (i < source.Length)
        {
            var b = source[i];
            if (b < 0x80)
            {
                destination[written++] = (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
                i++;
                continue;
            }
            var cp = Utf8Scalar.Decode(source, i, out var length);
            if (cp == Utf8Scalar.Replacement && length == 1)
            {
                // Ill-formed byte: keep it as it is (events are compared byte for byte otherwise too).
                destination[written++] = b;
                i++;
                continue;
            }
            written += Utf8Scalar.Encode(UnicodeTables.ToLower(cp), destination, written);
            i += length;
        }
        return written;
    }

    /// <summary>Whether <paramref name="text"/> lowercased equals <paramref name="lowerLiteral"/> (already lowercase).</summary>
    public static bool EqualsLowercase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerLiteral)
    {
        var j = 0;
        var i = 0;
        Span<byte> encoded = stackalloc byte[4];
        while (i < text.Length)
        {
            var b = text[i];
            if (b < 0x80)
            {
                if (j >= lowerLiteral.Length) return false;
                var lower = (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
                if (lowerLiteral[j] != lower) return false;
                i++;
                j++;
                continue;
            }
            var cp = Utf8Scalar.Decode(text, i, out var length);
            var n = Utf8Scalar.Encode(UnicodeTables.ToLower(cp), encoded, 0);
            if (cp == Utf8Scalar.Replacement && length == 1)
            {
                encoded[0] = b;
                n = 1;
            }
            if (j + n > lowerLiteral.Length) return false;
            for (var k = 0; k < n; k++)
            {
                if (lowerLiteral[j + k] != encoded[k]) return false;
            }
            i += length;
            j += n;
        }
        return j == lowerLiteral.Length;
    }
}

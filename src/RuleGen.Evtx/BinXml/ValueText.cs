using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;

namespace RuleGen.Evtx.BinXml;

/// <summary>
/// Writes binary XML values as the text of JSON strings (escaped, without the quotes). The text of each type is what
/// python-evtx's XML gives (the README of <c>real-logs</c>): decimal integers, zero-padded hex integers (<c>0x%08x</c>,
/// <c>0x%016x</c>), braced lowercase GUIDs, <c>S-1-...</c> SIDs, base64 binary, <c>True</c>/<c>False</c>, Python's float
/// text, string arrays as <c>&lt;string&gt;..&lt;/string&gt;</c> lines; times are ISO 8601 UTC with microseconds and
/// <c>Z</c> (<c>2017-08-30T19:13:38.198483Z</c>), evtx_dump's form.
/// </summary>
internal static class ValueText
{
    private const long FileTimeEpochTicks = 504911232000000000; // 1601-01-01 in DateTime ticks

    /// <summary>Writes the text of a value of <paramref name="type"/> held in <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(JsonBuffer o, byte type, ReadOnlySpan<byte> value)
    {
        if ((type & BinXmlValueType.ArrayFlag) != 0)
        {
            WriteArray(o, (byte)(type & ~BinXmlValueType.ArrayFlag), value);
            return;
        }
        switch (type)
        {
            case BinXmlValueType.Null:
                return;
            case BinXmlValueType.WString:
            case BinXmlValueType.EvtXml:
                WriteUtf16(o, TrimNuls(value));
                return;
            case BinXmlValueType.AnsiString:
                WriteLatin1(o, value.TrimEnd((byte)0));
                return;
            case BinXmlValueType.Int8 when value.Length >= 1:
                WriteFormatted(o, (sbyte)value[0]);
                return;
            case BinXmlValueType.UInt8 when value.Length >= 1:
                WriteFormatted(o, value[0]);
                return;
            case BinXmlValueType.Int16 when value.Length >= 2:
                WriteFormatted(o, BinaryPrimitives.ReadInt16LittleEndian(value));
                return;
            case BinXmlValueType.UInt16 when value.Length >= 2:
                WriteFormatted(o, BinaryPrimitives.ReadUInt16LittleEndian(value));
                return;
            case BinXmlValueType.Int32 when value.Length >= 4:
                WriteFormatted(o, BinaryPrimitives.ReadInt32LittleEndian(value));
                return;
            case BinXmlValueType.UInt32 when value.Length >= 4:
                WriteFormatted(o, BinaryPrimitives.ReadUInt32LittleEndian(value));
                return;
            case BinXmlValueType.Int64 when value.Length >= 8:
                WriteFormatted(o, BinaryPrimitives.ReadInt64LittleEndian(value));
                return;
            case BinXmlValueType.UInt64 when value.Length >= 8:
                WriteFormatted(o, BinaryPrimitives.ReadUInt64LittleEndian(value));
                return;
            case BinXmlValueType.EvtHandle when value.Length >= 8:
                WriteFormatted(o, BinaryPrimitives.ReadUInt64LittleEndian(value));
                return;
            case BinXmlValueType.EvtHandle when value.Length >= 4:
                WriteFormatted(o, BinaryPrimitives.ReadUInt32LittleEndian(value));
                return;
            case BinXmlValueType.Real32 when value.Length >= 4:
                WritePythonFloat(o, BinaryPrimitives.ReadSingleLittleEndian(value));
                return;
            case BinXmlValueType.Real64 when value.Length >= 8:
                WritePythonFloat(o, BinaryPrimitives.ReadDoubleLittleEndian(value));
                return;
            case BinXmlValueType.Bool when value.Length >= 1:
                o.Write(IsTrue(value) ? "True"u8 : "False"u8);
                return;
            case BinXmlValueType.Binary:
                WriteBase64(o, value);
                return;
            case BinXmlValueType.Guid when value.Length >= 16:
                WriteGuid(o, value);
                return;
            case BinXmlValueType.SizeT when value.Length == 4:
            case BinXmlValueType.HexInt32 when value.Length >= 4:
                WriteHex(o, BinaryPrimitives.ReadUInt32LittleEndian(value), 8);
                return;
            case BinXmlValueType.SizeT when value.Length >= 8:
            case BinXmlValueType.HexInt64 when value.Length >= 8:
                WriteHex(o, BinaryPrimitives.ReadUInt64LittleEndian(value), 16);
                return;
            case BinXmlValueType.FileTime when value.Length >= 8:
                WriteFileTime(o, BinaryPrimitives.ReadUInt64LittleEndian(value));
                return;
            case BinXmlValueType.SystemTime when value.Length >= 16:
                WriteSystemTime(o, value);
                return;
            case BinXmlValueType.Sid when value.Length >= 8:
                WriteSid(o, value);
                return;
            default:
                // A type this reader does not know, or a value too short for its type: its bytes, as hex.
                WriteHexBytes(o, value);
                return;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsTrue(ReadOnlySpan<byte> value) => value.IndexOfAnyExcept((byte)0) >= 0;

    /// <summary>A WString without its trailing NUL characters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<byte> TrimNuls(ReadOnlySpan<byte> utf16)
    {
        var length = utf16.Length & ~1;
        while (length >= 2 && utf16[length - 1] == 0 && utf16[length - 2] == 0) length -= 2;
        return utf16[..length];
    }

    /// <summary>Arrays: one <c>&lt;string&gt;item&lt;/string&gt;</c> line per item, as python-evtx writes them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteArray(JsonBuffer o, byte type, ReadOnlySpan<byte> value)
    {
        if (type == BinXmlValueType.WString)
        {
            // NUL-terminated strings, one after another.
            var rest = value[..(value.Length & ~1)];
            while (rest.Length > 0)
            {
                var end = 0;
                while (end + 1 < rest.Length && (rest[end] != 0 || rest[end + 1] != 0)) end += 2;
                WriteArrayItem(o, BinXmlValueType.WString, rest[..end]);
                rest = rest[Math.Min(rest.Length, end + 2)..];
            }
            return;
        }
        if (type == BinXmlValueType.AnsiString)
        {
            foreach (var range in value.Split((byte)0))
            {
                if (range.End.Value == value.Length && range.Start.Value == range.End.Value) break;
                WriteArrayItem(o, type, value[range]);
            }
            return;
        }
        var size = type switch
        {
            BinXmlValueType.Int8 or BinXmlValueType.UInt8 => 1,
            BinXmlValueType.Int16 or BinXmlValueType.UInt16 => 2,
            BinXmlValueType.Int32 or BinXmlValueType.UInt32 or BinXmlValueType.Real32 or BinXmlValueType.Bool or BinXmlValueType.HexInt32 => 4,
            BinXmlValueType.Int64 or BinXmlValueType.UInt64 or BinXmlValueType.Real64 or BinXmlValueType.FileTime or BinXmlValueType.HexInt64 or BinXmlValueType.SizeT => 8,
            BinXmlValueType.Guid or BinXmlValueType.SystemTime => 16,
            _ => 0,
        };
        if (size == 0)
        {
            WriteHexBytes(o, value);
            return;
        }
        for (var at = 0; at + size <= value.Length; at += size) WriteArrayItem(o, type, value.Slice(at, size));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteArrayItem(JsonBuffer o, byte type, ReadOnlySpan<byte> item)
    {
        o.Write("<string>"u8);
        Write(o, type, item);
        o.Write("</string>\\n"u8);
    }

    /// <summary>UTF-16LE as escaped UTF-8; a lone surrogate becomes U+FFFD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteUtf16(JsonBuffer o, ReadOnlySpan<byte> utf16)
    {
        var chars = utf16.Length / 2;
        var buffer = o.Ensure(chars * 6);
        var n = o.Length;
        for (var i = 0; i < chars; i++)
        {
            int c = utf16[2 * i] | (utf16[2 * i + 1] << 8);
            if (c < 0x80)
            {
                if (c >= 0x20 && c != '"' && c != '\\') buffer[n++] = (byte)c;
                else n = Escape(buffer, n, c);
            }
            else if (c < 0x800)
            {
                buffer[n++] = (byte)(0xC0 | (c >> 6));
                buffer[n++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (c is >= 0xD800 and <= 0xDBFF && i + 1 < chars
                     && (utf16[2 * i + 3] & 0xFC) == 0xDC)
            {
                int low = utf16[2 * i + 2] | (utf16[2 * i + 3] << 8);
                var code = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                buffer[n++] = (byte)(0xF0 | (code >> 18));
                buffer[n++] = (byte)(0x80 | ((code >> 12) & 0x3F));
                buffer[n++] = (byte)(0x80 | ((code >> 6) & 0x3F));
                buffer[n++] = (byte)(0x80 | (code & 0x3F));
                i++;
            }
            else
            {
                if (c is >= 0xD800 and <= 0xDFFF) c = 0xFFFD;
                buffer[n++] = (byte)(0xE0 | (c >> 12));
                buffer[n++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                buffer[n++] = (byte)(0x80 | (c & 0x3F));
            }
        }
        o.Length = n;
    }

    /// <summary>One UTF-16 code unit (a character reference).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteChar(JsonBuffer o, int c)
    {
        Span<byte> utf16 = [(byte)c, (byte)(c >> 8)];
        WriteUtf16(o, utf16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteLatin1(JsonBuffer o, ReadOnlySpan<byte> text)
    {
        var buffer = o.Ensure(text.Length * 6);
        var n = o.Length;
        foreach (int c in text)
        {
            if (c >= 0x80)
            {
                buffer[n++] = (byte)(0xC0 | (c >> 6));
                buffer[n++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (c >= 0x20 && c != '"' && c != '\\') buffer[n++] = (byte)c;
            else n = Escape(buffer, n, c);
        }
        o.Length = n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Escape(byte[] buffer, int n, int c)
    {
        buffer[n++] = (byte)'\\';
        switch (c)
        {
            case '"': buffer[n++] = (byte)'"'; break;
            case '\\': buffer[n++] = (byte)'\\'; break;
            case '\n': buffer[n++] = (byte)'n'; break;
            case '\r': buffer[n++] = (byte)'r'; break;
            case '\t': buffer[n++] = (byte)'t'; break;
            case '\b': buffer[n++] = (byte)'b'; break;
            case '\f': buffer[n++] = (byte)'f'; break;
            default:
                buffer[n++] = (byte)'u';
                buffer[n++] = (byte)'0';
                buffer[n++] = (byte)'0';
                buffer[n++] = HexDigit(c >> 4);
                buffer[n++] = HexDigit(c & 0xF);
                break;
        }
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static byte HexDigit(int d) => (byte)(d < 10 ? '0' + d : 'a' + d - 10);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteFormatted<T>(JsonBuffer o, T value) where T : IUtf8SpanFormattable
    {
        var buffer = o.Ensure(32);
        value.TryFormat(buffer.AsSpan(o.Length), out var written, default, CultureInfo.InvariantCulture);
        o.Length += written;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteHex(JsonBuffer o, ulong value, int digits)
    {
        var buffer = o.Ensure(2 + digits);
        var n = o.Length;
        buffer[n++] = (byte)'0';
        buffer[n++] = (byte)'x';
        for (var d = digits - 1; d >= 0; d--) buffer[n++] = HexDigit((int)(value >> (d * 4)) & 0xF);
        o.Length = n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteHexBytes(JsonBuffer o, ReadOnlySpan<byte> value)
    {
        var buffer = o.Ensure(value.Length * 2);
        var n = o.Length;
        foreach (var b in value)
        {
            buffer[n++] = HexDigit(b >> 4);
            buffer[n++] = HexDigit(b & 0xF);
        }
        o.Length = n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteBase64(JsonBuffer o, ReadOnlySpan<byte> value)
    {
        var buffer = o.Ensure(Base64.GetMaxEncodedToUtf8Length(value.Length));
        Base64.EncodeToUtf8(value, buffer.AsSpan(o.Length), out _, out var written);
        o.Length += written;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteGuid(JsonBuffer o, ReadOnlySpan<byte> value)
    {
        var buffer = o.Ensure(38);
        new Guid(value[..16]).TryFormat(buffer.AsSpan(o.Length), out var written, "B");
        o.Length += written;
    }

    /// <summary>A FILETIME (100 ns ticks since 1601) as ISO 8601 UTC with microseconds; out of range: the ticks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteFileTime(JsonBuffer o, ulong fileTime)
    {
        if (fileTime > (ulong)(DateTime.MaxValue.Ticks - FileTimeEpochTicks))
        {
            WriteFormatted(o, fileTime);
            return;
        }
        var time = new DateTime((long)fileTime + FileTimeEpochTicks, DateTimeKind.Utc);
        var buffer = o.Ensure(32);
        time.TryFormat(buffer.AsSpan(o.Length), out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        o.Length += written;
    }

    /// <summary>A SYSTEMTIME (year, month, weekday, day, hour, minute, second, milliseconds) in the same form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteSystemTime(JsonBuffer o, ReadOnlySpan<byte> value)
    {
        var buffer = o.Ensure(40);
        var n = o.Length;
        n = Digits(buffer, n, Field(value, 0), 4);
        buffer[n++] = (byte)'-';
        n = Digits(buffer, n, Field(value, 1), 2);
        buffer[n++] = (byte)'-';
        n = Digits(buffer, n, Field(value, 3), 2);
        buffer[n++] = (byte)'T';
        n = Digits(buffer, n, Field(value, 4), 2);
        buffer[n++] = (byte)':';
        n = Digits(buffer, n, Field(value, 5), 2);
        buffer[n++] = (byte)':';
        n = Digits(buffer, n, Field(value, 6), 2);
        buffer[n++] = (byte)'.';
        n = Digits(buffer, n, Field(value, 7), 3);
        "000Z"u8.CopyTo(buffer.AsSpan(n));
        o.Length = n + 4;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Field(ReadOnlySpan<byte> value, int i) => BinaryPrimitives.ReadUInt16LittleEndian(value[(i * 2)..]);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Digits(byte[] buffer, int n, int value, int width)
    {
        value.TryFormat(buffer.AsSpan(n), out var written, width == 4 ? "D4" : width == 3 ? "D3" : "D2", CultureInfo.InvariantCulture);
        return n + written;
    }

    /// <summary>A SID: revision, sub-authority count, 48-bit big-endian authority, 32-bit sub-authorities.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteSid(JsonBuffer o, ReadOnlySpan<byte> value)
    {
        var count = value[1];
        o.Write("S-"u8);
        WriteFormatted(o, value[0]);
        o.Write((byte)'-');
        ulong authority = 0;
        for (var i = 2; i < 8; i++) authority = (authority << 8) | value[i];
        WriteFormatted(o, authority);
        for (var i = 0; i < count && 8 + i * 4 + 4 <= value.Length; i++)
        {
            o.Write((byte)'-');
            WriteFormatted(o, BinaryPrimitives.ReadUInt32LittleEndian(value[(8 + i * 4)..]));
        }
    }

    /// <summary>A float as Python's <c>str()</c> writes it (shortest round trip, <c>.0</c> on integers, <c>1e-05</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WritePythonFloat(JsonBuffer o, double value)
    {
        if (double.IsNaN(value))
        {
            o.Write("nan"u8);
            return;
        }
        if (double.IsInfinity(value))
        {
            o.Write(value > 0 ? "inf"u8 : "-inf"u8);
            return;
        }
        // The shortest round-trip digits and their decimal exponent (value = 0.d1d2...dn * 10^point).
        Span<char> text = stackalloc char[64];
        value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
        var s = text[..length];
        var negative = s[0] == '-';
        if (negative) s = s[1..];
        var e = s.IndexOf('E');
        var exponent = e < 0 ? 0 : int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? s : s[..e];
        Span<char> digits = stackalloc char[40];
        var count = 0;
        var dot = mantissa.IndexOf('.');
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        foreach (var c in mantissa)
        {
            if (c != '.') digits[count++] = c;
        }
        // Leading zeros (0.0001) move the point; trailing zeros are not significant.
        var lead = 0;
        while (lead < count - 1 && digits[lead] == '0') lead++;
        point -= lead;
        var significant = digits[lead..count];
        while (significant.Length > 1 && significant[^1] == '0') significant = significant[..^1];
        if (significant.Length == 1 && significant[0] == '0') point = 1;

        Span<byte> result = stackalloc byte[400];
        var n = 0;
        if (negative) result[n++] = (byte)'-';
        var scientific = point - 1; // Python's exponent: d1.d2... * 10^scientific
        if (scientific is >= -4 and < 16)
        {
            if (point <= 0)
            {
                result[n++] = (byte)'0';
                result[n++] = (byte)'.';
                for (var z = 0; z < -point; z++) result[n++] = (byte)'0';
                foreach (var c in significant) result[n++] = (byte)c;
            }
            else
            {
                for (var k = 0; k < point; k++) result[n++] = (byte)(k < significant.Length ? significant[k] : '0');
                result[n++] = (byte)'.';
                if (significant.Length > point) foreach (var c in significant[point..]) result[n++] = (byte)c;
                else result[n++] = (byte)'0';
            }
        }
        else
        {
            result[n++] = (byte)significant[0];
            if (significant.Length > 1)
            {
                result[n++] = (byte)'.';
                foreach (var c in significant[1..]) result[n++] = (byte)c;
            }
            result[n++] = (byte)'e';
            result[n++] = (byte)(scientific < 0 ? '-' : '+');
            var magnitude = Math.Abs(scientific);
            if (magnitude < 10) result[n++] = (byte)'0';
            magnitude.TryFormat(result[n..], out var written, default, CultureInfo.InvariantCulture);
            n += written;
        }
        o.Write(result[..n]);
    }
}

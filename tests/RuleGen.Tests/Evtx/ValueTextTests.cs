using System.Text;
using RuleGen.Evtx;
using RuleGen.Evtx.BinXml;

namespace RuleGen.Tests.Evtx;

/// <summary>
/// The text of every binary XML value type, including those the real logs do not hold (floats, SYSTEMTIME, arrays of
/// numbers): as python-evtx writes them, with times in evtx_dump's ISO 8601 form, as JSON string content.
/// </summary>
public sealed class ValueTextTests
{
    private static string Text(byte type, params byte[] value)
    {
        var o = new JsonBuffer();
        ValueText.Write(o, type, value);
        return Encoding.UTF8.GetString(o.WrittenSpan);
    }

    private static byte[] Le(long v, int size) => BitConverter.GetBytes(v)[..size];

    private static byte[] Utf16(string s) => Encoding.Unicode.GetBytes(s);

    [Fact]
    public void Integers_are_decimal_and_hex_types_are_zero_padded()
    {
        Assert.Equal("-5", Text(BinXmlValueType.Int8, 0xFB));
        Assert.Equal("251", Text(BinXmlValueType.UInt8, 0xFB));
        Assert.Equal("-2", Text(BinXmlValueType.Int16, Le(-2, 2)));
        Assert.Equal("65534", Text(BinXmlValueType.UInt16, Le(-2, 2)));
        Assert.Equal("-7", Text(BinXmlValueType.Int32, Le(-7, 4)));
        Assert.Equal("4294967289", Text(BinXmlValueType.UInt32, Le(-7, 4)));
        Assert.Equal("-9", Text(BinXmlValueType.Int64, Le(-9, 8)));
        Assert.Equal("18446744073709551607", Text(BinXmlValueType.UInt64, Le(-9, 8)));
        Assert.Equal("0x000003e7", Text(BinXmlValueType.HexInt32, Le(0x3e7, 4)));
        Assert.Equal("0x80000000000003e7", Text(BinXmlValueType.HexInt64, Le(unchecked((long)0x80000000000003e7), 8)));
        Assert.Equal("0x00000010", Text(BinXmlValueType.SizeT, Le(16, 4)));
        Assert.Equal("0x0000000000000010", Text(BinXmlValueType.SizeT, Le(16, 8)));
    }

    [Fact]
    public void Floats_are_written_as_python_writes_them()
    {
        Assert.Equal("1.5", Text(BinXmlValueType.Real32, BitConverter.GetBytes(1.5f)));
        Assert.Equal("3.0", Text(BinXmlValueType.Real64, BitConverter.GetBytes(3.0)));
        Assert.Equal("0.1", Text(BinXmlValueType.Real64, BitConverter.GetBytes(0.1)));
        Assert.Equal("1e-05", Text(BinXmlValueType.Real64, BitConverter.GetBytes(1e-5)));
        Assert.Equal("1e+16", Text(BinXmlValueType.Real64, BitConverter.GetBytes(1e16)));
        Assert.Equal("1000000000000000.0", Text(BinXmlValueType.Real64, BitConverter.GetBytes(1e15)));
        Assert.Equal("0.0001", Text(BinXmlValueType.Real64, BitConverter.GetBytes(1e-4)));
        Assert.Equal("-123.456", Text(BinXmlValueType.Real64, BitConverter.GetBytes(-123.456)));
        Assert.Equal("1.2345e+20", Text(BinXmlValueType.Real64, BitConverter.GetBytes(1.2345e20)));
        Assert.Equal("2.5e-07", Text(BinXmlValueType.Real64, BitConverter.GetBytes(2.5e-7)));
        Assert.Equal("0.0", Text(BinXmlValueType.Real64, BitConverter.GetBytes(0.0)));
        // Python: repr(float(struct.unpack("<f", struct.pack("<f", 3199.234))[0]))
        Assert.Equal("3199.23388671875", Text(BinXmlValueType.Real32, BitConverter.GetBytes(3199.234f)));
    }

    [Fact]
    public void Strings_are_escaped_json_without_trailing_nuls_and_lone_surrogates_become_replacement_characters()
    {
        Assert.Equal("a\\\"b\\\\c\\r\\n\\t\\u0001é€😀", Text(BinXmlValueType.WString, Utf16("a\"b\\c\r\n\t\u0001é€😀\0\0")));
        Assert.Equal("x\uFFFDy", Text(BinXmlValueType.WString, [(byte)'x', 0, 0x00, 0xD8, (byte)'y', 0]));
        Assert.Equal("caf\u00e9", Text(BinXmlValueType.AnsiString, [(byte)'c', (byte)'a', (byte)'f', 0xE9, 0]));
    }

    [Fact]
    public void Guids_sids_binary_and_booleans()
    {
        var guid = Guid.Parse("a0c1853b-5c40-4b15-8766-3cf1c58f985a");
        Assert.Equal("{a0c1853b-5c40-4b15-8766-3cf1c58f985a}", Text(BinXmlValueType.Guid, guid.ToByteArray()));
        // S-1-5-21-1552841522-3835366585-4197357653-1001
        byte[] sid = [1, 4, 0, 0, 0, 0, 0, 5, .. Le(21, 4), .. Le(1552841522, 4), .. Le(3835366585, 4), .. Le(4197357653, 4)];
        Assert.Equal("S-1-5-21-1552841522-3835366585-4197357653", Text(BinXmlValueType.Sid, sid));
        Assert.Equal("AAECAw==", Text(BinXmlValueType.Binary, 0, 1, 2, 3));
        Assert.Equal("True", Text(BinXmlValueType.Bool, Le(1, 4)));
        Assert.Equal("False", Text(BinXmlValueType.Bool, Le(0, 4)));
    }

    [Fact]
    public void Times_are_iso_8601_utc_with_microseconds()
    {
        var time = new DateTime(2017, 8, 30, 19, 13, 38, DateTimeKind.Utc).AddTicks(1_984_839);
        Assert.Equal("2017-08-30T19:13:38.198483Z", Text(BinXmlValueType.FileTime, Le(time.ToFileTimeUtc(), 8)));
        byte[] systemTime = [.. Le(2019, 2), .. Le(4, 2), .. Le(6, 2), .. Le(27, 2), .. Le(21, 2), .. Le(6, 2), .. Le(49, 2), .. Le(341, 2)];
        Assert.Equal("2019-04-27T21:06:49.341000Z", Text(BinXmlValueType.SystemTime, systemTime));
    }

    [Fact]
    public void Arrays_are_string_lines_as_python_evtx_writes_them()
    {
        Assert.Equal("<string>a</string>\\n<string></string>\\n<string>bc</string>\\n",
            Text(BinXmlValueType.WString | BinXmlValueType.ArrayFlag, Utf16("a\0\0bc\0")));
        Assert.Equal("<string>1</string>\\n<string>-2</string>\\n",
            Text(BinXmlValueType.Int32 | BinXmlValueType.ArrayFlag, [.. Le(1, 4), .. Le(-2, 4)]));
    }

    [Fact]
    public void A_value_too_short_for_its_type_is_its_bytes_in_hex()
    {
        Assert.Equal("0102", Text(BinXmlValueType.UInt64, 1, 2));
    }
}

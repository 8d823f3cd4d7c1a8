using System.Buffers.Binary;
using System.Globalization;

namespace RuleGen.Runtime;

/// <summary>
/// Text as Elasticsearch's EQL scripts see it. Scripts run on Java strings, so lengths and positions count UTF-16
/// code units (an emoji is 2), numbers print as Java prints them (<c>42.0</c>, <c>1.0E10</c>), and IP addresses as
/// Elasticsearch formats an ip field's value (IPv4 dotted, IPv6 compressed in lower case).
/// </summary>
public static class EqlText
{
    /// <summary>How many UTF-16 code units the UTF-8 text has (Java's <c>String.length()</c>).</summary>
    public static int Utf16Length(ReadOnlySpan<byte> utf8)
    {
        var count = 0;
        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if ((b & 0xC0) == 0x80) continue; // continuation byte
            count += b >= 0xF0 ? 2 : 1;
        }
        return count;
    }

    /// <summary>The byte offset of UTF-16 position <paramref name="index"/> (clamped to the text).</summary>
    public static int ByteOffset(ReadOnlySpan<byte> utf8, int index)
    {
        if (index <= 0) return 0;
        var units = 0;
        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if ((b & 0xC0) == 0x80) continue;
            if (units >= index) return i;
            units += b >= 0xF0 ? 2 : 1;
        }
        return utf8.Length;
    }

    /// <summary>The UTF-16 position of byte offset <paramref name="offset"/>.</summary>
    public static int Utf16Index(ReadOnlySpan<byte> utf8, int offset) => Utf16Length(utf8.Slice(0, offset));

    /// <summary>Writes a long as Java does (<c>Long.toString</c>).</summary>
    public static int Format(long value, Span<byte> destination)
    {
        value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }

    /// <summary>Writes a double as Java's <c>Double.toString</c> does: 42.0, 0.001, 1.0E7, 1.5E-4, NaN, Infinity.</summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (double.IsNaN(value)) return Copy("NaN"u8, destination);
        if (double.IsPositiveInfinity(value)) return Copy("Infinity"u8, destination);
        if (double.IsNegativeInfinity(value)) return Copy("-Infinity"u8, destination);
        if (value == 0) return Copy(double.IsNegative(value) ? "-0.0"u8 : "0.0"u8, destination);

        // The shortest digits that read back as the same double (.NET's round-trip form), then Java's layout.
        Span<byte> shortest = stackalloc byte[40];
        value.TryFormat(shortest, out var shortestLength, "R", CultureInfo.InvariantCulture);
        var at = 0;
        var negative = false;
        Span<byte> digits = stackalloc byte[32];
        var digitCount = 0;
        var pointPosition = -1; // digits before the decimal point in the "R" text
        var exponent = 0;
        var i = 0;
        if (shortest[0] == (byte)'-') { negative = true; i = 1; }
        for (; i < shortestLength; i++)
        {
            var c = shortest[i];
            if (c == (byte)'.') { pointPosition = digitCount; continue; }
            if (c is (byte)'E' or (byte)'e')
            {
                System.Buffers.Text.Utf8Parser.TryParse(shortest.Slice(i + 1, shortestLength - i - 1).TrimStart((byte)'+'), out exponent, out _);
                break;
            }
            digits[digitCount++] = c;
        }
        if (pointPosition < 0) pointPosition = digitCount;
        // Normalise: value = 0.d1d2d3... x 10^(decimalExponent)
        var leadingZeros = 0;
        while (leadingZeros < digitCount - 1 && digits[leadingZeros] == (byte)'0') leadingZeros++;
        var sig = digits.Slice(leadingZeros, digitCount - leadingZeros);
        var sigLength = sig.Length;
        while (sigLength > 1 && sig[sigLength - 1] == (byte)'0') sigLength--;
        sig = sig.Slice(0, sigLength);
        var scientific = pointPosition - leadingZeros + exponent; // position of the point relative to sig's start

        if (negative) destination[at++] = (byte)'-';
        var magnitude = Math.Abs(value);
        if (magnitude >= 1e-3 && magnitude < 1e7)
        {
            if (scientific <= 0)
            {
                destination[at++] = (byte)'0';
                destination[at++] = (byte)'.';
                for (var z = 0; z < -scientific; z++) destination[at++] = (byte)'0';
                sig.CopyTo(destination.Slice(at));
                at += sig.Length;
            }
            else
            {
                for (var k = 0; k < scientific; k++) destination[at++] = k < sig.Length ? sig[k] : (byte)'0';
                destination[at++] = (byte)'.';
                if (scientific < sig.Length)
                {
                    sig.Slice(scientific).CopyTo(destination.Slice(at));
                    at += sig.Length - scientific;
                }
                else
                {
                    destination[at++] = (byte)'0';
                }
            }
            return at;
        }
        // Computerized scientific notation: d.ddddE[-]n
        destination[at++] = sig[0];
        destination[at++] = (byte)'.';
        if (sig.Length > 1)
        {
            sig.Slice(1).CopyTo(destination.Slice(at));
            at += sig.Length - 1;
        }
        else
        {
            destination[at++] = (byte)'0';
        }
        destination[at++] = (byte)'E';
        (scientific - 1).TryFormat(destination.Slice(at), out var expWritten, default, CultureInfo.InvariantCulture);
        return at + expWritten;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }

    /// <summary>Writes the canonical text of an IP address given in any accepted form; false when it is not one.</summary>
    public static bool TryFormatIp(ReadOnlySpan<byte> utf8, Span<byte> destination, out int written)
    {
        written = 0;
        if (!IpNetworkSet.TryParseAddress(utf8, out var address)) return false;
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        if ((address >> 32) == 0xFFFF)
        {
            // IPv4 (or IPv4-mapped IPv6, which Elasticsearch stores and prints as IPv4).
            for (var i = 12; i < 16; i++)
            {
                if (i > 12) destination[written++] = (byte)'.';
                bytes[i].TryFormat(destination.Slice(written), out var n, default, CultureInfo.InvariantCulture);
                written += n;
            }
            return true;
        }
        // RFC 5952: the longest run of two or more zero groups becomes "::" (the first such run on ties).
        Span<ushort> groups = stackalloc ushort[8];
        for (var g = 0; g < 8; g++) groups[g] = BinaryPrimitives.ReadUInt16BigEndian(bytes.Slice(g * 2));
        int bestStart = -1, bestLength = 0;
        for (var g = 0; g < 8;)
        {
            if (groups[g] != 0) { g++; continue; }
            var start = g;
            while (g < 8 && groups[g] == 0) g++;
            if (g - start > bestLength && g - start >= 2) { bestStart = start; bestLength = g - start; }
        }
        for (var g = 0; g < 8; g++)
        {
            if (g == bestStart)
            {
                destination[written++] = (byte)':';
                if (g == 0) destination[written++] = (byte)':';
                g += bestLength - 1;
                continue;
            }
            groups[g].TryFormat(destination.Slice(written), out var n, "x", CultureInfo.InvariantCulture);
            written += n;
            if (g < 7) destination[written++] = (byte)':';
        }
        return true;
    }
}

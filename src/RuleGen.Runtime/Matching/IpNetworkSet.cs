using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace RuleGen.Runtime;

/// <summary>
/// A set of IP networks (CIDR ranges or single addresses), tested against addresses written as UTF-8 text without
/// allocating. IPv4 addresses also match their IPv4-mapped IPv6 form (<c>::ffff:10.0.0.1</c>) and vice versa, as
/// Elasticsearch's ip type stores both in one 128-bit space.
/// </summary>
public sealed class IpNetworkSet
{
    private readonly UInt128[] _networks;
    private readonly UInt128[] _masks;

    public IpNetworkSet(params string[] networks)
    {
        _networks = new UInt128[networks.Length];
        _masks = new UInt128[networks.Length];
        for (var i = 0; i < networks.Length; i++)
        {
            if (!TryParseNetwork(networks[i], out _networks[i], out _masks[i]))
                throw new ArgumentException($"Not an IP network: '{networks[i]}'.", nameof(networks));
        }
    }

    /// <summary>Whether <paramref name="utf8Address"/> is an IP address inside one of the networks.</summary>
    public bool Contains(ReadOnlySpan<byte> utf8Address)
    {
        if (!TryParseAddress(utf8Address, out var address)) return false;
        for (var i = 0; i < _networks.Length; i++)
        {
            if ((address & _masks[i]) == _networks[i]) return true;
        }
        return false;
    }

    /// <summary>Parses "a.b.c.d/n", "v6/n" or a single address.</summary>
    public static bool TryParseNetwork(string text, out UInt128 network, out UInt128 mask)
    {
        network = default;
        mask = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text.Substring(0, slash);
        if (!TryParseAddress(Encoding.UTF8.GetBytes(addressText.Trim()), out var address)) return false;
        var isV4 = IsV4Mapped(address) && !addressText.Contains(':');
        var bits = isV4 ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1).Trim(), out prefix) || prefix < 0 || prefix > bits)) return false;
        var totalPrefix = isV4 ? 96 + prefix : prefix;
        mask = totalPrefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - totalPrefix);
        network = address & mask;
        return true;
    }

    private static bool IsV4Mapped(UInt128 address) => (address >> 32) == 0xFFFF;

    /// <summary>
    /// Parses an IPv4 or IPv6 address (optionally with a %zone, ignored) from UTF-8 into 128 bits; IPv4 becomes its
    /// IPv4-mapped IPv6 form.
    /// </summary>
    public static bool TryParseAddress(ReadOnlySpan<byte> utf8, out UInt128 address)
    {
        address = default;
        if (utf8.IsEmpty || utf8.Length > 64) return false;
        if (utf8.IndexOf((byte)':') < 0)
        {
            if (!TryParseV4(utf8, out var v4)) return false;
            address = ((UInt128)0xFFFF << 32) | v4;
            return true;
        }
        var zone = utf8.IndexOf((byte)'%');
        if (zone >= 0) utf8 = utf8.Slice(0, zone);
        Span<char> chars = stackalloc char[64];
        var count = Encoding.ASCII.GetChars(utf8, chars);
        Span<byte> bytes = stackalloc byte[16];
        // IPAddress.TryParse allocates; parse v6 by hand instead.
        if (!TryParseV6(chars.Slice(0, count), bytes)) return false;
        address = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return true;
    }

    private static bool TryParseV4(ReadOnlySpan<byte> text, out uint value)
    {
        value = 0;
        var parts = 0;
        var i = 0;
        while (true)
        {
            var start = i;
            uint part = 0;
            while (i < text.Length && (uint)(text[i] - '0') <= 9)
            {
                part = part * 10 + (uint)(text[i] - '0');
                if (part > 255 || i - start >= 3) return false;
                i++;
            }
            if (i == start) return false;
            value = (value << 8) | part;
            parts++;
            if (i == text.Length) break;
            if (text[i] != '.' || parts == 4) return false;
            i++;
        }
        return parts == 4;
    }

    private static bool TryParseV6(ReadOnlySpan<char> text, Span<byte> bytes)
    {
        Span<ushort> groups = stackalloc ushort[8];
        var count = 0;
        var doubleColonAt = -1;
        var i = 0;
        if (text.StartsWith("::"))
        {
            doubleColonAt = 0;
            i = 2;
            if (i == text.Length) { bytes.Clear(); return true; }
        }
        else if (text.Length > 0 && text[0] == ':')
        {
            return false;
        }
        while (i < text.Length)
        {
            if (count == 8) return false;
            var start = i;
            var rest = text.Slice(i);
            var nextColon = rest.IndexOf(':');
            var token = nextColon < 0 ? rest : rest.Slice(0, nextColon);
            if (nextColon < 0 && token.IndexOf('.') >= 0)
            {
                // Embedded IPv4 in the last 32 bits.
                Span<byte> v4 = stackalloc byte[token.Length];
                for (var k = 0; k < token.Length; k++) v4[k] = (byte)token[k];
                if (count > 6 || !TryParseV4(v4, out var ipv4)) return false;
                groups[count++] = (ushort)(ipv4 >> 16);
                groups[count++] = (ushort)ipv4;
                i = text.Length;
                break;
            }
            if (token.Length == 0 || token.Length > 4) return false;
            if (!ushort.TryParse(token, System.Globalization.NumberStyles.AllowHexSpecifier, null, out var group)) return false;
            groups[count++] = group;
            i = start + token.Length;
            if (i == text.Length) break;
            // At a colon.
            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (doubleColonAt >= 0) return false;
                doubleColonAt = count;
                i++;
                if (i == text.Length) break;
            }
            else if (i == text.Length)
            {
                return false;
            }
        }
        Span<ushort> full = stackalloc ushort[8];
        if (doubleColonAt < 0)
        {
            if (count != 8) return false;
            groups.CopyTo(full);
        }
        else
        {
            if (count > 7) return false;
            full.Clear();
            groups.Slice(0, doubleColonAt).CopyTo(full);
            var tail = count - doubleColonAt;
            groups.Slice(doubleColonAt, tail).CopyTo(full.Slice(8 - tail));
        }
        for (var g = 0; g < 8; g++) BinaryPrimitives.WriteUInt16BigEndian(bytes.Slice(g * 2), full[g]);
        return true;
    }
}

using System.Runtime.CompilerServices;

namespace RuleGen.Runtime;

/// <summary>
/// UTF-8 text comparisons, exact or folding ASCII letters only (non-ASCII bytes always compare exactly, which is
/// how Sigma backends, EQL's insensitive operators and Elasticsearch's case_insensitive flag treat case).
/// Literals passed to the "IgnoreCase" methods must already be ASCII-lowercased; the generator does that.
/// </summary>
public static class AsciiText
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Fold(byte b) => (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;

    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerLiteral)
    {
        if (value.Length != lowerLiteral.Length) return false;
        return RegionEqualsIgnoreCase(value, lowerLiteral);
    }

    public static bool StartsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerLiteral) =>
        value.Length >= lowerLiteral.Length && RegionEqualsIgnoreCase(value.Slice(0, lowerLiteral.Length), lowerLiteral);

    public static bool EndsWithIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerLiteral) =>
        value.Length >= lowerLiteral.Length && RegionEqualsIgnoreCase(value.Slice(value.Length - lowerLiteral.Length), lowerLiteral);

    public static bool ContainsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerLiteral) =>
        IndexOfIgnoreCase(value, lowerLiteral) >= 0;

    /// <summary>The first index of <paramref name="lowerLiteral"/> in <paramref name="value"/>, folding ASCII case, or -1.</summary>
    public static int IndexOfIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerLiteral)
    {
        if (lowerLiteral.IsEmpty) return 0;
        var first = lowerLiteral[0];
        var upper = (uint)(first - 'a') <= 'z' - 'a' ? (byte)(first & ~0x20) : first;
        var offset = 0;
        var last = value.Length - lowerLiteral.Length;
        while (offset <= last)
        {
            var window = value.Slice(offset, last - offset + 1);
            var hit = first == upper ? window.IndexOf(first) : window.IndexOfAny(first, upper);
            if (hit < 0) return -1;
            var at = offset + hit;
            if (RegionEqualsIgnoreCase(value.Slice(at + 1, lowerLiteral.Length - 1), lowerLiteral.Slice(1))) return at;
            offset = at + 1;
        }
        return -1;
    }

    private static bool RegionEqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerLiteral)
    {
        for (var i = 0; i < lowerLiteral.Length; i++)
        {
            if (Fold(value[i]) != lowerLiteral[i]) return false;
        }
        return true;
    }

    /// <summary>ASCII-lowercases <paramref name="text"/> (used to prepare literals).</summary>
    public static byte[] ToLower(ReadOnlySpan<byte> text)
    {
        var result = text.ToArray();
        for (var i = 0; i < result.Length; i++) result[i] = Fold(result[i]);
        return result;
    }

    /// <summary>
    /// Writes <paramref name="text"/> ASCII-lowercased into <paramref name="destination"/> (at least as long); other
    /// bytes, UTF-8 sequences included, are copied unchanged. Vectorised.
    /// </summary>
    public static void ToLower(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var i = 0;
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated && text.Length >= 16)
        {
            var a = System.Runtime.Intrinsics.Vector128.Create((byte)'A');
            var range = System.Runtime.Intrinsics.Vector128.Create((byte)('Z' - 'A'));
            var bit = System.Runtime.Intrinsics.Vector128.Create((byte)0x20);
            for (; i + 16 <= text.Length; i += 16)
            {
                var v = System.Runtime.Intrinsics.Vector128.Create(text.Slice(i, 16));
                var upper = System.Runtime.Intrinsics.Vector128.LessThanOrEqual(v - a, range);
                System.Runtime.Intrinsics.Vector128.CopyTo(v | (upper & bit), destination.Slice(i, 16));
            }
        }
        for (; i < text.Length; i++) destination[i] = Fold(text[i]);
    }
}

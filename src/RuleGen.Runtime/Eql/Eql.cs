using System.Globalization;
using System.Text.RegularExpressions;

namespace RuleGen.Runtime;

/// <summary>
/// EQL's functions and operators over <see cref="EqlValue"/>s, with Elasticsearch's semantics: a null argument
/// gives null; integer arithmetic stays integer (division truncates); text positions and lengths count UTF-16 code
/// units as Java does; the <c>ignoreCase</c> forms (<c>fn~</c>) fold ASCII letters. Generated expressions call
/// these; text results live in the thread's <see cref="EqlScratch"/>. Nothing here allocates.
/// </summary>
public static class Eql
{
    // ----- arithmetic -----

    public static EqlValue Add(EqlValue a, EqlValue b) => Arithmetic(a, b, 0);

    public static EqlValue Subtract(EqlValue a, EqlValue b) => Arithmetic(a, b, 1);

    public static EqlValue Multiply(EqlValue a, EqlValue b) => Arithmetic(a, b, 2);

    /// <summary>Integer division truncates toward zero (Java); division by zero gives null.</summary>
    public static EqlValue Divide(EqlValue a, EqlValue b) => Arithmetic(a, b, 3);

    /// <summary>The remainder with the dividend's sign (Java's <c>%</c>); by zero gives null.</summary>
    public static EqlValue Modulo(EqlValue a, EqlValue b) => Arithmetic(a, b, 4);

    public static EqlValue Negate(EqlValue a) => a.Kind switch
    {
        EqlValueKind.Integer => EqlValue.Of(unchecked(-a.Integer)),
        EqlValueKind.Float => EqlValue.Of(-a.Number),
        _ => EqlValue.Null,
    };

    private static EqlValue Arithmetic(EqlValue a, EqlValue b, int op)
    {
        if (!a.IsNumber || !b.IsNumber) return EqlValue.Null;
        if (a.Kind == EqlValueKind.Integer && b.Kind == EqlValueKind.Integer)
        {
            long x = a.Integer, y = b.Integer;
            return op switch
            {
                0 => EqlValue.Of(unchecked(x + y)),
                1 => EqlValue.Of(unchecked(x - y)),
                2 => EqlValue.Of(unchecked(x * y)),
                3 => y == 0 ? EqlValue.Null : y == -1 ? EqlValue.Of(unchecked(-x)) : EqlValue.Of(x / y),
                _ => y == 0 ? EqlValue.Null : y == -1 ? EqlValue.Of(0L) : EqlValue.Of(x % y),
            };
        }
        double p = a.Number, q = b.Number;
        return op switch
        {
            0 => EqlValue.Of(p + q),
            1 => EqlValue.Of(p - q),
            2 => EqlValue.Of(p * q),
            3 => q == 0 ? EqlValue.Null : EqlValue.Of(p / q),
            _ => q == 0 ? EqlValue.Null : EqlValue.Of(p % q),
        };
    }

    // ----- comparisons -----

    /// <summary>
    /// Compares two values: numbers numerically, strings in ordinal order, booleans by value. Null, or values of
    /// different kinds, give null.
    /// </summary>
    public static EqlValue Compare(EqlValue a, EqlValue b, EqlComparison comparison)
    {
        int order;
        if (a.IsNumber && b.IsNumber)
        {
            if (a.Kind == EqlValueKind.Integer && b.Kind == EqlValueKind.Integer) order = a.Integer.CompareTo(b.Integer);
            else
            {
                double x = a.Number, y = b.Number;
                if (double.IsNaN(x) || double.IsNaN(y)) return EqlValue.Null;
                order = x.CompareTo(y);
            }
        }
        else if (a.Kind == EqlValueKind.String && b.Kind == EqlValueKind.String) order = a.Utf8.SequenceCompareTo(b.Utf8);
        else if (a.Kind == EqlValueKind.Boolean && b.Kind == EqlValueKind.Boolean) order = a.Boolean.CompareTo(b.Boolean);
        else return EqlValue.Null;
        return EqlValue.Of(comparison switch
        {
            EqlComparison.Equal => order == 0,
            EqlComparison.NotEqual => order != 0,
            EqlComparison.LessThan => order < 0,
            EqlComparison.LessThanOrEqual => order <= 0,
            EqlComparison.GreaterThan => order > 0,
            _ => order >= 0,
        });
    }

    public static EqlValue IsNull(EqlValue a) => EqlValue.Of(a.IsNull);

    public static EqlValue IsNotNull(EqlValue a) => EqlValue.Of(!a.IsNull);

    // ----- tests of text against matchers (for : like regex in, on computed values) -----

    /// <summary>The value is text that relates to <paramref name="literal"/> (lower case when <paramref name="ignoreCase"/>).</summary>
    public static EqlValue MatchesText(EqlValue a, TextRelation relation, ReadOnlySpan<byte> literal, bool ignoreCase)
    {
        if (a.Kind != EqlValueKind.String) return EqlValue.Null;
        var text = a.Utf8;
        if (!ignoreCase)
        {
            return EqlValue.Of(relation switch
            {
                TextRelation.Equals => text.SequenceEqual(literal),
                TextRelation.StartsWith => text.StartsWith(literal),
                TextRelation.EndsWith => text.EndsWith(literal),
                _ => text.IndexOf(literal) >= 0,
            });
        }
        return EqlValue.Of(relation switch
        {
            TextRelation.Equals => AsciiText.EqualsIgnoreCase(text, literal),
            TextRelation.StartsWith => AsciiText.StartsWithIgnoreCase(text, literal),
            TextRelation.EndsWith => AsciiText.EndsWithIgnoreCase(text, literal),
            _ => AsciiText.ContainsIgnoreCase(text, literal),
        });
    }

    public static EqlValue MatchesSet(EqlValue a, Utf8StringSet set) =>
        a.Kind == EqlValueKind.String ? EqlValue.Of(set.Contains(a.Utf8)) : EqlValue.Null;

    public static EqlValue MatchesWildcard(EqlValue a, Wildcard pattern) =>
        a.Kind == EqlValueKind.String ? EqlValue.Of(pattern.IsMatch(a.Utf8)) : EqlValue.Null;

    public static EqlValue MatchesRegex(EqlValue a, ThreadRegex regex) =>
        a.Kind == EqlValueKind.String ? EqlValue.Of(RegexText.IsMatch(regex, a.Utf8)) : EqlValue.Null;

    /// <summary>cidrMatch: the value is an IP address (text) inside one of the networks.</summary>
    public static EqlValue CidrMatch(EqlValue a, IpNetworkSet networks) =>
        a.Kind == EqlValueKind.String ? EqlValue.Of(networks.Contains(a.Utf8)) : EqlValue.Null;

    // ----- string functions -----

    /// <summary>length: UTF-16 code units.</summary>
    public static EqlValue Length(EqlValue a) =>
        a.Kind == EqlValueKind.String ? EqlValue.Of((long)EqlText.Utf16Length(a.Utf8)) : EqlValue.Null;

    public static EqlValue StartsWith(EqlValue source, EqlValue prefix, bool ignoreCase)
    {
        if (source.Kind != EqlValueKind.String || prefix.Kind != EqlValueKind.String) return EqlValue.Null;
        return EqlValue.Of(ignoreCase ? StartsWithFolded(source.Utf8, prefix.Utf8) : source.Utf8.StartsWith(prefix.Utf8));
    }

    public static EqlValue EndsWith(EqlValue source, EqlValue suffix, bool ignoreCase)
    {
        if (source.Kind != EqlValueKind.String || suffix.Kind != EqlValueKind.String) return EqlValue.Null;
        var s = source.Utf8;
        var t = suffix.Utf8;
        if (!ignoreCase) return EqlValue.Of(s.EndsWith(t));
        return EqlValue.Of(s.Length >= t.Length && StartsWithFolded(s.Slice(s.Length - t.Length), t));
    }

    /// <summary>stringContains: an empty substring is not contained (Elasticsearch's function reference).</summary>
    public static EqlValue StringContains(EqlValue source, EqlValue substring, bool ignoreCase)
    {
        if (source.Kind != EqlValueKind.String || substring.Kind != EqlValueKind.String) return EqlValue.Null;
        if (substring.Utf8.IsEmpty) return EqlValue.False;
        return EqlValue.Of(IndexOfBytes(source.Utf8, substring.Utf8, 0, ignoreCase) >= 0);
    }

    /// <summary>indexOf: the UTF-16 position of the first occurrence at or after <paramref name="start"/>, or null.</summary>
    public static EqlValue IndexOf(EqlValue source, EqlValue substring, EqlValue start, bool ignoreCase)
    {
        if (source.Kind != EqlValueKind.String || substring.Kind != EqlValueKind.String || start.Kind != EqlValueKind.Integer) return EqlValue.Null;
        var s = source.Utf8;
        var from = Math.Max(0, start.Integer);
        var length = EqlText.Utf16Length(s);
        if (from > length) return EqlValue.Null;
        var offset = EqlText.ByteOffset(s, (int)from);
        var hit = IndexOfBytes(s, substring.Utf8, offset, ignoreCase);
        return hit < 0 ? EqlValue.Null : EqlValue.Of((long)EqlText.Utf16Index(s, hit));
    }

    public static EqlValue IndexOf(EqlValue source, EqlValue substring, bool ignoreCase) => IndexOf(source, substring, EqlValue.Of(0L), ignoreCase);

    /// <summary>substring with Python-style negative positions; an end before the start gives "".</summary>
    public static EqlValue Substring(EqlValue source, EqlValue start, EqlValue end)
    {
        if (source.Kind != EqlValueKind.String || start.Kind != EqlValueKind.Integer || end.Kind != EqlValueKind.Integer) return EqlValue.Null;
        return SubstringCore(source.Utf8, start.Integer, end.Integer);
    }

    public static EqlValue Substring(EqlValue source, EqlValue start)
    {
        if (source.Kind != EqlValueKind.String || start.Kind != EqlValueKind.Integer) return EqlValue.Null;
        return SubstringCore(source.Utf8, start.Integer, long.MaxValue);
    }

    private static EqlValue SubstringCore(ReadOnlySpan<byte> s, long start, long end)
    {
        long length = EqlText.Utf16Length(s);
        if (start < 0) start = Math.Max(0, length + start);
        if (end < 0) end = Math.Max(0, length + end);
        start = Math.Min(start, length);
        end = Math.Min(end, length);
        if (start >= end) return EqlValue.Of(ReadOnlySpan<byte>.Empty);
        var from = EqlText.ByteOffset(s, (int)start);
        var to = EqlText.ByteOffset(s, (int)end);
        return EqlValue.Of(s.Slice(from, to - from));
    }

    /// <summary>between: the text after the first <paramref name="left"/> and before the next (or, greedy, the last) <paramref name="right"/>.</summary>
    public static EqlValue Between(EqlValue source, EqlValue left, EqlValue right, bool greedy, bool ignoreCase)
    {
        if (source.Kind != EqlValueKind.String || left.Kind != EqlValueKind.String || right.Kind != EqlValueKind.String) return EqlValue.Null;
        var s = source.Utf8;
        var l = IndexOfBytes(s, left.Utf8, 0, ignoreCase);
        if (l < 0) return EqlValue.Of(ReadOnlySpan<byte>.Empty);
        var from = l + left.Utf8.Length;
        var rest = s.Slice(from);
        int r;
        if (greedy)
        {
            r = -1;
            for (var i = rest.Length - right.Utf8.Length; i >= 0; i--)
            {
                if (RegionEquals(rest.Slice(i, right.Utf8.Length), right.Utf8, ignoreCase)) { r = i; break; }
            }
        }
        else
        {
            r = IndexOfBytes(rest, right.Utf8, 0, ignoreCase);
        }
        return r < 0 ? EqlValue.Of(ReadOnlySpan<byte>.Empty) : EqlValue.Of(rest.Slice(0, r));
    }

    /// <summary>concat of two values (either converted to text as string() does); null if either is null.</summary>
    public static EqlValue Concat(EqlValue a, EqlValue b, EqlScratch scratch)
    {
        if (a.IsNull || b.IsNull) return EqlValue.Null;
        var x = String(a, scratch);
        var y = String(b, scratch);
        var result = scratch.Allocate(x.Utf8.Length + y.Utf8.Length);
        x.Utf8.CopyTo(result);
        y.Utf8.CopyTo(result.Slice(x.Utf8.Length));
        return EqlValue.Of(result);
    }

    /// <summary>string(): text as is; numbers as Java prints them; booleans as true/false.</summary>
    public static EqlValue String(EqlValue a, EqlScratch scratch)
    {
        switch (a.Kind)
        {
            case EqlValueKind.String:
                return a;
            case EqlValueKind.Boolean:
                return EqlValue.Of(a.Boolean ? "true"u8 : "false"u8);
            case EqlValueKind.Integer:
            {
                var span = scratch.Allocate(24);
                var n = EqlText.Format(a.Integer, span);
                scratch.Shrink(24 - n);
                return EqlValue.Of(span.Slice(0, n));
            }
            case EqlValueKind.Float:
            {
                var span = scratch.Allocate(40);
                var n = EqlText.Format(a.Number, span);
                scratch.Shrink(40 - n);
                return EqlValue.Of(span.Slice(0, n));
            }
            default:
                return EqlValue.Null;
        }
    }

    /// <summary>
    /// number(): an integer or float from text (surrounding spaces ignored, + and - allowed, 0x means hexadecimal);
    /// <paramref name="radix"/> 0 means the default (10, or 16 for 0x). Text that is not a number gives null.
    /// </summary>
    public static EqlValue Number(EqlValue a, int radix)
    {
        if (a.IsNumber) return a;
        if (a.Kind != EqlValueKind.String) return EqlValue.Null;
        var s = a.Utf8.Trim(" \t\r\n"u8);
        if (s.IsEmpty) return EqlValue.Null;
        var negative = false;
        var body = s;
        if (body[0] is (byte)'+' or (byte)'-')
        {
            negative = body[0] == (byte)'-';
            body = body.Slice(1);
        }
        if (body.Length > 2 && body[0] == (byte)'0' && (body[1] | 0x20) == (byte)'x')
        {
            if (radix is not (0 or 16)) return EqlValue.Null;
            radix = 16;
            body = body.Slice(2);
        }
        if (radix == 0) radix = 10;
        if (radix == 10 && (body.IndexOf((byte)'.') >= 0 || body.IndexOfAny((byte)'e', (byte)'E') >= 0))
        {
            return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? EqlValue.Of(d) : EqlValue.Null;
        }
        if (radix < 2 || radix > 36 || body.IsEmpty) return EqlValue.Null;
        long value = 0;
        foreach (var c in body)
        {
            var digit = c is >= (byte)'0' and <= (byte)'9' ? c - '0' : (c | 0x20) is >= 'a' and <= 'z' ? (c | 0x20) - 'a' + 10 : 99;
            if (digit >= radix) return EqlValue.Null;
            try
            {
                value = checked(value * radix + digit);
            }
            catch (OverflowException)
            {
                return EqlValue.Null;
            }
        }
        return EqlValue.Of(negative ? -value : value);
    }

    // ----- helpers -----

    private static bool StartsWithFolded(ReadOnlySpan<byte> s, ReadOnlySpan<byte> prefix) =>
        s.Length >= prefix.Length && RegionEquals(s.Slice(0, prefix.Length), prefix, true);

    private static bool RegionEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, bool ignoreCase)
    {
        if (!ignoreCase) return a.SequenceEqual(b);
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (AsciiText.Fold(a[i]) != AsciiText.Fold(b[i])) return false;
        }
        return true;
    }

    private static int IndexOfBytes(ReadOnlySpan<byte> s, ReadOnlySpan<byte> t, int from, bool ignoreCase)
    {
        if (from > s.Length) return -1;
        if (!ignoreCase)
        {
            var hit = s.Slice(from).IndexOf(t);
            return hit < 0 ? -1 : from + hit;
        }
        for (var i = from; i + t.Length <= s.Length; i++)
        {
            if (RegionEquals(s.Slice(i, t.Length), t, true)) return i;
        }
        return -1;
    }
}

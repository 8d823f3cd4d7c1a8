using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// Reads an event's time as nanoseconds since the Unix epoch, the way Elasticsearch's default date format reads it
/// (<c>strict_date_optional_time||epoch_millis</c>): ISO 8601 text such as <c>2024-05-01T12:00:00.123Z</c>
/// (fractions to the nanosecond, <c>Z</c> or a <c>+hh:mm</c> offset, date-only allowed), or a number of
/// milliseconds. Allocation-free.
/// </summary>
public static class EventTime
{
    /// <summary>The value read when the event has no (readable) time.</summary>
    public const long Missing = long.MinValue;

    /// <summary>The time in a slot's first value, or <see cref="Missing"/>.</summary>
    public static long Read(scoped in EventView ev, int slot)
    {
        foreach (var value in ev.Values(slot))
        {
            if (value.Kind == JsonValueKind.String) return TryParse(value.Utf8, out var t) ? t : Missing;
            if (value.Kind == JsonValueKind.Number) return TryParseMillis(value.Utf8, out var m) ? m : Missing;
            return Missing;
        }
        return Missing;
    }

    private static bool TryParseMillis(ReadOnlySpan<byte> utf8, out long nanos)
    {
        nanos = 0;
        if (!EventView.TryParseNumber(utf8, out var millis) || double.IsNaN(millis) || Math.Abs(millis) > 9.2e12) return false;
        nanos = (long)(millis * 1_000_000);
        return true;
    }

    /// <summary>Parses ISO 8601 date or date-time text; false when it is not one.</summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out long nanos)
    {
        nanos = 0;
        var i = 0;
        if (!Digits(s, ref i, 4, out var year)) return false;
        if (!Expect(s, ref i, '-') || !Digits(s, ref i, 2, out var month) || !Expect(s, ref i, '-') || !Digits(s, ref i, 2, out var day)) return false;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month)) return false;
        long hour = 0, minute = 0, second = 0, fraction = 0;
        long offsetSeconds = 0;
        if (i < s.Length)
        {
            if (s[i] is not ((byte)'T' or (byte)'t' or (byte)' ')) return false;
            i++;
            if (!Digits(s, ref i, 2, out var h)) return false;
            hour = h;
            if (i < s.Length && s[i] == (byte)':')
            {
                i++;
                if (!Digits(s, ref i, 2, out var m)) return false;
                minute = m;
                if (i < s.Length && s[i] == (byte)':')
                {
                    i++;
                    if (!Digits(s, ref i, 2, out var sec)) return false;
                    second = sec;
                    if (i < s.Length && s[i] is (byte)'.' or (byte)',')
                    {
                        i++;
                        var digits = 0;
                        while (i < s.Length && (uint)(s[i] - '0') <= 9)
                        {
                            if (digits < 9)
                            {
                                fraction = fraction * 10 + (s[i] - '0');
                                digits++;
                            }
                            i++;
                        }
                        if (digits == 0) return false;
                        for (var d = digits; d < 9; d++) fraction *= 10;
                    }
                }
            }
            if (hour > 23 || minute > 59 || second > 60) return false;
            if (i < s.Length)
            {
                if (s[i] is (byte)'Z' or (byte)'z')
                {
                    i++;
                }
                else if (s[i] is (byte)'+' or (byte)'-')
                {
                    var sign = s[i] == (byte)'-' ? -1 : 1;
                    i++;
                    if (!Digits(s, ref i, 2, out var oh)) return false;
                    var om = 0;
                    if (i < s.Length && s[i] == (byte)':') i++;
                    if (i < s.Length && !Digits(s, ref i, 2, out om)) return false;
                    offsetSeconds = sign * (oh * 3600L + om * 60L);
                }
                else
                {
                    return false;
                }
            }
        }
        if (i != s.Length) return false;
        long days;
        try
        {
            days = (long)(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalDays;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
        var seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
        if (seconds is < -9_223_372_036L or > 9_223_372_035L) return false;
        nanos = seconds * 1_000_000_000 + fraction;
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, ref int i, int count, out int value)
    {
        value = 0;
        if (i + count > s.Length) return false;
        for (var k = 0; k < count; k++)
        {
            var d = s[i + k] - '0';
            if ((uint)d > 9) return false;
            value = value * 10 + d;
        }
        i += count;
        return true;
    }

    private static bool Expect(ReadOnlySpan<byte> s, ref int i, char c)
    {
        if (i >= s.Length || s[i] != (byte)c) return false;
        i++;
        return true;
    }

    /// <summary>Formats nanoseconds since the epoch as ISO 8601 UTC with milliseconds (for alerts).</summary>
    public static string Format(long nanos)
    {
        var ticks = nanos / 100;
        var time = DateTime.UnixEpoch.AddTicks(ticks);
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }
}

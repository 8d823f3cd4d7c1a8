using System.Globalization;
using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>A part of a date and time (Sigma's time modifiers: minute, hour, day, week, month, year).</summary>
public enum DatePart
{
    Minute,
    Hour,
    Day,
    /// <summary>The ISO 8601 week of the year (1 to 53).</summary>
    Week,
    Month,
    Year,
}

public readonly ref partial struct EventView
{
    /// <summary>
    /// Some value is a timestamp whose <paramref name="part"/> compares with <paramref name="literal"/>. Strings are
    /// read as ISO 8601 as written (<c>2025-12-06T21:11:02Z</c>, <c>2025-12-06 21:11:02.632</c>), without time zone
    /// conversion, as the Sigma specification asks; numbers are seconds (or, above 10^11, milliseconds) since the
    /// Unix epoch, in UTC. Values that are not timestamps never match.
    /// </summary>
    public bool AnyDatePart(int slot, DatePart part, NumberComparison comparison, int literal)
    {
        foreach (var value in Values(slot))
        {
            if (!TryReadTimestamp(value, out var timestamp)) continue;
            var actual = part switch
            {
                DatePart.Minute => timestamp.Minute,
                DatePart.Hour => timestamp.Hour,
                DatePart.Day => timestamp.Day,
                DatePart.Week => ISOWeek.GetWeekOfYear(timestamp),
                DatePart.Month => timestamp.Month,
                _ => timestamp.Year,
            };
            var holds = comparison switch
            {
                NumberComparison.Equal => actual == literal,
                NumberComparison.LessThan => actual < literal,
                NumberComparison.LessThanOrEqual => actual <= literal,
                NumberComparison.GreaterThan => actual > literal,
                _ => actual >= literal,
            };
            if (holds) return true;
        }
        return false;
    }

    /// <summary>Some value's text starts with, ends with or contains one of the set's texts.</summary>
    public bool AnyInTextSet(int slot, Utf8TextSet set, ValueKinds kinds = ValueKinds.Scalars)
    {
        foreach (var value in Values(slot))
        {
            if (value.Is(kinds) && set.IsMatch(value.Utf8)) return true;
        }
        return false;
    }

    private static bool TryReadTimestamp(FieldValue value, out DateTime timestamp)
    {
        timestamp = default;
        if (value.Kind == JsonValueKind.Number)
        {
            if (!double.TryParse(value.Utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || double.IsNaN(number)) return false;
            var milliseconds = Math.Abs(number) >= 1e11 ? number : number * 1000;
            if (milliseconds < -62135596800000d || milliseconds > 253402300799000d) return false;
            timestamp = DateTime.UnixEpoch.AddMilliseconds(milliseconds);
            return true;
        }
        if (value.Kind != JsonValueKind.String) return false;
        var text = value.Utf8;
        // yyyy-MM-dd, then optionally [T or space]HH:mm[:ss[.fraction]] and a zone, which is ignored.
        if (text.Length < 10 || text[4] != '-' || text[7] != '-') return false;
        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)) return false;
        int hour = 0, minute = 0;
        if (text.Length >= 16 && (text[10] == 'T' || text[10] == 't' || text[10] == ' ') && text[13] == ':')
        {
            if (!Digits(text, 11, 2, out hour) || !Digits(text, 14, 2, out minute)) return false;
        }
        if (month < 1 || month > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59) return false;
        timestamp = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = text[i] - '0';
            if ((uint)d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }
}

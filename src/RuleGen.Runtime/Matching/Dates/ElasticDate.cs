// Compiled into the runtime and, linked, into the generator (RULEGEN_GENERATOR): rule literals and event values
// are parsed by the same code.
using System;

#if RULEGEN_GENERATOR
namespace RuleGen.Generator.Dates;
#else
namespace RuleGen.Runtime;
#endif

/// <summary>A calendar unit of Elasticsearch date math (<c>y M w d h H m s</c>).</summary>
public enum DateUnit : byte
{
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
}

/// <summary>What one step of a date-math expression does.</summary>
public enum DateMathOperation : byte
{
    /// <summary>Add <see cref="DateMathStep.Amount"/> units (negative to subtract).</summary>
    Add,

    /// <summary>Round down to the start of the unit (<c>/d</c> on a lower bound or <c>&lt;</c>).</summary>
    RoundDown,

    /// <summary>Round up to the last millisecond of the unit (<c>/d</c> on <c>&lt;=</c> or <c>&gt;</c>).</summary>
    RoundUp,
}

/// <summary>One step of a date-math expression: <c>-30d</c>, <c>/d</c>.</summary>
public readonly struct DateMathStep
{
    public DateMathStep(DateMathOperation operation, int amount, DateUnit unit)
    {
        Operation = operation;
        Amount = amount;
        Unit = unit;
    }

    public DateMathOperation Operation { get; }
    public int Amount { get; }
    public DateUnit Unit { get; }
}

/// <summary>
/// Elasticsearch dates: the default mapping format <c>strict_date_optional_time||epoch_millis</c> (UTC when the value
/// has no offset, as with Kibana's <c>dateFormatTZ: Zulu</c>), and date-math arithmetic in UTC. Times are
/// milliseconds since the Unix epoch. Parsing allocates nothing.
/// </summary>
public static class ElasticDate
{
    private const long MillisPerSecond = 1000;
    private const long MillisPerMinute = 60 * MillisPerSecond;
    private const long MillisPerHour = 60 * MillisPerMinute;
    private const long MillisPerDay = 24 * MillisPerHour;
    private static readonly DateTime s_epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Parses <paramref name="utf8"/> as <c>strict_date_optional_time</c> (<c>yyyy[-MM[-dd[THH[:mm[:ss[.fraction]]]]]][Z|±HH[:]mm|±HH]</c>)
    /// or <c>epoch_millis</c>. With <paramref name="roundUp"/> the fields the text leaves out are filled with their
    /// largest value (<c>2020-01-01</c> is its last millisecond), as Elasticsearch parses the upper end of a range.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, bool roundUp, out long millis)
    {
        millis = 0;
        if (utf8.IsEmpty) return false;
        if (TryParseEpochMillis(utf8, out millis)) return true;
        return TryParseIso(utf8, roundUp, out millis);
    }

    private static bool TryParseEpochMillis(ReadOnlySpan<byte> text, out long millis)
    {
        millis = 0;
        var i = 0;
        var negative = false;
        if (text[0] == '-')
        {
            negative = true;
            i = 1;
        }
        if (i >= text.Length) return false;
        long value = 0;
        var digits = 0;
        while (i < text.Length && (uint)(text[i] - '0') <= 9)
        {
            if (digits++ > 17) return false;
            value = value * 10 + (text[i] - '0');
            i++;
        }
        if (digits == 0) return false;
        if (i < text.Length)
        {
            // epoch_millis may carry a fraction of a millisecond, which is dropped.
            if (text[i] != '.') return false;
            i++;
            var fractionDigits = 0;
            while (i < text.Length && (uint)(text[i] - '0') <= 9) { i++; fractionDigits++; }
            if (i != text.Length || fractionDigits == 0) return false;
        }
        // A bare 4-digit year would also read as epoch millis; Elasticsearch tries strict_date_optional_time first.
        if (!negative && digits == 4 && i == text.Length) return false;
        millis = negative ? -value : value;
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, ref int i, int count, out int value)
    {
        value = 0;
        if (i + count > text.Length) return false;
        for (var k = 0; k < count; k++)
        {
            var d = text[i + k] - '0';
            if ((uint)d > 9) return false;
            value = value * 10 + d;
        }
        i += count;
        return true;
    }

    private static bool TryParseIso(ReadOnlySpan<byte> text, bool roundUp, out long millis)
    {
        millis = 0;
        var i = 0;
        if (!Digits(text, ref i, 4, out var year)) return false;
        int month = roundUp ? 12 : 1, day = -1, hour = roundUp ? 23 : 0, minute = roundUp ? 59 : 0, second = roundUp ? 59 : 0;
        long fractionMillis = roundUp ? 999 : 0;
        long offsetMillis = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
            if (!Digits(text, ref i, 2, out month) || month < 1 || month > 12) return false;
            if (i < text.Length && text[i] == '-')
            {
                i++;
                if (!Digits(text, ref i, 2, out day) || day < 1) return false;
                if (i < text.Length && text[i] == 'T')
                {
                    i++;
                    if (!Digits(text, ref i, 2, out hour) || hour > 23) return false;
                    if (i < text.Length && text[i] == ':')
                    {
                        i++;
                        if (!Digits(text, ref i, 2, out minute) || minute > 59) return false;
                        if (i < text.Length && text[i] == ':')
                        {
                            i++;
                            if (!Digits(text, ref i, 2, out second) || second > 59) return false;
                            if (i < text.Length && (text[i] == '.' || text[i] == ','))
                            {
                                i++;
                                var start = i;
                                long fraction = 0;
                                while (i < text.Length && (uint)(text[i] - '0') <= 9 && i - start < 9)
                                {
                                    fraction = fraction * 10 + (text[i] - '0');
                                    i++;
                                }
                                var count = i - start;
                                if (count == 0) return false;
                                for (var k = count; k < 9; k++) fraction *= 10;
                                fractionMillis = fraction / 1_000_000;
                            }
                            else if (!roundUp)
                            {
                                fractionMillis = 0;
                            }
                        }
                        else if (roundUp)
                        {
                            second = 59;
                        }
                    }
                }
            }
        }
        var daysInMonth = DateTime.DaysInMonth(year < 1 ? 1 : year, month);
        if (day < 0) day = roundUp ? daysInMonth : 1;
        if (day > daysInMonth) return false;
        if (i < text.Length)
        {
            var sign = text[i];
            if (sign == 'Z')
            {
                i++;
            }
            else if (sign == '+' || sign == '-')
            {
                i++;
                if (!Digits(text, ref i, 2, out var offsetHours) || offsetHours > 18) return false;
                var offsetMinutes = 0;
                if (i < text.Length && text[i] == ':') i++;
                if (i < text.Length && !Digits(text, ref i, 2, out offsetMinutes)) return false;
                offsetMillis = (offsetHours * 60L + offsetMinutes) * MillisPerMinute * (sign == '-' ? -1 : 1);
            }
            if (i != text.Length) return false;
        }
        if (year < 1) return false;
        var days = (long)(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc) - s_epoch).TotalDays;
        millis = days * MillisPerDay + hour * MillisPerHour + minute * MillisPerMinute + second * MillisPerSecond + fractionMillis - offsetMillis;
        return true;
    }

    /// <summary>Applies date-math <paramref name="steps"/> to <paramref name="millis"/> (UTC calendar arithmetic).</summary>
    public static long Apply(long millis, ReadOnlySpan<DateMathStep> steps)
    {
        foreach (var step in steps)
        {
            millis = step.Operation switch
            {
                DateMathOperation.Add => Add(millis, step.Amount, step.Unit),
                DateMathOperation.RoundDown => RoundDown(millis, step.Unit),
                _ => Add(RoundDown(millis, step.Unit), 1, step.Unit) - 1,
            };
        }
        return millis;
    }

    private static long Add(long millis, int amount, DateUnit unit) => unit switch
    {
        DateUnit.Year => ToMillis(FromMillis(millis).AddYears(amount)),
        DateUnit.Month => ToMillis(FromMillis(millis).AddMonths(amount)),
        DateUnit.Week => millis + amount * 7 * MillisPerDay,
        DateUnit.Day => millis + amount * MillisPerDay,
        DateUnit.Hour => millis + amount * MillisPerHour,
        DateUnit.Minute => millis + amount * MillisPerMinute,
        _ => millis + amount * MillisPerSecond,
    };

    private static long RoundDown(long millis, DateUnit unit)
    {
        switch (unit)
        {
            case DateUnit.Year:
            {
                var t = FromMillis(millis);
                return ToMillis(new DateTime(t.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            }
            case DateUnit.Month:
            {
                var t = FromMillis(millis);
                return ToMillis(new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc));
            }
            case DateUnit.Week:
            {
                // ISO weeks start on Monday; 1970-01-01 was a Thursday.
                var day = FloorDiv(millis, MillisPerDay);
                var mondayBased = FloorMod(day + 3, 7);
                return (day - mondayBased) * MillisPerDay;
            }
            case DateUnit.Day: return FloorDiv(millis, MillisPerDay) * MillisPerDay;
            case DateUnit.Hour: return FloorDiv(millis, MillisPerHour) * MillisPerHour;
            case DateUnit.Minute: return FloorDiv(millis, MillisPerMinute) * MillisPerMinute;
            default: return FloorDiv(millis, MillisPerSecond) * MillisPerSecond;
        }
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static long FloorMod(long a, long b) => a - FloorDiv(a, b) * b;

    private static DateTime FromMillis(long millis) => s_epoch.AddTicks(millis * TimeSpan.TicksPerMillisecond);

    private static long ToMillis(DateTime time) => (time.Ticks - s_epoch.Ticks) / TimeSpan.TicksPerMillisecond;
}

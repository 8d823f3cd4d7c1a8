using System.Globalization;
using System.Text.Json;
using RuleGen.Runtime.Text;

namespace RuleGen.Runtime;

/// <summary>The numeric field types of Elasticsearch, which decide how a value is coerced before it compares.</summary>
public enum ElasticNumberType
{
    Long,
    Integer,
    Short,
    Byte,
    UnsignedLong,
    Double,
    Float,
    HalfFloat,
    ScaledFloat,
}

// The tests Elastic rules need beyond exact text: analysed text, lowercase-normalised keywords, typed numbers,
// booleans and dates, each as Elasticsearch indexes the field type (see the README, "Elastic rules and field types").
public readonly ref partial struct EventView
{
    [ThreadStatic] private static byte[]? t_lowercase;

    private static Span<byte> LowercaseScratch(int length)
    {
        var needed = Utf8Lowercase.MaxLength(length);
        var buffer = t_lowercase;
        if (buffer is null || buffer.Length < needed)
        {
            buffer = new byte[Math.Max(256, needed * 2)];
            t_lowercase = buffer;
        }
        return buffer;
    }

    // ---- text and match_only_text: the standard analyzer ---------------------------------------------------

    /// <summary>Some value of an analysed text field holds <paramref name="phrase"/> (match_phrase; one token: a term).</summary>
    public bool AnyTextPhrase(int slot, TextPhrase phrase)
    {
        foreach (var value in Values(slot))
        {
            if (value.Is(ValueKinds.Scalars) && phrase.IsIn(value.Utf8)) return true;
        }
        return false;
    }

    /// <summary>Some value of an analysed text field holds one of <paramref name="phrases"/>.</summary>
    public bool AnyTextPhraseIn(int slot, TextPhraseSet phrases)
    {
        foreach (var value in Values(slot))
        {
            if (value.Is(ValueKinds.Scalars) && phrases.AnyIn(value.Utf8)) return true;
        }
        return false;
    }

    /// <summary>Some token of some value of an analysed text field matches the (lowercase) wildcard <paramref name="pattern"/>.</summary>
    public bool AnyTextToken(int slot, Wildcard pattern)
    {
        foreach (var value in Values(slot))
        {
            if (value.Is(ValueKinds.Scalars) && TextTokens.AnyMatches(value.Utf8, pattern)) return true;
        }
        return false;
    }

    // ---- keyword with the lowercase normalizer (.caseless) ----------------------------------------------------

    /// <summary>Some value, lowercased, relates to <paramref name="lowerLiteral"/> (already lowercase).</summary>
    public bool AnyLowercased(int slot, TextRelation relation, ReadOnlySpan<byte> lowerLiteral)
    {
        foreach (var value in Values(slot))
        {
            if (!value.Is(ValueKinds.Scalars)) continue;
            var scratch = LowercaseScratch(value.Utf8.Length);
            var lower = scratch.Slice(0, Utf8Lowercase.ToLower(value.Utf8, scratch));
            var holds = relation switch
            {
                TextRelation.Equals => lower.SequenceEqual(lowerLiteral),
                TextRelation.StartsWith => lower.StartsWith(lowerLiteral),
                TextRelation.EndsWith => lower.EndsWith(lowerLiteral),
                _ => lower.IndexOf(lowerLiteral) >= 0,
            };
            if (holds) return true;
        }
        return false;
    }

    /// <summary>Some value, lowercased, matches the (lowercase) wildcard <paramref name="pattern"/>.</summary>
    public bool AnyLowercasedWildcard(int slot, Wildcard pattern)
    {
        foreach (var value in Values(slot))
        {
            if (!value.Is(ValueKinds.Scalars)) continue;
            var scratch = LowercaseScratch(value.Utf8.Length);
            if (pattern.IsMatch(scratch.Slice(0, Utf8Lowercase.ToLower(value.Utf8, scratch)))) return true;
        }
        return false;
    }

    /// <summary>Some value, lowercased, is in <paramref name="set"/> (of lowercase values).</summary>
    public bool AnyLowercasedInSet(int slot, Utf8StringSet set)
    {
        foreach (var value in Values(slot))
        {
            if (!value.Is(ValueKinds.Scalars)) continue;
            var scratch = LowercaseScratch(value.Utf8.Length);
            if (set.Contains(scratch.Slice(0, Utf8Lowercase.ToLower(value.Utf8, scratch)))) return true;
        }
        return false;
    }

    /// <summary>Some value, lowercased, compares with <paramref name="lowerLiteral"/> in byte order.</summary>
    public bool AnyLowercasedTextCompare(int slot, NumberComparison comparison, ReadOnlySpan<byte> lowerLiteral)
    {
        foreach (var value in Values(slot))
        {
            if (!value.Is(ValueKinds.Scalars)) continue;
            var scratch = LowercaseScratch(value.Utf8.Length);
            var order = scratch.Slice(0, Utf8Lowercase.ToLower(value.Utf8, scratch)).SequenceCompareTo(lowerLiteral);
            if (Holds(comparison, order)) return true;
        }
        return false;
    }

    // ---- numbers, booleans, dates ------------------------------------------------------------------------------

    /// <summary>
    /// Some value, as a field of <paramref name="type"/> indexes it, compares with <paramref name="literal"/>: JSON
    /// numbers and numeric strings are accepted (<c>coerce</c>), integer types truncate toward zero and drop values
    /// out of their range (Elasticsearch rejects them), <c>float</c> and <c>half_float</c> round to their precision.
    /// </summary>
    public bool AnyElasticNumber(int slot, ElasticNumberType type, NumberComparison comparison, double literal)
    {
        foreach (var value in Values(slot))
        {
            if (value.Kind != JsonValueKind.Number && value.Kind != JsonValueKind.String) continue;
            if (!TryParseNumber(value.Utf8, out var number) || double.IsNaN(number) || double.IsInfinity(number)) continue;
            if (!ElasticNumbers.TryIndex(type, number, out var indexed)) continue;
            var order = indexed.CompareTo(literal);
            if (Holds(comparison, order)) return true;
        }
        return false;
    }

    /// <summary>
    /// Some value is the boolean <paramref name="literal"/> as a <c>boolean</c> field indexes it: JSON true/false,
    /// the strings "true"/"false", and the empty string as false.
    /// </summary>
    public bool AnyElasticBoolean(int slot, bool literal)
    {
        foreach (var value in Values(slot))
        {
            switch (value.Kind)
            {
                case JsonValueKind.True when literal:
                case JsonValueKind.False when !literal:
                    return true;
                case JsonValueKind.String:
                    if (literal ? value.Utf8.SequenceEqual("true"u8) : value.Utf8.SequenceEqual("false"u8) || value.Utf8.IsEmpty) return true;
                    break;
            }
        }
        return false;
    }

    /// <summary>
    /// Some value is a date (<c>strict_date_optional_time||epoch_millis</c>) within <paramref name="min"/> ..
    /// <paramref name="max"/> (epoch milliseconds, both inclusive).
    /// </summary>
    public bool AnyDateBetween(int slot, long min, long max)
    {
        foreach (var value in Values(slot))
        {
            if (value.Kind != JsonValueKind.Number && value.Kind != JsonValueKind.String) continue;
            if (ElasticDate.TryParse(value.Utf8, roundUp: false, out var millis) && millis >= min && millis <= max) return true;
        }
        return false;
    }

    /// <summary>
    /// The event's time, which date math's <c>now</c> means for this rule: the first date value of
    /// <paramref name="slot"/> (the rule's timestamp field); the current UTC time when the event has none.
    /// </summary>
    public long EventTimeMillis(int slot) => EventTimeMillis(slot, slot);

    /// <summary>
    /// The event's time from the first of two timestamp fields that holds a date (the rule's
    /// <c>timestamp_override</c>, then <c>@timestamp</c>, as the detection engine falls back); the current UTC time
    /// when neither does.
    /// </summary>
    public long EventTimeMillis(int first, int second)
    {
        if (TryFirstDate(first, out var millis) || TryFirstDate(second, out millis)) return millis;
        return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    private bool TryFirstDate(int slot, out long millis)
    {
        foreach (var value in Values(slot))
        {
            if ((value.Kind == JsonValueKind.String || value.Kind == JsonValueKind.Number)
                && ElasticDate.TryParse(value.Utf8, roundUp: false, out millis)) return true;
        }
        millis = 0;
        return false;
    }

    private static bool Holds(NumberComparison comparison, int order) => comparison switch
    {
        NumberComparison.Equal => order == 0,
        NumberComparison.LessThan => order < 0,
        NumberComparison.LessThanOrEqual => order <= 0,
        NumberComparison.GreaterThan => order > 0,
        _ => order >= 0,
    };
}

/// <summary>How Elasticsearch's numeric field types index a number.</summary>
public static class ElasticNumbers
{
    /// <summary>
    /// The value <paramref name="number"/> has once indexed in a field of <paramref name="type"/>; false when the
    /// type cannot hold it (the document would be rejected).
    /// </summary>
    public static bool TryIndex(ElasticNumberType type, double number, out double indexed)
    {
        indexed = number;
        switch (type)
        {
            case ElasticNumberType.Long: return TryInteger(number, -9.2233720368547758E18, 9.2233720368547758E18, out indexed);
            case ElasticNumberType.Integer: return TryInteger(number, int.MinValue, int.MaxValue, out indexed);
            case ElasticNumberType.Short: return TryInteger(number, short.MinValue, short.MaxValue, out indexed);
            case ElasticNumberType.Byte: return TryInteger(number, sbyte.MinValue, sbyte.MaxValue, out indexed);
            case ElasticNumberType.UnsignedLong: return TryInteger(number, 0, 1.8446744073709552E19, out indexed);
            case ElasticNumberType.Float:
                indexed = (float)number;
                return !float.IsInfinity((float)number);
            case ElasticNumberType.HalfFloat:
                indexed = (double)(Half)number;
                return !Half.IsInfinity((Half)number);
            default:
                return true;
        }
    }

    private static bool TryInteger(double number, double min, double max, out double indexed)
    {
        indexed = Math.Truncate(number);
        return indexed >= min && indexed <= max;
    }

    /// <summary>Parses a number the way the generator and the runtime both read literals (invariant culture).</summary>
    public static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value) && !double.IsInfinity(value);
}

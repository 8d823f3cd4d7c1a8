using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RuleGen.Runtime;

/// <summary>A numeric comparison: value OP literal.</summary>
public enum NumberComparison
{
    Equal,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary>A string relation for field-to-field comparisons.</summary>
public enum TextRelation
{
    Equals,
    StartsWith,
    EndsWith,
    Contains,
}

/// <summary>
/// A scanned event as generated matchers see it: the values of each slot, and the tests they run on them. Every
/// <c>Any...</c> test holds when at least one value of the slot passes it (arrays match when any element does);
/// absent fields and <c>null</c> never pass a positive test.
/// </summary>
/// <remarks>
/// Slot numbers in generated rule code are the rule's own (0, 1, ...); a rule set passes a map from them to its
/// shared slots, so a rule's code does not change when other rules are added. Tests that only one language needs
/// live in that language's part of this struct (EventView.&lt;Area&gt;.cs).
/// </remarks>
public readonly ref partial struct EventView
{
    private readonly ReadOnlySpan<byte> _json;
    private readonly EventFields _fields;
    private readonly ReadOnlySpan<int> _slotMap;

    public EventView(ReadOnlySpan<byte> utf8Json, EventFields fields)
    {
        _json = utf8Json;
        _fields = fields;
        _slotMap = default;
    }

    public EventView(ReadOnlySpan<byte> utf8Json, EventFields fields, ReadOnlySpan<int> slotMap)
    {
        _json = utf8Json;
        _fields = fields;
        _slotMap = slotMap;
    }

    /// <summary>The event's bytes.</summary>
    public ReadOnlySpan<byte> Json => _json;

    /// <summary>The scanned values (for the candidate index).</summary>
    internal EventFields Fields => _fields;

    /// <summary>The same event seen through another rule's slot map.</summary>
    public EventView WithSlotMap(ReadOnlySpan<int> slotMap) => new(_json, _fields, slotMap);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int First(int slot) => _fields.First[_slotMap.IsEmpty ? slot : _slotMap[slot]];

    /// <summary>The values of a slot, in document order.</summary>
    public FieldValueEnumerator Values(int slot) => new(_json, _fields, First(slot));

    /// <summary>The field has a non-null value (<c>""</c> counts; <c>null</c> and <c>[]</c> do not).</summary>
    public bool HasValue(int slot)
    {
        for (var i = First(slot); i >= 0; i = _fields.Entries[i].Next)
        {
            var kind = _fields.Entries[i].Kind;
            if (kind != JsonValueKind.Null && kind != JsonValueKind.Array) return true;
        }
        return false;
    }

    /// <summary>The field's key is present, whatever its value (<c>null</c> and <c>[]</c> included).</summary>
    public bool HasKey(int slot) => First(slot) >= 0;

    // The Any* tests read the field's values of the given kinds: by default every scalar (string, number, boolean), as
    // nearly every generated check does, so generated code leaves the argument out then.
    public bool AnyEquals(int slot, ReadOnlySpan<byte> literal, ValueKinds kinds = ValueKinds.Scalars) => AnyText<EqualsTest>(slot, literal, kinds);
    public bool AnyStartsWith(int slot, ReadOnlySpan<byte> literal, ValueKinds kinds = ValueKinds.Scalars) => AnyText<StartsWithTest>(slot, literal, kinds);
    public bool AnyEndsWith(int slot, ReadOnlySpan<byte> literal, ValueKinds kinds = ValueKinds.Scalars) => AnyText<EndsWithTest>(slot, literal, kinds);
    public bool AnyContains(int slot, ReadOnlySpan<byte> literal, ValueKinds kinds = ValueKinds.Scalars) => AnyText<ContainsTest>(slot, literal, kinds);

    /// <summary>Case-insensitive (ASCII) forms: <paramref name="lowerLiteral"/> must be ASCII-lowercase.</summary>
    public bool AnyEqualsIgnoreCase(int slot, ReadOnlySpan<byte> lowerLiteral, ValueKinds kinds = ValueKinds.Scalars) => AnyText<EqualsIgnoreCaseTest>(slot, lowerLiteral, kinds);
    public bool AnyStartsWithIgnoreCase(int slot, ReadOnlySpan<byte> lowerLiteral, ValueKinds kinds = ValueKinds.Scalars) => AnyText<StartsWithIgnoreCaseTest>(slot, lowerLiteral, kinds);
    public bool AnyEndsWithIgnoreCase(int slot, ReadOnlySpan<byte> lowerLiteral, ValueKinds kinds = ValueKinds.Scalars) => AnyText<EndsWithIgnoreCaseTest>(slot, lowerLiteral, kinds);
    public bool AnyContainsIgnoreCase(int slot, ReadOnlySpan<byte> lowerLiteral, ValueKinds kinds = ValueKinds.Scalars) => AnyText<ContainsIgnoreCaseTest>(slot, lowerLiteral, kinds);

    /// <summary>Some value's text is in <paramref name="set"/>.</summary>
    public bool AnyInSet(int slot, Utf8StringSet set, ValueKinds kinds = ValueKinds.Scalars)
    {
        foreach (var value in Values(slot))
        {
            if (value.Is(kinds) && set.Contains(value.Utf8)) return true;
        }
        return false;
    }

    /// <summary>Some value's whole text matches <paramref name="pattern"/>.</summary>
    public bool AnyWildcard(int slot, Wildcard pattern, ValueKinds kinds = ValueKinds.Scalars)
    {
        foreach (var value in Values(slot))
        {
            if (value.Is(kinds) && pattern.IsMatch(value.Utf8)) return true;
        }
        return false;
    }

    /// <summary>Some value's text contains a match of <paramref name="regex"/>.</summary>
    public bool AnyRegex(int slot, ThreadRegex regex, ValueKinds kinds = ValueKinds.Scalars)
    {
        foreach (var value in Values(slot))
        {
            if (value.Is(kinds) && RegexText.IsMatch(regex, value.Utf8)) return true;
        }
        return false;
    }

    /// <summary>
    /// Some value is a number (a JSON number, or a numeric string when <paramref name="acceptNumericStrings"/>)
    /// that compares to <paramref name="literal"/> as asked.
    /// </summary>
    public bool AnyNumber(int slot, NumberComparison comparison, double literal, bool acceptNumericStrings)
    {
        foreach (var value in Values(slot))
        {
            if (value.Kind == JsonValueKind.Number || acceptNumericStrings && value.Kind == JsonValueKind.String)
            {
                if (!TryParseNumber(value.Utf8, out var number)) continue;
                var holds = comparison switch
                {
                    NumberComparison.Equal => number == literal,
                    NumberComparison.LessThan => number < literal,
                    NumberComparison.LessThanOrEqual => number <= literal,
                    NumberComparison.GreaterThan => number > literal,
                    _ => number >= literal,
                };
                if (holds) return true;
            }
        }
        return false;
    }

    /// <summary>Some value is the boolean <paramref name="literal"/> (or its text, when <paramref name="acceptStrings"/>).</summary>
    public bool AnyBoolean(int slot, bool literal, bool acceptStrings)
    {
        var expected = literal ? JsonValueKind.True : JsonValueKind.False;
        foreach (var value in Values(slot))
        {
            if (value.Kind == expected) return true;
            if (acceptStrings && value.Kind == JsonValueKind.String && value.Utf8.SequenceEqual(literal ? "true"u8 : "false"u8)) return true;
        }
        return false;
    }

    /// <summary>Some value's text compares with <paramref name="literal"/> as asked, in ordinal (byte) order.</summary>
    public bool AnyTextCompare(int slot, NumberComparison comparison, ReadOnlySpan<byte> literal, ValueKinds kinds = ValueKinds.Scalars)
    {
        foreach (var value in Values(slot))
        {
            if (!value.Is(kinds)) continue;
            var order = value.Utf8.SequenceCompareTo(literal);
            var holds = comparison switch
            {
                NumberComparison.Equal => order == 0,
                NumberComparison.LessThan => order < 0,
                NumberComparison.LessThanOrEqual => order <= 0,
                NumberComparison.GreaterThan => order > 0,
                _ => order >= 0,
            };
            if (holds) return true;
        }
        return false;
    }

    /// <summary>Some value is an IP address (string) inside one of the networks.</summary>
    public bool AnyInNetworks(int slot, IpNetworkSet networks)
    {
        foreach (var value in Values(slot))
        {
            if (value.Kind == JsonValueKind.String && networks.Contains(value.Utf8)) return true;
        }
        return false;
    }

    /// <summary>Some value of <paramref name="left"/> relates to some value of <paramref name="right"/> (field references).</summary>
    public bool AnyRelated(int left, int right, TextRelation relation, bool ignoreCase, ValueKinds kinds = ValueKinds.Scalars)
    {
        foreach (var a in Values(left))
        {
            if (!a.Is(kinds)) continue;
            foreach (var b in Values(right))
            {
                if (!b.Is(kinds)) continue;
                if (Relates(a.Utf8, b.Utf8, relation, ignoreCase)) return true;
            }
        }
        return false;
    }

    private static bool Relates(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, TextRelation relation, bool ignoreCase)
    {
        if (!ignoreCase)
        {
            return relation switch
            {
                TextRelation.Equals => a.SequenceEqual(b),
                TextRelation.StartsWith => a.StartsWith(b),
                TextRelation.EndsWith => a.EndsWith(b),
                _ => a.IndexOf(b) >= 0,
            };
        }
        Span<byte> lower = b.Length <= 256 ? stackalloc byte[b.Length] : new byte[b.Length];
        for (var i = 0; i < b.Length; i++) lower[i] = AsciiText.Fold(b[i]);
        return relation switch
        {
            TextRelation.Equals => AsciiText.EqualsIgnoreCase(a, lower),
            TextRelation.StartsWith => AsciiText.StartsWithIgnoreCase(a, lower),
            TextRelation.EndsWith => AsciiText.EndsWithIgnoreCase(a, lower),
            _ => AsciiText.ContainsIgnoreCase(a, lower),
        };
    }

    /// <summary>Parses a JSON number or numeric string (invariant culture, exponents allowed).</summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> utf8, out double value) =>
        double.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool AnyText<TTest>(int slot, ReadOnlySpan<byte> literal, ValueKinds kinds) where TTest : struct, ITextTest
    {
        foreach (var value in Values(slot))
        {
            if (value.Is(kinds) && TTest.Test(value.Utf8, literal)) return true;
        }
        return false;
    }

    private interface ITextTest
    {
        static abstract bool Test(ReadOnlySpan<byte> value, ReadOnlySpan<byte> literal);
    }

    private struct EqualsTest : ITextTest { public static bool Test(ReadOnlySpan<byte> v, ReadOnlySpan<byte> l) => v.SequenceEqual(l); }
    private struct StartsWithTest : ITextTest { public static bool Test(ReadOnlySpan<byte> v, ReadOnlySpan<byte> l) => v.StartsWith(l); }
    private struct EndsWithTest : ITextTest { public static bool Test(ReadOnlySpan<byte> v, ReadOnlySpan<byte> l) => v.EndsWith(l); }
    private struct ContainsTest : ITextTest { public static bool Test(ReadOnlySpan<byte> v, ReadOnlySpan<byte> l) => v.IndexOf(l) >= 0; }
    private struct EqualsIgnoreCaseTest : ITextTest { public static bool Test(ReadOnlySpan<byte> v, ReadOnlySpan<byte> l) => AsciiText.EqualsIgnoreCase(v, l); }
    private struct StartsWithIgnoreCaseTest : ITextTest { public static bool Test(ReadOnlySpan<byte> v, ReadOnlySpan<byte> l) => AsciiText.StartsWithIgnoreCase(v, l); }
    private struct EndsWithIgnoreCaseTest : ITextTest { public static bool Test(ReadOnlySpan<byte> v, ReadOnlySpan<byte> l) => AsciiText.EndsWithIgnoreCase(v, l); }
    private struct ContainsIgnoreCaseTest : ITextTest { public static bool Test(ReadOnlySpan<byte> v, ReadOnlySpan<byte> l) => AsciiText.ContainsIgnoreCase(v, l); }
}

using System.Text.Json;

namespace RuleGen.Runtime;

// EQL's part of EventView: a field's values as typed EQL values, coerced to the field's Elasticsearch type.
public readonly ref partial struct EventView
{
    /// <summary>
    /// The values of a slot as EQL values of <paramref name="kind"/> (values the type cannot hold are skipped, as
    /// Elasticsearch would not have indexed them), or a single null when there are none: a script sees null for a
    /// field without values.
    /// </summary>
    public EqlValueEnumerator EqlValues(int slot, EqlFieldKind kind, EqlScratch scratch) => new(Values(slot), kind, scratch);
}

/// <summary>Enumerates a slot's values as <see cref="EqlValue"/>s of one field kind; yields one null when there are none.</summary>
public ref struct EqlValueEnumerator
{
    private FieldValueEnumerator _values;
    private readonly EqlFieldKind _kind;
    private readonly EqlScratch _scratch;
    private bool _any;
    private bool _done;
    private EqlValue _current;

    internal EqlValueEnumerator(FieldValueEnumerator values, EqlFieldKind kind, EqlScratch scratch)
    {
        _values = values;
        _kind = kind;
        _scratch = scratch;
        _any = false;
        _done = false;
        _current = default;
    }

    public readonly EqlValue Current => _current;

    public readonly EqlValueEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_done) return false;
        while (_values.MoveNext())
        {
            if (TryConvert(_values.Current, out _current))
            {
                _any = true;
                return true;
            }
        }
        _done = true;
        if (_any) return false;
        _any = true;
        _current = EqlValue.Null;
        return true;
    }

    private readonly bool TryConvert(FieldValue value, out EqlValue result)
    {
        result = default;
        switch (_kind)
        {
            case EqlFieldKind.Keyword:
                switch (value.Kind)
                {
                    case JsonValueKind.String:
                    case JsonValueKind.Number:
                        result = EqlValue.Of(value.Utf8);
                        return true;
                    case JsonValueKind.True:
                        result = EqlValue.Of("true"u8);
                        return true;
                    case JsonValueKind.False:
                        result = EqlValue.Of("false"u8);
                        return true;
                    default:
                        return false;
                }
            case EqlFieldKind.Integer:
            case EqlFieldKind.Float:
            {
                if (value.Kind is not (JsonValueKind.Number or JsonValueKind.String)) return false;
                if (!EventView.TryParseNumber(value.Utf8, out var number) || double.IsNaN(number) || double.IsInfinity(number)) return false;
                if (_kind == EqlFieldKind.Float)
                {
                    result = EqlValue.Of(number);
                    return true;
                }
                var truncated = Math.Truncate(number);
                if (truncated < long.MinValue || truncated > long.MaxValue) return false;
                result = EqlValue.Of((long)truncated);
                return true;
            }
            case EqlFieldKind.Boolean:
                switch (value.Kind)
                {
                    case JsonValueKind.True:
                        result = EqlValue.True;
                        return true;
                    case JsonValueKind.False:
                        result = EqlValue.False;
                        return true;
                    case JsonValueKind.String when value.Utf8.SequenceEqual("true"u8):
                        result = EqlValue.True;
                        return true;
                    case JsonValueKind.String when value.Utf8.SequenceEqual("false"u8):
                        result = EqlValue.False;
                        return true;
                    default:
                        return false;
                }
            default:
            {
                // ip: the canonical text of the address.
                if (value.Kind != JsonValueKind.String) return false;
                var buffer = _scratch.Allocate(48);
                if (!EqlText.TryFormatIp(value.Utf8, buffer, out var written))
                {
                    _scratch.Shrink(48);
                    return false;
                }
                _scratch.Shrink(48 - written);
                result = EqlValue.Of(buffer.Slice(0, written));
                return true;
            }
        }
    }
}

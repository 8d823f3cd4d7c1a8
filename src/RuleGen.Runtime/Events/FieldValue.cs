using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>Which JSON value kinds a test looks at (mirrors the generator's model).</summary>
[Flags]
public enum ValueKinds
{
    None = 0,
    /// <summary>JSON strings, by their decoded UTF-8 bytes.</summary>
    String = 1,
    /// <summary>JSON numbers, by their literal text.</summary>
    Number = 2,
    /// <summary>JSON booleans, as the text "true" / "false".</summary>
    Boolean = 4,
    Scalars = String | Number | Boolean,
}

/// <summary>
/// One value of a field in one event: its JSON kind and its UTF-8 text (a string's decoded bytes, a number's
/// literal, <c>true</c>/<c>false</c>/<c>null</c>, or an object's raw JSON).
/// </summary>
public readonly ref struct FieldValue
{
    public FieldValue(JsonValueKind kind, ReadOnlySpan<byte> utf8)
    {
        Kind = kind;
        Utf8 = utf8;
    }

    public JsonValueKind Kind { get; }

    public ReadOnlySpan<byte> Utf8 { get; }

    /// <summary>Whether a test that looks at <paramref name="kinds"/> sees this value.</summary>
    public bool Is(ValueKinds kinds) => Kind switch
    {
        JsonValueKind.String => (kinds & ValueKinds.String) != 0,
        JsonValueKind.Number => (kinds & ValueKinds.Number) != 0,
        JsonValueKind.True or JsonValueKind.False => (kinds & ValueKinds.Boolean) != 0,
        _ => false,
    };

    public override string ToString() => System.Text.Encoding.UTF8.GetString(Utf8);
}

/// <summary>Enumerates the values of one slot.</summary>
public ref struct FieldValueEnumerator
{
    private readonly ReadOnlySpan<byte> _json;
    private readonly EventFields _fields;
    private int _next;
    private int _current;

    internal FieldValueEnumerator(ReadOnlySpan<byte> json, EventFields fields, int first)
    {
        _json = json;
        _fields = fields;
        _next = first;
        _current = -1;
    }

    public bool MoveNext()
    {
        if (_next < 0) return false;
        _current = _next;
        _next = _fields.Entries[_current].Next;
        return true;
    }

    public readonly FieldValue Current
    {
        get
        {
            ref readonly var entry = ref _fields.Entries[_current];
            var source = entry.InScratch ? (ReadOnlySpan<byte>)_fields.Scratch : _json;
            return new FieldValue(entry.Kind, source.Slice(entry.Start, entry.Length));
        }
    }

    public readonly FieldValueEnumerator GetEnumerator() => this;
}

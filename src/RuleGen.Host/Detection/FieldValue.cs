using System.Globalization;
using System.Text.Json;

namespace RuleGen.Host.Detection;

/// <summary>
/// One scalar value of an event field as Elasticsearch aggregates it: a string, a number (kept as written) or a
/// boolean. Terms, group keys and suppression values are lists of these.
/// </summary>
public readonly record struct FieldValue(string Text, JsonValueKind Kind) : IComparable<FieldValue>
{
    public bool IsNumber => Kind == JsonValueKind.Number;

    /// <summary>Writes the value as JSON (strings as strings, numbers and booleans as written).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        switch (Kind)
        {
            case JsonValueKind.Number:
                writer.WriteRawValue(Text, skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteStringValue(Text);
                break;
        }
    }

    /// <summary>Order of a terms aggregation's keys: numbers numerically, text by its bytes (keyword order).</summary>
    public int CompareTo(FieldValue other)
    {
        if (IsNumber && other.IsNumber
            && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && double.TryParse(other.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
        {
            var c = a.CompareTo(b);
            if (c != 0) return c;
        }
        return string.CompareOrdinal(Text, other.Text);
    }

    public override string ToString() => Text;

    /// <summary>Reads a value written by <see cref="WriteTo"/>.</summary>
    public static FieldValue From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => new FieldValue(element.GetString()!, JsonValueKind.String),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => new FieldValue(element.GetRawText(), element.ValueKind),
        _ => new FieldValue(element.GetRawText(), JsonValueKind.String),
    };
}

/// <summary>
/// Reads a field's values from a parsed event the way the detection engine's <c>fields</c> API returns them: a dotted
/// path resolves through nested objects and dotted keys alike (and mixes of both), arrays contribute each element
/// (arrays of objects each object's values), and <c>null</c> is no value.
/// </summary>
public static class EventFieldValues
{
    /// <summary>The scalar values of <paramref name="path"/> in <paramref name="root"/>, in document order.</summary>
    public static List<FieldValue> Of(JsonElement root, string path)
    {
        var values = new List<FieldValue>();
        Collect(root, path, values);
        return values;
    }

    /// <summary>The elements at <paramref name="path"/> whatever their kind (objects included): for indicator paths.</summary>
    public static List<JsonElement> Elements(JsonElement root, string path)
    {
        var elements = new List<JsonElement>();
        CollectElements(root, path, elements);
        return elements;
    }

    private static void Collect(JsonElement element, string path, List<FieldValue> values)
    {
        var elements = new List<JsonElement>();
        CollectElements(element, path, elements);
        foreach (var e in elements) AddScalars(e, values);
    }

    private static void CollectElements(JsonElement element, string path, List<JsonElement> found)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray()) CollectElements(item, path, found);
            return;
        }
        if (element.ValueKind != JsonValueKind.Object) return;
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (name == path)
            {
                found.Add(property.Value);
            }
            else if (name.Length < path.Length && path[name.Length] == '.' && path.StartsWith(name, StringComparison.Ordinal))
            {
                CollectElements(property.Value, path[(name.Length + 1)..], found);
            }
        }
    }

    private static void AddScalars(JsonElement element, List<FieldValue> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                values.Add(new FieldValue(element.GetString()!, JsonValueKind.String));
                break;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                values.Add(new FieldValue(element.GetRawText(), element.ValueKind));
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) AddScalars(item, values);
                break;
        }
    }

    /// <summary>Parses an event for reading its fields (events nested up to 256 levels, as the alert writer reads them).</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> json) => JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
}

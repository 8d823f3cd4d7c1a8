using System.Text;
using System.Text.Json;

namespace RuleGen.Host.Serve;

/// <summary>
/// A publish subject with at most one field template: <c>events.{host.name}</c> is <c>events.</c>, the event's
/// <c>host.name</c> as one subject token, and nothing after. The token keeps letters, digits, <c>-</c> and <c>_</c>;
/// every other character becomes <c>_</c> (a subject token cannot hold <c>.</c>, <c>*</c>, <c>&gt;</c> or spaces, and
/// the token also names a partition's consumer and its keys in rulegen serve's buckets). A missing field gives <c>_</c>.
/// </summary>
public static class PublishSubject
{
    /// <summary>Why <paramref name="subject"/> cannot be used, or null.</summary>
    public static string? Problem(string subject)
    {
        var open = subject.IndexOf('{');
        if (subject.Contains('*') || subject.Contains('>')) return "a publish subject cannot hold the wildcards * or >";
        if (subject.Length == 0 || subject.Contains(' ')) return "a subject is one or more dot-separated tokens without spaces";
        if (open < 0) return subject.Contains('}') ? "'}' without '{'" : null;
        var close = subject.IndexOf('}', open);
        if (close < 0) return "'{' without '}'";
        if (close == open + 1) return "'{}' names no field";
        if (subject.IndexOf('{', close) >= 0) return "only one {field} template is supported";
        if (open > 0 && subject[open - 1] != '.' || close + 1 < subject.Length && subject[close + 1] != '.')
            return "the {field} template must be a whole subject token (events.{host.name})";
        return null;
    }

    /// <summary>The subjects the template covers, its template as <c>*</c>: <c>events.*</c>.</summary>
    public static string Pattern(string subject)
    {
        var open = subject.IndexOf('{');
        return open < 0 ? subject : subject[..open] + "*" + subject[(subject.IndexOf('}') + 1)..];
    }

    /// <summary>The field the template names, or null.</summary>
    public static string? Field(string subject)
    {
        var open = subject.IndexOf('{');
        return open < 0 ? null : subject[(open + 1)..subject.IndexOf('}')];
    }

    /// <summary>The subject of one event (its JSON); null when the event is not a JSON object (published as is, to <paramref name="fallbackToken"/>).</summary>
    public static string Render(string subject, ReadOnlySpan<byte> json, string fallbackToken = "_")
    {
        var field = Field(subject);
        if (field is null) return subject;
        string? value = null;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind == JsonValueKind.Object) value = Lookup(document.RootElement, field);
        }
        catch (JsonException)
        {
        }
        return subject[..subject.IndexOf('{')] + Token(value ?? fallbackToken) + subject[(subject.IndexOf('}') + 1)..];
    }

    /// <summary>A field by its dotted name: a flat key (<c>"host.name"</c>) or nested objects (<c>{"host":{"name"}}</c>), or a mix.</summary>
    private static string? Lookup(JsonElement element, string field)
    {
        if (element.TryGetProperty(field, out var direct)) return Text(direct);
        var dot = field.IndexOf('.');
        while (dot > 0)
        {
            if (element.TryGetProperty(field[..dot], out var inner) && inner.ValueKind == JsonValueKind.Object && Lookup(inner, field[(dot + 1)..]) is { } found)
                return found;
            dot = field.IndexOf('.', dot + 1);
        }
        return null;
    }

    private static string? Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        JsonValueKind.Array when e.GetArrayLength() > 0 => Text(e[0]),
        _ => null,
    };

    /// <summary>A value as a subject token (and partition name).</summary>
    public static string Token(string value)
    {
        if (value.Length == 0) return "_";
        var builder = new StringBuilder(value.Length);
        foreach (var c in value) builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        return builder.ToString();
    }
}

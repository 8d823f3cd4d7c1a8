using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>Where an event came from, recorded on its alerts.</summary>
public readonly record struct EventSource(string File, long Line);

/// <summary>
/// Writes one alert as a JSON document shaped like Kibana's alert documents (alerts-as-data: flat dotted
/// <c>kibana.alert.*</c> keys beside the source event's own fields).
/// </summary>
public static class AlertDocument
{
    /// <summary>
    /// Writes the alert for <paramref name="rule"/> matching <paramref name="eventJson"/>. The event's top-level
    /// fields are copied first; <c>kibana.*</c>, <c>rulegen.*</c> and <c>@timestamp</c> are then written by RuleGen.
    /// <paramref name="extra"/> may add fields (the host adds execution details).
    /// </summary>
    public static void Write(Utf8JsonWriter writer, RuleInfo rule, ReadOnlySpan<byte> eventJson, EventSource source,
        Action<Utf8JsonWriter>? extra = null, string? alertTimestamp = null)
    {
        var reader = new Utf8JsonReader(eventJson);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        string? originalTime = root.TryGetProperty("@timestamp", out var ts) && ts.ValueKind == JsonValueKind.String ? ts.GetString() : null;

        writer.WriteStartObject();
        writer.WriteString("@timestamp", alertTimestamp ?? originalTime ?? "");
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("@timestamp") || property.Name.StartsWith("kibana.", StringComparison.Ordinal)
                || property.NameEquals("kibana") || property.Name.StartsWith("rulegen", StringComparison.Ordinal)) continue;
            property.WriteTo(writer);
        }

        writer.WriteString("kibana.alert.rule.name", rule.Name);
        writer.WriteString("kibana.alert.rule.rule_id", rule.Id);
        writer.WriteString("kibana.alert.rule.uuid", rule.Id);
        writer.WriteString("kibana.alert.rule.type", rule.Type);
        writer.WriteString("kibana.alert.rule.description", rule.Description);
        writer.WriteString("kibana.alert.severity", rule.Severity);
        writer.WriteNumber("kibana.alert.risk_score", rule.RiskScore);
        writer.WriteStartArray("kibana.alert.rule.tags");
        foreach (var tag in rule.Tags) writer.WriteStringValue(tag);
        writer.WriteEndArray();
        writer.WriteStartArray("kibana.alert.rule.threat");
        foreach (var threat in rule.Threat) WriteThreat(writer, threat);
        writer.WriteEndArray();
        if (rule.BuildingBlockType is { } buildingBlock) writer.WriteString("kibana.alert.building_block_type", buildingBlock);
        writer.WriteString("kibana.alert.reason", Reason(rule, root));
        if (originalTime is not null) writer.WriteString("kibana.alert.original_time", originalTime);
        else writer.WriteNull("kibana.alert.original_time");
        writer.WriteString("kibana.alert.status", "active");
        writer.WriteString("kibana.alert.workflow_status", "open");
        writer.WriteString("rulegen.input.file", source.File);
        writer.WriteNumber("rulegen.input.line", source.Line);
        extra?.Invoke(writer);
        writer.WriteEndObject();
    }

    private static void WriteThreat(Utf8JsonWriter writer, ThreatMapping threat)
    {
        writer.WriteStartObject();
        writer.WriteString("framework", threat.Framework);
        writer.WritePropertyName("tactic");
        WriteEntry(writer, threat.Tactic);
        writer.WriteStartArray("technique");
        foreach (var technique in threat.Techniques)
        {
            writer.WriteStartObject();
            writer.WriteString("id", technique.Technique.Id);
            writer.WriteString("name", technique.Technique.Name);
            writer.WriteString("reference", technique.Technique.Reference);
            writer.WriteStartArray("subtechnique");
            foreach (var sub in technique.Subtechniques) WriteEntry(writer, sub);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteEntry(Utf8JsonWriter writer, MitreEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("id", entry.Id);
        writer.WriteString("name", entry.Name);
        writer.WriteString("reference", entry.Reference);
        writer.WriteEndObject();
    }

    /// <summary>
    /// A sentence in the spirit of Kibana's alert reasons: what kind of event, on which host or by which user, and
    /// the rule that raised it.
    /// </summary>
    public static string Reason(RuleInfo rule, JsonElement root)
    {
        var kind = Lookup(root, "event.category") ?? Lookup(root, "event.dataset") ?? Lookup(root, "data_stream.dataset");
        var user = Lookup(root, "user.name");
        var host = Lookup(root, "host.name");
        var text = (kind is null ? "event" : kind + " event");
        if (user is not null) text += " by " + user;
        if (host is not null) text += " on " + host;
        return $"{text} created {rule.Severity} alert {rule.Name}.";
    }

    /// <summary>First string value at a dotted path (nested objects or dotted keys); arrays give their first string.</summary>
    public static string? Lookup(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        if (element.TryGetProperty(path, out var direct)) return FirstString(direct);
        var dot = path.IndexOf('.');
        while (dot > 0)
        {
            if (element.TryGetProperty(path.AsSpan(0, dot), out var child))
            {
                var found = Lookup(child, path.Substring(dot + 1));
                if (found is not null) return found;
            }
            dot = path.IndexOf('.', dot + 1);
        }
        return null;
    }

    private static string? FirstString(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Array => element.EnumerateArray().Select(FirstString).FirstOrDefault(s => s is not null),
        _ => null,
    };
}

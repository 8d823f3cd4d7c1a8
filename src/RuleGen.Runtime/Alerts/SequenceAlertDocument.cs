using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// Writes one alert for a completed EQL sequence (or sample) as a JSON document shaped like Kibana's alerts: the
/// <c>kibana.alert.*</c> keys of the rule, and every event of the sequence, in step order, under
/// <c>rulegen.sequence.events</c> with where each came from.
/// </summary>
/// <remarks>
/// Kibana writes a sequence as one building-block alert per event plus a "shadow" alert sharing their
/// <c>kibana.alert.group.id</c>; RuleGen writes the shadow alert with the events inside it, so one alert names the
/// whole sequence. Its <c>kibana.alert.original_time</c> is the first event's time, <c>@timestamp</c> when the alert
/// was created.
/// </remarks>
public static class SequenceAlertDocument
{
    public static void Write(Utf8JsonWriter writer, SequenceMatch match, string? alertTimestamp = null) =>
        Write(writer, match, new AlertShape { Timestamp = alertTimestamp });

    /// <summary>Writes the alert of a completed sequence, shaped by <paramref name="shape"/> (execution, identity, overrides).</summary>
    public static void Write(Utf8JsonWriter writer, SequenceMatch match, AlertShape shape)
    {
        var rule = match.Rule.Info;
        var kind = match.Rule.Sequence?.Kind == SequenceKind.Sample ? "sample" : "sequence";
        var id = shape.Uuid ?? AlertId(match);
        var severity = shape.Severity ?? rule.Severity;
        var timestamp = shape.Timestamp ?? DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        writer.WriteStartObject();
        writer.WriteString("@timestamp", timestamp);
        writer.WriteString("event.kind", "signal");
        writer.WriteString("kibana.alert.uuid", id);
        writer.WriteString("kibana.alert.group.id", id);
        writer.WriteString("kibana.alert.status", "active");
        writer.WriteString("kibana.alert.workflow_status", "open");
        writer.WriteNumber("kibana.alert.depth", 1);
        AlertDocument.WriteAncestors(writer, shape.Ancestors ?? match.Events.Select(e => AlertAncestor.Of(e.Source)).ToArray());
        writer.WriteString("kibana.alert.severity", severity);
        writer.WriteNumber("kibana.alert.risk_score", shape.RiskScore ?? rule.RiskScore);
        writer.WriteString("kibana.alert.reason", Reason(match, kind, severity, shape.RuleName ?? rule.Name));
        var first = match.Events[0].TimeNanos;
        if (first != EventTime.Missing) writer.WriteString("kibana.alert.original_time", EventTime.Format(first));
        if (rule.BuildingBlockType is { } buildingBlock) writer.WriteString("kibana.alert.building_block_type", buildingBlock);
        AlertDocument.WriteExecution(writer, shape, timestamp);
        AlertDocument.WriteRule(writer, rule, shape.RuleName);

        writer.WriteString("rulegen.rule.file", rule.SourceFile);
        writer.WriteString("rulegen.sequence.kind", kind);
        writer.WriteStartArray("rulegen.sequence.keys");
        foreach (var key in match.Keys)
        {
            if (key is null) writer.WriteNullValue();
            else writer.WriteStringValue(key);
        }
        writer.WriteEndArray();
        writer.WriteStartArray("rulegen.sequence.events");
        for (var i = 0; i < match.Events.Count; i++)
        {
            var e = match.Events[i];
            writer.WriteStartObject();
            writer.WriteNumber("step", match.Steps[i]);
            if (e.TimeNanos != EventTime.Missing) writer.WriteString("@timestamp", EventTime.Format(e.TimeNanos));
            writer.WriteString("rulegen.input.file", e.Source.File);
            writer.WriteNumber("rulegen.input.line", e.Source.Line);
            writer.WritePropertyName("event");
            using (var document = JsonDocument.Parse(e.Json)) document.RootElement.WriteTo(writer);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        shape.Extra?.Invoke(writer);
        writer.WriteEndObject();
    }

    /// <summary>A stable id: the same rule over the same input lines always gets the same id (SHA-256, hex).</summary>
    public static string AlertId(SequenceMatch match)
    {
        var text = new StringBuilder(match.Rule.Info.Id);
        foreach (var e in match.Events) text.Append('\n').Append(e.Source.File).Append(':').Append(e.Source.Line.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Reason(SequenceMatch match, string kind, string severity, string name)
    {
        var keys = match.Keys.Where(k => k is not null).ToList();
        var by = keys.Count > 0 ? " with " + string.Join(", ", keys) : "";
        return $"{kind} of {match.Events.Count} events{by} created {severity} alert {name}.";
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>Where an event came from, recorded on its alerts.</summary>
/// <param name="File">The input as named on the command line (<c>&lt;stdin&gt;</c> for standard input).</param>
/// <param name="Line">The event's 1-based line number in that input.</param>
public readonly record struct EventSource(string File, long Line);

/// <summary>
/// Writes one alert as a JSON document shaped like the alerts Kibana's detection engine writes for a custom query
/// rule (alerts-as-data): the source event's fields, then flat dotted <c>kibana.alert.*</c> keys.
/// </summary>
/// <remarks>
/// As in Kibana: <c>@timestamp</c> is when the alert was created and the event's own <c>@timestamp</c> moves to
/// <c>kibana.alert.original_time</c>; <c>event.kind</c> becomes <c>signal</c> and the event's <c>event.*</c> fields are
/// kept under <c>kibana.alert.original_event.*</c>; the rule's metadata goes under <c>kibana.alert.rule.*</c>;
/// <c>kibana.alert.reason</c> follows Kibana's sentence. RuleGen adds where the event came from:
/// <c>rulegen.input.file</c> and <c>rulegen.input.line</c>. <c>kibana.alert.ancestors</c> names the event by its input
/// file and line (Kibana: its index and document id); the execution fields are written when the host ran the rule on a
/// schedule (<see cref="AlertShape"/>). Not written: what only a Kibana deployment has (space ids, the rule's saved
/// object, actions).
/// </remarks>
public static class AlertDocument
{
    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = 256 };

    /// <summary>Writes the alert for a rule that matched an event.</summary>
    /// <param name="writer">Receives one JSON object.</param>
    /// <param name="rule">The rule that matched.</param>
    /// <param name="eventJson">The event: one well-formed JSON object.</param>
    /// <param name="source">Where the event came from.</param>
    /// <param name="extra">Writes more properties at the end of the alert.</param>
    /// <param name="alertTimestamp">The alert's <c>@timestamp</c> (when it was created); now when null.</param>
    public static void Write(Utf8JsonWriter writer, RuleInfo rule, ReadOnlySpan<byte> eventJson, EventSource source,
        Action<Utf8JsonWriter>? extra = null, string? alertTimestamp = null) =>
        Write(writer, rule, eventJson, source, new AlertShape { Timestamp = alertTimestamp, Extra = extra });

    /// <summary>Writes the alert for a rule that matched an event, shaped by <paramref name="shape"/>.</summary>
    public static void Write(Utf8JsonWriter writer, RuleInfo rule, ReadOnlySpan<byte> eventJson, EventSource source, AlertShape shape)
    {
        var reader = new Utf8JsonReader(eventJson, s_readerOptions);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ArgumentException("An event must be a JSON object.", nameof(eventJson));

        var severity = shape.Severity ?? rule.Severity;
        var timestamp = shape.Timestamp ?? DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        writer.WriteStartObject();
        writer.WriteString("@timestamp", timestamp);
        WriteSourceFields(writer, root, shape.ThreatEnrichments);

        writer.WriteString("kibana.alert.uuid", shape.Uuid ?? AlertId(rule, source));
        writer.WriteString("kibana.alert.status", "active");
        writer.WriteString("kibana.alert.workflow_status", "open");
        writer.WriteNumber("kibana.alert.depth", 1);
        WriteAncestors(writer, shape.Ancestors ?? new[] { AlertAncestor.Of(source) });
        writer.WriteString("kibana.alert.severity", severity);
        writer.WriteNumber("kibana.alert.risk_score", shape.RiskScore ?? rule.RiskScore);
        writer.WriteString("kibana.alert.reason", Reason(rule, root, severity, shape.RuleName ?? rule.Name));
        if (shape.OriginalTime is { } originalTime) writer.WriteString("kibana.alert.original_time", originalTime);
        else WriteOriginalTime(writer, root);
        WriteOriginalEvent(writer, root);
        if (rule.BuildingBlockType is { } buildingBlock) writer.WriteString("kibana.alert.building_block_type", buildingBlock);
        WriteExecution(writer, shape, timestamp);

        WriteRule(writer, rule, shape.RuleName);

        writer.WriteString("rulegen.input.file", source.File);
        writer.WriteNumber("rulegen.input.line", source.Line);
        writer.WriteString("rulegen.rule.file", rule.SourceFile);
        shape.Extra?.Invoke(writer);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The <c>kibana.alert.rule.*</c> fields of an alert: the rule's metadata as Kibana's <c>buildAlertFields</c> copies
    /// it, with the alert's rule name (<paramref name="nameOverride"/>, from <c>rule_name_override</c>) when set.
    /// </summary>
    public static void WriteRule(Utf8JsonWriter writer, RuleInfo rule, string? nameOverride = null)
    {
        writer.WriteString("kibana.alert.rule.name", nameOverride ?? rule.Name);
        writer.WriteString("kibana.alert.rule.rule_id", rule.Id);
        // Kibana's rule uuid is the id of the rule's saved object; a compiled rule's only identity is its rule_id.
        writer.WriteString("kibana.alert.rule.uuid", rule.Id);
        writer.WriteString("kibana.alert.rule.type", rule.Type);
        writer.WriteString("kibana.alert.rule.description", rule.Description);
        writer.WriteString("kibana.alert.rule.severity", rule.Severity);
        writer.WriteNumber("kibana.alert.rule.risk_score", rule.RiskScore);
        WriteStrings(writer, "kibana.alert.rule.tags", rule.Tags);
        writer.WriteStartArray("kibana.alert.rule.threat");
        foreach (var threat in rule.Threat) WriteThreat(writer, threat);
        writer.WriteEndArray();
        WriteStrings(writer, "kibana.alert.rule.author", rule.Authors);
        WriteStrings(writer, "kibana.alert.rule.false_positives", rule.FalsePositives);
        WriteStrings(writer, "kibana.alert.rule.references", rule.References);
        WriteOptional(writer, "kibana.alert.rule.license", rule.License);
        WriteOptional(writer, "kibana.alert.rule.note", rule.Note);
        WriteOptional(writer, "kibana.alert.rule.from", rule.From);
        WriteOptional(writer, "kibana.alert.rule.interval", rule.Interval);
        if (rule.MaxSignals is { } maxSignals) writer.WriteNumber("kibana.alert.rule.max_signals", maxSignals);
        WriteOptional(writer, "kibana.alert.rule.timestamp_override", rule.TimestampOverride);
        if (rule.Elastic?.RuleNameOverride is { } nameField) writer.WriteString("kibana.alert.rule.rule_name_override", nameField);
        if (rule.Version is { } version) writer.WriteNumber("kibana.alert.rule.version", version);
        if (rule.Index.Count > 0) WriteStrings(writer, "kibana.alert.rule.indices", rule.Index);
        writer.WriteStartObject("kibana.alert.rule.parameters");
        writer.WriteString("type", rule.Type);
        writer.WriteString("language", rule.Language);
        WriteOptional(writer, "query", rule.Query);
        if (rule.Index.Count > 0) WriteStrings(writer, "index", rule.Index);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The execution fields (when <see cref="AlertShape.ExecutionUuid"/> is set): which scheduled execution raised the
    /// alert, and when it was meant to run (<c>kibana.alert.intended_timestamp</c>, the alert's <c>@timestamp</c>).
    /// </summary>
    public static void WriteExecution(Utf8JsonWriter writer, AlertShape shape, string timestamp)
    {
        if (shape.ExecutionUuid is not { } execution) return;
        writer.WriteString("kibana.alert.rule.execution.uuid", execution);
        writer.WriteString("kibana.alert.rule.execution.type", "scheduled");
        writer.WriteString("kibana.alert.intended_timestamp", timestamp);
        writer.WriteString("kibana.alert.start", timestamp);
    }

    /// <summary><c>kibana.alert.ancestors</c>: the documents the alert was built from.</summary>
    public static void WriteAncestors(Utf8JsonWriter writer, IReadOnlyList<AlertAncestor> ancestors)
    {
        writer.WriteStartArray("kibana.alert.ancestors");
        foreach (var ancestor in ancestors)
        {
            writer.WriteStartObject();
            writer.WriteString("id", ancestor.Id);
            writer.WriteString("type", ancestor.Type);
            writer.WriteString("index", ancestor.Index);
            writer.WriteNumber("depth", ancestor.Depth);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>
    /// The event's own fields, except what the alert sets: <c>@timestamp</c>, <c>kibana.*</c>, <c>rulegen.*</c>, and
    /// <c>event.kind</c>, which becomes <c>signal</c> (inside the event's <c>event</c> object when it has one). With
    /// <paramref name="enrichments"/>, the event's <c>threat</c> object gets them appended to its
    /// <c>enrichments</c> (and an event without one gets a <c>threat</c> object holding them).
    /// </summary>
    private static void WriteSourceFields(Utf8JsonWriter writer, JsonElement root, Action<Utf8JsonWriter>? enrichments = null)
    {
        var kindWritten = false;
        var threatWritten = false;
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            if (name == "@timestamp" || name == "event.kind" || IsNamespace(name, "kibana") || IsNamespace(name, "rulegen")) continue;
            if (name == "event" && property.Value.ValueKind == JsonValueKind.Object && !kindWritten)
            {
                writer.WriteStartObject("event");
                foreach (var field in property.Value.EnumerateObject())
                {
                    if (!field.NameEquals("kind")) field.WriteTo(writer);
                }
                writer.WriteString("kind", "signal");
                writer.WriteEndObject();
                kindWritten = true;
                continue;
            }
            if (enrichments is not null && name == "threat" && property.Value.ValueKind == JsonValueKind.Object && !threatWritten)
            {
                writer.WriteStartObject("threat");
                JsonElement existing = default;
                foreach (var field in property.Value.EnumerateObject())
                {
                    if (field.NameEquals("enrichments")) existing = field.Value;
                    else field.WriteTo(writer);
                }
                writer.WriteStartArray("enrichments");
                if (existing.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in existing.EnumerateArray()) item.WriteTo(writer);
                }
                else if (existing.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
                {
                    existing.WriteTo(writer);
                }
                enrichments(writer);
                writer.WriteEndArray();
                writer.WriteEndObject();
                threatWritten = true;
                continue;
            }
            property.WriteTo(writer);
        }
        if (!kindWritten) writer.WriteString("event.kind", "signal");
        if (enrichments is not null && !threatWritten)
        {
            writer.WriteStartObject("threat");
            writer.WriteStartArray("enrichments");
            enrichments(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }

    private static bool IsNamespace(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && (name.Length == prefix.Length || name[prefix.Length] == '.');

    /// <summary>The event's <c>@timestamp</c> as the event has it; an epoch-milliseconds number becomes ISO 8601.</summary>
    private static void WriteOriginalTime(Utf8JsonWriter writer, JsonElement root)
    {
        if (!root.TryGetProperty("@timestamp", out var timestamp)) return;
        switch (timestamp.ValueKind)
        {
            case JsonValueKind.String:
                writer.WriteString("kibana.alert.original_time", timestamp.GetString());
                break;
            case JsonValueKind.Number when timestamp.TryGetInt64(out var millis) && millis >= -62135596800000 && millis <= 253402300799999:
                writer.WriteString("kibana.alert.original_time",
                    DateTimeOffset.FromUnixTimeMilliseconds(millis).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>The event's <c>event.*</c> fields (nested or dotted) as <c>kibana.alert.original_event.*</c>.</summary>
    private static void WriteOriginalEvent(Utf8JsonWriter writer, JsonElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("event") && property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in property.Value.EnumerateObject())
                {
                    writer.WritePropertyName("kibana.alert.original_event." + field.Name);
                    field.Value.WriteTo(writer);
                }
            }
            else if (property.Name.StartsWith("event.", StringComparison.Ordinal) && property.Name.Length > "event.".Length)
            {
                writer.WritePropertyName("kibana.alert.original_event." + property.Name["event.".Length..]);
                property.Value.WriteTo(writer);
            }
        }
    }

    /// <summary>
    /// A stable id for the alert: the same rule on the same line of the same input always gets the same id (a
    /// SHA-256, hex), so re-scanning a file gives alerts a consumer can de-duplicate.
    /// </summary>
    public static string AlertId(RuleInfo rule, EventSource source)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{rule.Id}\n{source.File}\n{source.Line}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    internal static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values) writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    internal static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null) writer.WriteString(name, value);
    }

    internal static void WriteThreat(Utf8JsonWriter writer, ThreatMapping threat)
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
    /// Kibana's alert reason for an event: "[category ]event[ with][ process P,][ parent process Q,][ file F,]
    /// [ source A[:port,]][ destination B[:port,]][ by user][ on host] created severity alert name." Fields holding
    /// arrays list their values separated by ", "; absent, empty and "-" values are left out.
    /// </summary>
    public static string Reason(RuleInfo rule, JsonElement root) => Reason(rule, root, rule.Severity, rule.Name);

    /// <summary>Kibana's alert reason with the alert's own severity and rule name (after overrides).</summary>
    public static string Reason(RuleInfo rule, JsonElement root, string severity, string name)
    {
        var category = Values(root, "event.category");
        var process = Values(root, "process.name");
        var parent = Values(root, "process.parent.name");
        var file = Values(root, "file.name");
        var sourceAddress = Values(root, "source.address");
        var sourcePort = Values(root, "source.port");
        var destinationAddress = Values(root, "destination.address");
        var destinationPort = Values(root, "destination.port");
        var user = Values(root, "user.name");
        var host = Values(root, "host.name");

        var text = new StringBuilder();
        if (category is not null) text.Append(category).Append(' ');
        text.Append("event");
        if ((process ?? parent ?? file ?? sourceAddress ?? sourcePort ?? destinationAddress ?? destinationPort) is not null) text.Append(" with");
        if (process is not null) text.Append(" process ").Append(process).Append(',');
        if (parent is not null) text.Append(" parent process ").Append(parent).Append(',');
        if (file is not null) text.Append(" file ").Append(file).Append(',');
        if (sourceAddress is not null) text.Append(" source ").Append(sourceAddress);
        if (sourcePort is not null) text.Append(':').Append(sourcePort).Append(',');
        if (destinationAddress is not null) text.Append(" destination ").Append(destinationAddress);
        if (destinationPort is not null) text.Append(':').Append(destinationPort).Append(',');
        if (user is not null) text.Append(" by ").Append(user);
        if (host is not null) text.Append(" on ").Append(host);
        text.Append(" created ").Append(severity).Append(" alert ").Append(name).Append('.');
        return text.ToString();
    }

    /// <summary>
    /// The values at a dotted path (nested objects or dotted keys, or a mix), joined with ", "; null when there are
    /// none, or the only value is empty or "-".
    /// </summary>
    public static string? Values(JsonElement element, string path)
    {
        var values = new List<string>();
        Collect(element, path, values);
        if (values.Count == 0 || values.Count == 1 && values[0] is "" or "-") return null;
        return string.Join(", ", values);
    }

    private static void Collect(JsonElement element, string path, List<string> values)
    {
        if (element.ValueKind != JsonValueKind.Object) return;
        if (element.TryGetProperty(path, out var direct)) AddScalars(direct, values);
        for (var dot = path.IndexOf('.'); dot > 0; dot = path.IndexOf('.', dot + 1))
        {
            if (element.TryGetProperty(path.AsSpan(0, dot), out var child))
            {
                if (child.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in child.EnumerateArray()) Collect(item, path[(dot + 1)..], values);
                }
                else
                {
                    Collect(child, path[(dot + 1)..], values);
                }
            }
        }
    }

    private static void AddScalars(JsonElement element, List<string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                values.Add(element.GetString()!);
                break;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                values.Add(element.GetRawText());
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) AddScalars(item, values);
                break;
        }
    }
}

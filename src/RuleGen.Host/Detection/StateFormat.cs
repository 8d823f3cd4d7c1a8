using System.Text;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>
/// How the pieces of the detection engine's state are written in the state file: events as their JSON (embedded,
/// not escaped), times as nanoseconds since the epoch, values with their JSON kind.
/// </summary>
internal static class StateFormat
{
    /// <summary>
    /// The detection's own state, what a scan's state file and a serve checkpoint both hold: the engine's under
    /// <c>engine</c> and, with sequence rules, the sequences' under <c>sequences</c>.
    /// </summary>
    public static void WriteDetection(Utf8JsonWriter writer, DetectionEngine engine, SequenceState sequences)
    {
        writer.WritePropertyName("engine");
        engine.SaveState(writer);
        if (sequences.HasSequenceRules)
        {
            writer.WritePropertyName("sequences");
            sequences.SaveState(writer);
        }
    }

    /// <summary>Restores what <see cref="WriteDetection"/> wrote; returns the states the engine dropped (see <c>LoadState</c>).</summary>
    public static int ReadDetection(JsonElement root, DetectionEngine engine, SequenceState sequences)
    {
        var dropped = engine.LoadState(root.GetProperty("engine"));
        if (root.TryGetProperty("sequences", out var state) && sequences.HasSequenceRules) sequences.LoadState(state);
        return dropped;
    }

    public static void WriteFieldValue(Utf8JsonWriter writer, FieldValue value) => value.WriteTo(writer);

    public static FieldValue ReadFieldValue(JsonElement element) => FieldValue.From(element);

    public static void WriteEvent(Utf8JsonWriter writer, string name, ReadOnlyMemory<byte> json)
    {
        writer.WritePropertyName(name);
        writer.WriteRawValue(json.Span, skipInputValidation: true);
    }

    public static byte[] ReadEvent(JsonElement element) => Encoding.UTF8.GetBytes(element.GetRawText());

    public static void WriteSource(Utf8JsonWriter writer, EventSource source)
    {
        writer.WriteString("file", source.File);
        writer.WriteNumber("line", source.Line);
    }

    public static EventSource ReadSource(JsonElement element) => new(element.GetProperty("file").GetString()!, element.GetProperty("line").GetInt64());

    public static void WriteEventItemFields(Utf8JsonWriter writer, long time, long arrival, bool considered, EventSource source, ReadOnlyMemory<byte> json)
    {
        writer.WriteNumber("time", time);
        writer.WriteNumber("arrival", arrival);
        writer.WriteBoolean("considered", considered);
        WriteSource(writer, source);
        WriteEvent(writer, "event", json);
    }

    public static (long Time, long Arrival, bool Considered, EventSource Source, ReadOnlyMemory<byte> Json) ReadEventItemFields(JsonElement e) =>
        (e.GetProperty("time").GetInt64(), e.GetProperty("arrival").GetInt64(), e.GetProperty("considered").GetBoolean(), ReadSource(e),
            ReadEvent(e.GetProperty("event")));

    public static void WriteEventItem(Utf8JsonWriter writer, EventItem item)
    {
        writer.WriteStartObject();
        WriteEventItemFields(writer, item.Time, item.Arrival, item.Considered, item.Source, item.Json);
        writer.WriteEndObject();
    }

    public static EventItem ReadEventItem(JsonElement e)
    {
        var (time, arrival, considered, source, json) = ReadEventItemFields(e);
        return new EventItem { Time = time, Arrival = arrival, Considered = considered, Source = source, Json = json };
    }

    public static void WriteSequenceMatch(Utf8JsonWriter writer, SequenceMatch match)
    {
        writer.WriteStartArray("events");
        for (var i = 0; i < match.Events.Count; i++)
        {
            var e = match.Events[i];
            writer.WriteStartObject();
            writer.WriteNumber("step", match.Steps[i]);
            writer.WriteNumber("time", e.TimeNanos);
            writer.WriteNumber("arrival", e.Arrival);
            WriteSource(writer, e.Source);
            WriteEvent(writer, "event", e.Json);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("keys");
        foreach (var key in match.Keys)
        {
            if (key is null) writer.WriteNullValue();
            else writer.WriteStringValue(key);
        }
        writer.WriteEndArray();
    }

    public static SequenceMatch ReadSequenceMatch(JsonElement element, CompiledRule rule)
    {
        var events = new List<SequenceEvent>();
        var steps = new List<int>();
        foreach (var e in element.GetProperty("events").EnumerateArray())
        {
            steps.Add(e.GetProperty("step").GetInt32());
            events.Add(new SequenceEvent(ReadEvent(e.GetProperty("event")), ReadSource(e), e.GetProperty("time").GetInt64(), e.GetProperty("arrival").GetInt64()));
        }
        var keys = element.GetProperty("keys").EnumerateArray().Select(k => k.ValueKind == JsonValueKind.Null ? null : k.GetString()).ToList();
        return new SequenceMatch(rule, events, steps, keys);
    }

    public static void WriteSequenceItem(Utf8JsonWriter writer, SequenceItem item)
    {
        writer.WriteStartObject();
        writer.WriteNumber("time", item.Time);
        writer.WriteNumber("firstTime", item.FirstTime);
        writer.WriteNumber("arrival", item.Arrival);
        writer.WriteBoolean("considered", item.Considered);
        WriteSequenceMatch(writer, item.Match);
        writer.WriteEndObject();
    }

    public static SequenceItem ReadSequenceItem(JsonElement e, CompiledRule rule) => new()
    {
        Match = ReadSequenceMatch(e, rule),
        Time = e.GetProperty("time").GetInt64(),
        FirstTime = e.GetProperty("firstTime").GetInt64(),
        Arrival = e.GetProperty("arrival").GetInt64(),
        Considered = e.GetProperty("considered").GetBoolean(),
    };

    public static void WriteCorrelationEvents(Utf8JsonWriter writer, string name, IEnumerable<CorrelationEvent> events)
    {
        writer.WriteStartArray(name);
        foreach (var e in events)
        {
            writer.WriteStartObject();
            writer.WriteString("rule", e.RuleId);
            writer.WriteNumber("time", e.TimeNanos);
            WriteSource(writer, e.Source);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    public static IEnumerable<CorrelationEvent> ReadCorrelationEvents(JsonElement array) =>
        array.EnumerateArray().Select(e => new CorrelationEvent(e.GetProperty("rule").GetString()!, ReadSource(e), e.GetProperty("time").GetInt64())).ToList();

    public static void WriteHit(Utf8JsonWriter writer, CorrelationHit hit)
    {
        writer.WriteString("correlation", hit.Definition.Info.Id);
        writer.WriteStartArray("group");
        foreach (var v in hit.Group) WriteFieldValue(writer, v);
        writer.WriteEndArray();
        WriteCorrelationEvents(writer, "events", hit.Events);
        writer.WriteNumber("count", hit.Count);
        writer.WriteStartArray("values");
        foreach (var v in hit.Values) writer.WriteStringValue(v);
        writer.WriteEndArray();
        writer.WriteNumber("last", hit.LastNanos);
        if (hit.Metric is { } metric) writer.WriteNumber("metric", metric);
    }

    public static CorrelationHit ReadHit(JsonElement e, IReadOnlyList<CorrelationDefinition> definitions)
    {
        var id = e.GetProperty("correlation").GetString();
        return new CorrelationHit
        {
            Definition = definitions.First(d => d.Info.Id == id),
            Group = e.GetProperty("group").EnumerateArray().Select(ReadFieldValue).ToArray(),
            Events = ReadCorrelationEvents(e.GetProperty("events")).ToList(),
            Count = e.GetProperty("count").GetInt64(),
            Values = e.GetProperty("values").EnumerateArray().Select(v => v.GetString()!).ToList(),
            LastNanos = e.GetProperty("last").GetInt64(),
            Metric = e.TryGetProperty("metric", out var metric) ? metric.GetDouble() : null,
        };
    }

    public static void WriteCorrelationInput(Utf8JsonWriter writer, CorrelationInput input, IReadOnlyList<CorrelationDefinition> definitions)
    {
        writer.WriteString("correlation", definitions[input.Correlation].Info.Id);
        writer.WriteNumber("source", input.Source);
        writer.WriteStartArray("group");
        foreach (var v in input.Group) WriteFieldValue(writer, v);
        writer.WriteEndArray();
        if (input.Value is not null) writer.WriteString("value", input.Value);
        WriteCorrelationEvents(writer, "event", new[] { input.Event });
        if (input.Nested is not null) WriteCorrelationEvents(writer, "nested", input.Nested);
    }

    public static CorrelationInput? ReadCorrelationInput(JsonElement e, IReadOnlyList<CorrelationDefinition> definitions)
    {
        var id = e.GetProperty("correlation").GetString();
        var index = -1;
        for (var i = 0; i < definitions.Count; i++)
        {
            if (definitions[i].Info.Id == id) index = i;
        }
        if (index < 0) return null;
        return new CorrelationInput(index, e.GetProperty("source").GetInt32(), e.GetProperty("group").EnumerateArray().Select(ReadFieldValue).ToArray(),
            e.TryGetProperty("value", out var v) ? v.GetString() : null, ReadCorrelationEvents(e.GetProperty("event")).Single(), e.GetProperty("arrival").GetInt64())
        {
            Nested = e.TryGetProperty("nested", out var n) ? ReadCorrelationEvents(n).ToList() : null,
        };
    }

    /// <summary>Writes an alert whose suppression window is open (its kind, what it is about, its execution, its counts).</summary>
    public static void WriteWindowAlert(Utf8JsonWriter writer, DetectionAlert alert)
    {
        writer.WriteNumber("execution", alert.Execution.TimeNanos);
        writer.WriteNumber("windowStart", alert.Execution.WindowStartNanos);
        switch (alert)
        {
            case EventAlert e:
                writer.WriteString("kind", "event");
                writer.WriteNumber("time", e.OriginalTimeNanos);
                WriteSource(writer, e.Source);
                WriteEvent(writer, "event", e.Json);
                if (e.NewTerms is { } terms)
                {
                    writer.WriteStartArray("newTerms");
                    foreach (var t in terms) WriteFieldValue(writer, t);
                    writer.WriteEndArray();
                }
                if (e.Enrichments is { } enrichments)
                {
                    writer.WriteStartArray("enrichments");
                    foreach (var x in enrichments) x.WriteTo(writer);
                    writer.WriteEndArray();
                }
                break;
            case ThresholdAlert t:
                writer.WriteString("kind", "threshold");
                writer.WriteStartArray("terms");
                foreach (var (field, value) in t.Terms)
                {
                    writer.WriteStartObject();
                    writer.WriteString("field", field);
                    writer.WritePropertyName("value");
                    value.WriteTo(writer);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteNumber("count", t.Count);
                writer.WriteNumber("from", t.FromNanos);
                writer.WriteNumber("to", t.ToNanos);
                if (t.Cardinality is { } c)
                {
                    writer.WriteString("cardinalityField", c.Field);
                    writer.WriteNumber("cardinality", c.Value);
                }
                break;
            case SequenceAlert s:
                writer.WriteString("kind", "sequence");
                WriteSequenceMatch(writer, s.Match);
                break;
            default:
                throw new InvalidOperationException("Alerts of this kind are not suppressed: " + alert.GetType().Name);
        }
        var suppression = alert.Suppression!;
        writer.WriteStartObject("suppression");
        writer.WriteString("instance", suppression.InstanceId);
        writer.WriteStartArray("terms");
        foreach (var term in suppression.Terms) term.WriteTo(writer);
        writer.WriteEndArray();
        writer.WriteNumber("start", suppression.StartNanos);
        writer.WriteNumber("end", suppression.EndNanos);
        writer.WriteNumber("docs", suppression.DocsCount);
        writer.WriteNumber("lastDetected", suppression.LastDetectedNanos);
        writer.WriteEndObject();
    }

    public static DetectionAlert ReadWindowAlert(JsonElement e, CompiledRule rule)
    {
        var execution = new Execution(rule.Info.Id, e.GetProperty("execution").GetInt64(), e.GetProperty("windowStart").GetInt64());
        DetectionAlert alert = e.GetProperty("kind").GetString() switch
        {
            "event" => new EventAlert(rule, execution, ReadEvent(e.GetProperty("event")), ReadSource(e), e.GetProperty("time").GetInt64())
            {
                NewTerms = e.TryGetProperty("newTerms", out var nt) ? nt.EnumerateArray().Select(ReadFieldValue).ToArray() : null,
                Enrichments = e.TryGetProperty("enrichments", out var en) ? en.EnumerateArray().Select(ReadEnrichment).ToList() : null,
            },
            "threshold" => new ThresholdAlert(rule, execution,
                e.GetProperty("terms").EnumerateArray().Select(t => (t.GetProperty("field").GetString()!, ReadFieldValue(t.GetProperty("value")))).ToList(),
                e.GetProperty("count").GetInt64(), e.GetProperty("from").GetInt64(), e.GetProperty("to").GetInt64(),
                e.TryGetProperty("cardinalityField", out var cf) ? (cf.GetString()!, e.GetProperty("cardinality").GetInt64()) : null),
            _ => new SequenceAlert(rule, execution, ReadSequenceMatch(e, rule)),
        };
        alert.Shape();
        var s = e.GetProperty("suppression");
        alert.Suppression = new SuppressionState
        {
            InstanceId = s.GetProperty("instance").GetString()!,
            Terms = s.GetProperty("terms").EnumerateArray().Select(ReadTerm).ToList(),
            StartNanos = s.GetProperty("start").GetInt64(),
            EndNanos = s.GetProperty("end").GetInt64(),
            DocsCount = s.GetProperty("docs").GetInt64(),
            LastDetectedNanos = s.GetProperty("lastDetected").GetInt64(),
        };
        return alert;
    }

    private static SuppressionTerm ReadTerm(JsonElement t)
    {
        var value = t.GetProperty("value");
        IReadOnlyList<FieldValue>? values = value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.Array => value.EnumerateArray().Select(ReadFieldValue).ToList(),
            _ => new[] { ReadFieldValue(value) },
        };
        return new SuppressionTerm(t.GetProperty("field").GetString()!, values);
    }

    private static ThreatEnrichment ReadEnrichment(JsonElement e)
    {
        var matched = e.GetProperty("matched");
        return new ThreatEnrichment(
            e.GetProperty("indicator").GetRawText(),
            e.GetProperty("feed").TryGetProperty("name", out var feed) ? feed.GetString() : null,
            matched.TryGetProperty("atomic", out var atomic) ? atomic.GetRawText() : null,
            matched.GetProperty("field").GetString()!,
            matched.GetProperty("id").GetString()!,
            matched.GetProperty("index").GetString()!);
    }
}

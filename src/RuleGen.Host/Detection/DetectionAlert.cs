using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>Receives the alerts a <see cref="DetectionEngine"/> raises, in the order it raises them.</summary>
public interface IDetectionAlertSink
{
    /// <summary>
    /// A new alert, or (<paramref name="update"/>) the final version of an alert written before whose suppression
    /// window has closed with more events folded into it: the same <c>kibana.alert.uuid</c>, its counts updated (as
    /// Kibana updates the alert document in place).
    /// </summary>
    void Write(DetectionAlert alert, bool update);
}

/// <summary>One suppression field of an alert and the value(s) that group it (null when the event lacks the field).</summary>
public sealed record SuppressionTerm(string Field, IReadOnlyList<FieldValue>? Values)
{
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("field", Field);
        writer.WritePropertyName("value");
        if (Values is null) writer.WriteNullValue();
        else if (Values.Count == 1) Values[0].WriteTo(writer);
        else
        {
            writer.WriteStartArray();
            foreach (var v in Values) v.WriteTo(writer);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}

/// <summary>
/// The alert-suppression fields of an alert that stands for a group of candidate alerts (Kibana's
/// <c>kibana.alert.suppression.*</c> and <c>kibana.alert.instance.id</c>): the group's terms, the time span of the
/// suppressed events, and how many were folded into this alert.
/// </summary>
public sealed class SuppressionState
{
    public required string InstanceId { get; init; }

    public required IReadOnlyList<SuppressionTerm> Terms { get; init; }

    public long StartNanos { get; set; }

    public long EndNanos { get; set; }

    /// <summary>Candidate alerts folded into this one (not counting itself).</summary>
    public long DocsCount { get; set; }

    /// <summary>The execution that last folded a candidate in (<c>kibana.alert.last_detected</c>).</summary>
    public long LastDetectedNanos { get; set; }

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteString("kibana.alert.instance.id", InstanceId);
        writer.WriteStartArray("kibana.alert.suppression.terms");
        foreach (var term in Terms) term.WriteTo(writer);
        writer.WriteEndArray();
        writer.WriteString("kibana.alert.suppression.start", Ids.Format(StartNanos));
        writer.WriteString("kibana.alert.suppression.end", Ids.Format(EndNanos));
        writer.WriteNumber("kibana.alert.suppression.docs_count", DocsCount);
        writer.WriteString("kibana.alert.last_detected", Ids.Format(LastDetectedNanos));
    }
}

/// <summary>
/// An alert raised by an execution: its rule, the execution, its shaping (overrides) and, when alert suppression
/// grouped it, its suppression state. Each kind writes itself as a Kibana-shaped alert document.
/// </summary>
public abstract class DetectionAlert
{
    protected DetectionAlert(CompiledRule rule, Execution execution)
    {
        Rule = rule;
        Execution = execution;
    }

    public CompiledRule Rule { get; }

    /// <summary>The execution that created the alert.</summary>
    public Execution Execution { get; }

    /// <summary><c>kibana.alert.uuid</c>: deterministic from the rule and what the alert is about.</summary>
    public abstract string Uuid { get; }

    /// <summary>Severity, risk score and rule name from the rule's mappings (computed when the alert is created).</summary>
    public AlertOverrides Overrides { get; internal set; } = AlertOverrides.None;

    /// <summary>Set when alert suppression made this alert stand for a group.</summary>
    public SuppressionState? Suppression { get; internal set; }

    /// <summary>The time the alert is about (its source's time), used as the suppression start and end.</summary>
    public abstract long OriginalTimeNanos { get; }

    /// <summary>Writes the alert as one JSON object.</summary>
    public abstract void WriteTo(Utf8JsonWriter writer);

    /// <summary>The shape common to every kind: execution, identity, overrides, suppression fields and the kind's fields.</summary>
    protected AlertShape Shape(Action<Utf8JsonWriter>? typeFields, IReadOnlyList<AlertAncestor>? ancestors = null,
        Action<Utf8JsonWriter>? enrichments = null, string? originalTime = null) => new()
    {
        Timestamp = Execution.Timestamp,
        OriginalTime = originalTime,
        ExecutionUuid = Execution.Uuid,
        Uuid = Uuid,
        Severity = Overrides.Severity,
        RiskScore = Overrides.RiskScore,
        RuleName = Overrides.RuleName,
        Ancestors = ancestors,
        ThreatEnrichments = enrichments,
        Extra = writer =>
        {
            typeFields?.Invoke(writer);
            Suppression?.WriteTo(writer);
        },
    };

    /// <summary>Computes <see cref="Overrides"/> from the alert's source document.</summary>
    internal abstract void Shape();
}

/// <summary>An alert about one event (query, EQL and Sigma single-event, new_terms and threat_match rules).</summary>
public sealed class EventAlert : DetectionAlert
{
    public EventAlert(CompiledRule rule, Execution execution, ReadOnlyMemory<byte> json, EventSource source, long timeNanos)
        : base(rule, execution)
    {
        Json = json;
        Source = source;
        OriginalTimeNanos = timeNanos;
    }

    public ReadOnlyMemory<byte> Json { get; }

    public EventSource Source { get; }

    public override long OriginalTimeNanos { get; }

    /// <summary>new_terms: the new value combination (<c>kibana.alert.new_terms</c>); part of the alert's identity.</summary>
    public IReadOnlyList<FieldValue>? NewTerms { get; init; }

    /// <summary>threat_match: the matched indicators (<c>threat.enrichments</c>).</summary>
    public IReadOnlyList<ThreatEnrichment>? Enrichments { get; init; }

    /// <summary>
    /// As RuleGen's event alerts always were (<see cref="AlertDocument.AlertId"/>: rule, input and line); new_terms
    /// alerts add the new terms, as Kibana's <c>wrapNewTermsAlerts</c> adds them to the hash.
    /// </summary>
    public override string Uuid => NewTerms is null
        ? AlertDocument.AlertId(Rule.Info, Source)
        : Ids.Hash(Rule.Info.Id, Source.File, Source.Line.ToString(System.Globalization.CultureInfo.InvariantCulture),
            string.Join('\u001f', NewTerms.Select(t => t.Text)));

    internal override void Shape()
    {
        using var document = EventFieldValues.Parse(Json);
        Overrides = AlertOverrides.Of(Rule.Info, document.RootElement);
    }

    public override void WriteTo(Utf8JsonWriter writer)
    {
        Action<Utf8JsonWriter>? typeFields = NewTerms is null ? null : w =>
        {
            w.WriteStartArray("kibana.alert.new_terms");
            foreach (var term in NewTerms) term.WriteTo(w);
            w.WriteEndArray();
        };
        Action<Utf8JsonWriter>? enrichments = Enrichments is null ? null : w =>
        {
            foreach (var enrichment in Enrichments) enrichment.WriteTo(w);
        };
        // A Sigma rule's time is where its profile says (Windows events have no @timestamp): the alert says which it was.
        var originalTime = Rule.Info.Format == "sigma" ? Ids.Format(OriginalTimeNanos) : null;
        AlertDocument.Write(writer, Rule.Info, Json.Span, Source, Shape(typeFields, enrichments: enrichments, originalTime: originalTime));
    }
}

/// <summary>
/// A threshold alert: synthetic, as Kibana's (<c>transformBucketIntoHit</c>): the group's field values, and
/// <c>kibana.alert.threshold_result</c> with the terms, the count, the first event's time and the cardinality.
/// </summary>
public sealed class ThresholdAlert : DetectionAlert
{
    public ThresholdAlert(CompiledRule rule, Execution execution, IReadOnlyList<(string Field, FieldValue Value)> terms, long count,
        long fromNanos, long toNanos, (string Field, long Value)? cardinality)
        : base(rule, execution)
    {
        Terms = terms;
        Count = count;
        FromNanos = fromNanos;
        ToNanos = toNanos;
        Cardinality = cardinality;
    }

    public IReadOnlyList<(string Field, FieldValue Value)> Terms { get; }

    public long Count { get; }

    /// <summary>The earliest counted event's time (<c>threshold_result.from</c>).</summary>
    public long FromNanos { get; }

    /// <summary>The latest counted event's time (the alert's original time).</summary>
    public long ToNanos { get; }

    public (string Field, long Value)? Cardinality { get; }

    public override long OriginalTimeNanos => ToNanos;

    /// <summary>
    /// Kibana's <c>calculateThresholdSignalUuid</c> inputs: the rule, the execution's time, the threshold fields and
    /// the sorted group values.
    /// </summary>
    public override string Uuid => Ids.Uuid("threshold", Rule.Info.Id, Execution.TimeNanos.ToString(System.Globalization.CultureInfo.InvariantCulture),
        string.Join(',', Terms.Select(t => t.Field)), string.Join(',', Terms.Select(t => t.Value.Text).Order(StringComparer.Ordinal)));

    /// <summary>The synthetic source document: the group's fields with their values.</summary>
    public byte[] SourceDocument()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("@timestamp", Ids.Format(ToNanos));
            foreach (var (field, value) in Terms)
            {
                writer.WritePropertyName(field);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }

    internal override void Shape()
    {
        using var document = JsonDocument.Parse(SourceDocument());
        Overrides = AlertOverrides.Of(Rule.Info, document.RootElement);
    }

    /// <summary>
    /// Writes the synthetic alert: the group's fields (Kibana copies the bucket key into the alert's source), then the
    /// alert fields; the reason is Kibana's common sentence over those fields.
    /// </summary>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        var rule = Rule.Info;
        var shape = Shape(null);
        var severity = shape.Severity ?? rule.Severity;
        using var document = JsonDocument.Parse(SourceDocument());
        writer.WriteStartObject();
        writer.WriteString("@timestamp", Execution.Timestamp);
        foreach (var (field, value) in Terms)
        {
            writer.WritePropertyName(field);
            value.WriteTo(writer);
        }
        writer.WriteString("event.kind", "signal");
        writer.WriteString("kibana.alert.uuid", Uuid);
        writer.WriteString("kibana.alert.status", "active");
        writer.WriteString("kibana.alert.workflow_status", "open");
        writer.WriteNumber("kibana.alert.depth", 1);
        AlertDocument.WriteAncestors(writer, new[] { new AlertAncestor(Uuid, "event", string.Join(',', rule.Index), 0) });
        writer.WriteString("kibana.alert.severity", severity);
        writer.WriteNumber("kibana.alert.risk_score", shape.RiskScore ?? rule.RiskScore);
        writer.WriteString("kibana.alert.reason", AlertDocument.Reason(rule, document.RootElement, severity, shape.RuleName ?? rule.Name));
        writer.WriteString("kibana.alert.original_time", Ids.Format(ToNanos));
        if (rule.BuildingBlockType is { } buildingBlock) writer.WriteString("kibana.alert.building_block_type", buildingBlock);
        AlertDocument.WriteExecution(writer, shape, Execution.Timestamp);
        writer.WriteStartObject("kibana.alert.threshold_result");
        writer.WriteStartArray("terms");
        foreach (var (field, value) in Terms)
        {
            writer.WriteStartObject();
            writer.WriteString("field", field);
            writer.WritePropertyName("value");
            value.WriteTo(writer);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("count", Count);
        writer.WriteString("from", Ids.Format(FromNanos));
        if (Cardinality is { } c)
        {
            writer.WriteStartArray("cardinality");
            writer.WriteStartObject();
            writer.WriteString("field", c.Field);
            writer.WriteNumber("value", c.Value);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        AlertDocument.WriteRule(writer, rule, shape.RuleName);
        writer.WriteString("rulegen.rule.file", rule.SourceFile);
        shape.Extra?.Invoke(writer);
        writer.WriteEndObject();
    }
}

/// <summary>The alert of a completed EQL sequence or sample.</summary>
public sealed class SequenceAlert : DetectionAlert
{
    public SequenceAlert(CompiledRule rule, Execution execution, SequenceMatch match) : base(rule, execution) => Match = match;

    public SequenceMatch Match { get; }

    public override string Uuid => SequenceAlertDocument.AlertId(Match);

    public override long OriginalTimeNanos => Match.Events[^1].TimeNanos;

    internal override void Shape()
    {
        using var document = EventFieldValues.Parse(Match.Events[0].Json);
        Overrides = AlertOverrides.Of(Rule.Info, document.RootElement);
    }

    public override void WriteTo(Utf8JsonWriter writer) => SequenceAlertDocument.Write(writer, Match, Shape(null));
}

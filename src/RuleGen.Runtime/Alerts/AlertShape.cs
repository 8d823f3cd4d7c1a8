using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// An entry of <c>kibana.alert.ancestors</c>: a document an alert was built from (Kibana's <c>buildParent</c>:
/// the source event with depth 0).
/// </summary>
/// <param name="Id">The document's identity: for an input event, its file and line (<c>file:line</c>).</param>
/// <param name="Type"><c>event</c> for a source event.</param>
/// <param name="Index">Where the document lives: for an input event, its file.</param>
/// <param name="Depth">0 for a source event.</param>
public readonly record struct AlertAncestor(string Id, string Type, string Index, int Depth)
{
    /// <summary>The ancestor entry of an input event.</summary>
    public static AlertAncestor Of(EventSource source) =>
        new(source.File + ":" + source.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), "event", source.File, 0);
}

/// <summary>
/// How one alert differs from what its rule alone says: the rule execution that raised it and what the detection
/// engine's alert shaping decided for it (severity, risk score and rule name overrides, the alert's identity, extra
/// fields of its rule type). Every property is optional; an empty shape writes the alert from the rule alone.
/// </summary>
public sealed class AlertShape
{
    /// <summary>The alert's <c>@timestamp</c> (Kibana: when the execution that created it ran); now when null.</summary>
    public string? Timestamp { get; init; }

    /// <summary>
    /// <c>kibana.alert.original_time</c>, the time of the event the alert is about; null: the event's own
    /// <c>@timestamp</c> (Kibana's rule). A host sets it for rules whose time is in other fields (Sigma profiles).
    /// </summary>
    public string? OriginalTime { get; init; }

    /// <summary><c>kibana.alert.uuid</c>; null: derived from the rule and the event (<see cref="AlertDocument.AlertId"/>).</summary>
    public string? Uuid { get; init; }

    /// <summary><c>kibana.alert.rule.execution.uuid</c>: the execution that raised the alert (written when set).</summary>
    public string? ExecutionUuid { get; init; }

    /// <summary>The alert's severity when a <c>severity_mapping</c> entry matched (else the rule's).</summary>
    public string? Severity { get; init; }

    /// <summary>The alert's risk score when the <c>risk_score_mapping</c> field held one (else the rule's).</summary>
    public int? RiskScore { get; init; }

    /// <summary>The alert's rule name when <c>rule_name_override</c> named a string field of the event (else the rule's).</summary>
    public string? RuleName { get; init; }

    /// <summary><c>kibana.alert.ancestors</c>; null: the source event alone.</summary>
    public IReadOnlyList<AlertAncestor>? Ancestors { get; init; }

    /// <summary>
    /// Writes the entries of <c>threat.enrichments</c> (indicator match rules): they are appended to the event's own
    /// enrichments, inside its <c>threat</c> object, as Kibana's enrichment does.
    /// </summary>
    public Action<Utf8JsonWriter>? ThreatEnrichments { get; init; }

    /// <summary>Writes more properties at the end of the alert (rule-type fields such as <c>kibana.alert.new_terms</c>).</summary>
    public Action<Utf8JsonWriter>? Extra { get; init; }

    /// <summary>The shape that changes nothing.</summary>
    public static AlertShape None { get; } = new();
}

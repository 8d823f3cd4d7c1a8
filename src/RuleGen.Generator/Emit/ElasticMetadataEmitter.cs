using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Emit;

/// <summary>Emits an Elastic rule's type settings as a runtime <c>ElasticRuleSettings</c> object initializer.</summary>
internal static class ElasticMetadataEmitter
{
    private const string Rt = ConditionEmitter.Rt;

    /// <summary>The initializer, or null when the rule has no Elastic settings worth a property.</summary>
    public static string? Settings(ElasticRuleDetails d)
    {
        var props = new List<string>();
        void Prop(string name, string value) => props.Add($"{name} = {value}");
        if (d.NewTerms is { } newTerms)
            Prop("NewTerms", $"new {Rt}NewTermsSettings({Strings(newTerms.Fields)}, {Literals.String(newTerms.HistoryWindowStart)})");
        if (d.Threshold is { } threshold)
        {
            var cardinality = $"new {Rt}ThresholdCardinality[] {{ {string.Join(", ", threshold.Cardinality.Select(c => $"new {Rt}ThresholdCardinality({Literals.String(c.Field)}, {Long(c.Value)})"))} }}";
            Prop("Threshold", $"new {Rt}ThresholdSettings({Strings(threshold.Fields)}, {Long(threshold.Value)}, {cardinality})");
        }
        if (d.ThreatMatch is { } threat)
        {
            var groups = string.Join(", ", threat.Mappings.Select(g =>
                $"new {Rt}ThreatMappingGroup(new {Rt}ThreatMappingEntry[] {{ {string.Join(", ", g.Entries.Select(e => $"new {Rt}ThreatMappingEntry({Literals.String(e.Field)}, {Literals.String(e.Type)}, {Literals.String(e.Value)})"))} }})"));
            Prop("ThreatMatch", $"new {Rt}ThreatMatchSettings(new {Rt}ThreatMappingGroup[] {{ {groups} }}, {Strings(threat.Index)}, " +
                $"{NullableString(threat.Query)}, {NullableString(threat.Language)}, {Literals.String(threat.IndicatorPath)}, {Strings(threat.FiltersJson)})");
        }
        if (d.AlertSuppression is { } suppression)
        {
            var duration = suppression.DurationValue is { } value
                ? $"{Rt}ElasticDuration.From({Long(value)}, {NullableString(suppression.DurationUnit)})"
                : "null";
            Prop("AlertSuppression", $"new {Rt}AlertSuppressionSettings({Strings(suppression.GroupBy)}, {duration}, {NullableString(suppression.MissingFieldsStrategy)})");
        }
        if (d.SeverityMapping.Count > 0)
            Prop("SeverityMapping", $"new {Rt}SeverityMapping[] {{ {string.Join(", ", d.SeverityMapping.Select(s => $"new {Rt}SeverityMapping({Literals.String(s.Field)}, {Literals.String(s.Operator)}, {Literals.String(s.Value)}, {Literals.String(s.Severity)})"))} }}");
        if (d.RiskScoreMapping.Count > 0)
            Prop("RiskScoreMapping", $"new {Rt}RiskScoreMapping[] {{ {string.Join(", ", d.RiskScoreMapping.Select(r => $"new {Rt}RiskScoreMapping({Literals.String(r.Field)}, {Literals.String(r.Operator)}, {Literals.String(r.Value)}, {(r.RiskScore is { } score ? score.ToString(CultureInfo.InvariantCulture) : "null")})"))} }}");
        if (d.RuleNameOverride is not null) Prop("RuleNameOverride", Literals.String(d.RuleNameOverride));
        if (d.InvestigationFields.Count > 0) Prop("InvestigationFields", Strings(d.InvestigationFields));
        if (d.FiltersJson.Count > 0) Prop("FiltersJson", Strings(d.FiltersJson));
        if (d.ExceptionsList.Count > 0)
            Prop("ExceptionsList", $"new {Rt}ExceptionListReference[] {{ {string.Join(", ", d.ExceptionsList.Select(e => $"new {Rt}ExceptionListReference({Literals.String(e.Id)}, {Literals.String(e.ListId)}, {Literals.String(e.NamespaceType)}, {Literals.String(e.Type)})"))} }}");
        if (d.Enabled is { } enabled) Prop("Enabled", Literals.Bool(enabled));
        return props.Count == 0 ? null : "new() { " + string.Join(", ", props) + " }";
    }

    private static string Strings(IEnumerable<string> values) => "new string[] { " + string.Join(", ", values.Select(Literals.String)) + " }";

    private static string NullableString(string? value) => value is null ? "null" : Literals.String(value);

    private static string Long(long value) => value.ToString(CultureInfo.InvariantCulture) + "L";
}

using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Toml;

namespace RuleGen.Generator.RuleFormats.Elastic;

/// <summary>
/// Reads the rule-type settings of an Elastic rule (new_terms, threshold, threat_match) and its alert-shaping keys
/// into typed records; a required part that is missing or malformed is an RG0105 error at its key.
/// </summary>
internal static class ElasticRuleSettingsReader
{
    public static ElasticRuleDetails Read(TomlTableNode rule, string type, List<DiagnosticInfo> diagnostics)
    {
        var details = new ElasticRuleDetails
        {
            NewTerms = type == "new_terms" ? NewTerms(rule, diagnostics) : null,
            Threshold = type == "threshold" ? Threshold(rule, diagnostics) : null,
            ThreatMatch = type == "threat_match" ? ThreatMatch(rule, diagnostics) : null,
            AlertSuppression = rule["alert_suppression"] is TomlTableNode suppression ? AlertSuppression(suppression) : null,
            SeverityMapping = Tables(rule["severity_mapping"]).Select(t => new SeverityMappingEntry(Str(t, "field"), Str(t, "operator"), Str(t, "value"), Str(t, "severity"))).ToEquatableArray(),
            RiskScoreMapping = Tables(rule["risk_score_mapping"]).Select(t => new RiskScoreMappingEntry(Str(t, "field"), Str(t, "operator"), Str(t, "value"),
                t["risk_score"] is TomlScalarNode { Kind: TomlScalarKind.Integer } score ? (int)(long)score.Value : null)).ToEquatableArray(),
            RuleNameOverride = rule["rule_name_override"] is TomlScalarNode { Kind: TomlScalarKind.String } name ? (string)name.Value : null,
            InvestigationFields = rule["investigation_fields"] is TomlTableNode investigation ? Strings(investigation["field_names"]) : EquatableArray<string>.Empty,
            FiltersJson = rule["filters"] is TomlArrayNode filters ? filters.Items.Select(f => f.ToJson()).ToEquatableArray() : EquatableArray<string>.Empty,
            ExceptionsList = Tables(rule["exceptions_list"]).Select(t => new ExceptionListReference(Str(t, "id"), Str(t, "list_id"), Str(t, "namespace_type"), Str(t, "type"))).ToEquatableArray(),
            Enabled = rule["enabled"] is TomlScalarNode { Kind: TomlScalarKind.Boolean } enabled ? (bool)enabled.Value : null,
        };
        return details;
    }

    private static NewTermsSettings? NewTerms(TomlTableNode rule, List<DiagnosticInfo> diagnostics)
    {
        if (rule["new_terms"] is not TomlTableNode table)
        {
            Invalid(diagnostics, rule.Location, "new_terms", "a new_terms rule needs [rule.new_terms] with field = \"new_terms_fields\", value = [fields] and history_window_start");
            return null;
        }
        var fields = Strings(table["value"]);
        if (fields.IsEmpty || fields.Count > 3)
        {
            Invalid(diagnostics, table["value"]?.Location ?? table.Location, "new_terms.value", "list one to three fields whose combination must be new");
            return null;
        }
        var history = Tables(table["history_window_start"]).Select(t => Str(t, "value")).FirstOrDefault(v => v.Length > 0);
        if (history is null)
        {
            Invalid(diagnostics, table.Location, "new_terms.history_window_start", "add [[rule.new_terms.history_window_start]] with field = \"history_window_start\" and value = \"now-7d\" (or another window)");
            return null;
        }
        return new NewTermsSettings(fields, history);
    }

    private static ThresholdSettings? Threshold(TomlTableNode rule, List<DiagnosticInfo> diagnostics)
    {
        if (rule["threshold"] is not TomlTableNode table)
        {
            Invalid(diagnostics, rule.Location, "threshold", "a threshold rule needs [rule.threshold] with field and value");
            return null;
        }
        var fields = table["field"] is TomlScalarNode { Kind: TomlScalarKind.String } single
            ? (((string)single.Value).Length == 0 ? EquatableArray<string>.Empty : EquatableArray.Create((string)single.Value))
            : Strings(table["field"]);
        if (table["value"] is not TomlScalarNode { Kind: TomlScalarKind.Integer } value || (long)value.Value < 1)
        {
            Invalid(diagnostics, table["value"]?.Location ?? table.Location, "threshold.value", "set value = <count of at least 1>");
            return null;
        }
        var cardinality = Tables(table["cardinality"]).Select(t => new ThresholdCardinalityEntry(Str(t, "field"),
            t["value"] is TomlScalarNode { Kind: TomlScalarKind.Integer } v ? (long)v.Value : 0)).ToEquatableArray();
        return new ThresholdSettings(fields, (long)value.Value, cardinality);
    }

    private static ThreatMatchSettings? ThreatMatch(TomlTableNode rule, List<DiagnosticInfo> diagnostics)
    {
        var mappings = Tables(rule["threat_mapping"]).Select(group => new ThreatMappingGroup(
            Tables(group["entries"]).Select(e => new ThreatMappingEntry(Str(e, "field"), Str(e, "type"), Str(e, "value"))).ToEquatableArray())).ToEquatableArray();
        if (mappings.IsEmpty || mappings.Any(m => m.Entries.IsEmpty))
        {
            Invalid(diagnostics, rule["threat_mapping"]?.Location ?? rule.Location, "threat_mapping", "an indicator match rule needs [[rule.threat_mapping]] groups, each with entries (field, type = \"mapping\", value)");
            return null;
        }
        var index = Strings(rule["threat_index"]);
        if (index.IsEmpty)
        {
            Invalid(diagnostics, rule["threat_index"]?.Location ?? rule.Location, "threat_index", "list the indicator index patterns, e.g. threat_index = [\"logs-ti_*\"]");
            return null;
        }
        return new ThreatMatchSettings(mappings, index,
            rule["threat_query"] is TomlScalarNode { Kind: TomlScalarKind.String } query ? (string)query.Value : null,
            rule["threat_language"] is TomlScalarNode { Kind: TomlScalarKind.String } language ? (string)language.Value : null,
            rule["threat_indicator_path"] is TomlScalarNode { Kind: TomlScalarKind.String } path ? (string)path.Value : "threat.indicator",
            rule["threat_filters"] is TomlArrayNode filters ? filters.Items.Select(f => f.ToJson()).ToEquatableArray() : EquatableArray<string>.Empty);
    }

    private static AlertSuppressionSettings AlertSuppression(TomlTableNode table)
    {
        long? durationValue = null;
        string? durationUnit = null;
        if (table["duration"] is TomlTableNode duration)
        {
            if (duration["value"] is TomlScalarNode { Kind: TomlScalarKind.Integer } v) durationValue = (long)v.Value;
            if (duration["unit"] is TomlScalarNode { Kind: TomlScalarKind.String } u) durationUnit = (string)u.Value;
        }
        var strategy = table["missing_fields_strategy"] is TomlScalarNode { Kind: TomlScalarKind.String } s ? (string)s.Value : null;
        return new AlertSuppressionSettings(Strings(table["group_by"]), durationValue, durationUnit, strategy);
    }

    private static IEnumerable<TomlTableNode> Tables(TomlNode? node) =>
        node is TomlArrayNode array ? array.Items.OfType<TomlTableNode>() : Enumerable.Empty<TomlTableNode>();

    private static EquatableArray<string> Strings(TomlNode? node) =>
        node is TomlArrayNode array
            ? array.Items.OfType<TomlScalarNode>().Where(s => s.Kind == TomlScalarKind.String).Select(s => (string)s.Value).ToEquatableArray()
            : EquatableArray<string>.Empty;

    private static string Str(TomlTableNode table, string key) => table[key] switch
    {
        TomlScalarNode { Kind: TomlScalarKind.String } s => (string)s.Value,
        TomlScalarNode other => other.ToJson(),
        _ => "",
    };

    private static void Invalid(List<DiagnosticInfo> diagnostics, SourceLocation location, string key, string message) =>
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidRuleTypeSetting, location, key, message));
}

using System.Globalization;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>
/// What Kibana's alert shaping changes for one alert from its source document: the severity (<c>severity_mapping</c>),
/// the risk score (<c>risk_score_mapping</c>) and the rule name (<c>rule_name_override</c>). Null: the rule's own.
/// </summary>
public sealed record AlertOverrides(string? Severity, int? RiskScore, string? RuleName)
{
    public static readonly AlertOverrides None = new(null, null, null);

    private static readonly Dictionary<string, int> SeverityOrder = new(StringComparer.Ordinal)
    {
        ["low"] = 0,
        ["medium"] = 1,
        ["high"] = 2,
        ["critical"] = 3,
    };

    /// <summary>The overrides of <paramref name="rule"/> for the document <paramref name="root"/>.</summary>
    public static AlertOverrides Of(RuleInfo rule, JsonElement root)
    {
        if (rule.Elastic is not { } elastic) return None;
        var severity = SeverityOf(elastic.SeverityMapping, root);
        var risk = RiskScoreOf(elastic.RiskScoreMapping, root);
        var name = RuleNameOf(elastic.RuleNameOverride, root);
        return severity is null && risk is null && name is null ? None : new AlertOverrides(severity, risk, name);
    }

    /// <summary>
    /// Kibana's <c>buildSeverityFromMapping</c>: the entries are sorted from low to high severity and the last one
    /// whose value the event's field holds wins, so the highest matching severity is used. Event values are strings
    /// and whole numbers compared as text; <c>event.severity</c> compares as an integer.
    /// </summary>
    public static string? SeverityOf(IReadOnlyList<SeverityMapping> mapping, JsonElement root)
    {
        string? result = null;
        foreach (var entry in mapping.Select((m, i) => (m, i)).OrderBy(e => SeverityOrder.GetValueOrDefault(e.m.Severity, -1)).ThenBy(e => e.i))
        {
            var (m, _) = entry;
            if (!SeverityOrder.ContainsKey(m.Severity)) continue;
            var values = EventFieldValues.Of(root, m.Field);
            if (m.Field == "event.severity")
            {
                if (!double.TryParse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var wanted)) continue;
                var floor = Math.Floor(wanted);
                if (values.Any(v => v.IsNumber && IsSafeInteger(v.Text, out var n) && n == floor)) result = m.Severity;
            }
            else if (values.Any(v => (v.Kind == JsonValueKind.String || v.IsNumber && IsSafeInteger(v.Text, out _)) && v.Text == m.Value))
            {
                result = m.Severity;
            }
        }
        return result;
    }

    /// <summary>
    /// Kibana's <c>buildRiskScoreFromMapping</c>: the first entry's field; the largest of its values that is a number
    /// (or numeric string) from 0 to 100.
    /// </summary>
    public static int? RiskScoreOf(IReadOnlyList<RiskScoreMapping> mapping, JsonElement root)
    {
        if (mapping.Count == 0) return null;
        double? best = null;
        foreach (var value in EventFieldValues.Of(root, mapping[0].Field))
        {
            if (value.Kind is not (JsonValueKind.Number or JsonValueKind.String)) continue;
            if (!double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || !double.IsFinite(n) || n < 0 || n > 100) continue;
            if (best is null || n > best) best = n;
        }
        // Kibana's risk score is an integer 0-100; a fractional event value is truncated.
        return best is null ? null : (int)best.Value;
    }

    /// <summary>Kibana's <c>buildRuleNameFromMapping</c>: the field's value when it is one string.</summary>
    public static string? RuleNameOf(string? field, JsonElement root)
    {
        if (field is null) return null;
        var elements = EventFieldValues.Elements(root, field);
        return elements.Count == 1 && elements[0].ValueKind == JsonValueKind.String ? elements[0].GetString() : null;
    }

    private static bool IsSafeInteger(string text, out double value)
    {
        value = 0;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return false;
        return Math.Floor(value) == value && Math.Abs(value) <= 9007199254740991;
    }
}

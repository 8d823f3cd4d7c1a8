using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Sigma.Yaml;

namespace RuleGen.Generator.RuleFormats.Sigma;

/// <summary>
/// Reads a Sigma correlation document (sigma-correlation-rules-specification 2.0, and 2.1's metric types) into a
/// <see cref="CorrelationModel"/>: its type (event_count, value_count, temporal, temporal_ordered, value_sum,
/// value_avg, value_percentile, value_median), the rules it names (by id or name), group-by entries, timespan (s, m,
/// h, d), condition criteria (with <c>field</c> and, for value_percentile, <c>percentile</c>), field aliases and
/// <c>generate</c>. Every problem is a located
/// diagnostic and leaves the correlation uncompiled (null); the other rules of the file are unaffected. Pure.
/// </summary>
public static class SigmaCorrelationReader
{
    /// <summary>The types RuleGen runs.</summary>
    public static readonly string[] SupportedTypes =
        { "event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile", "value_median" };

    /// <summary>The types that aggregate a numeric field (they need the condition's <c>field</c>; thresholds may be fractional).</summary>
    public static readonly string[] MetricTypes = { "value_sum", "value_avg", "value_percentile", "value_median" };

    /// <summary>Types of drafts of the specification that RuleGen recognises but does not run.</summary>
    public static readonly string[] UnsupportedTypes = { "value_min", "value_max" };

    private static readonly string[] Operators = { "gt", "gte", "lt", "lte", "eq", "neq" };

    /// <summary>How the correlation reads in a message: "event_count of a, b within 5m".</summary>
    public static string Describe(YamlMapping document)
    {
        if (document["correlation"] is not YamlMapping body) return "correlation";
        var type = Str(body, "type");
        return type.Length == 0 ? "correlation" : $"{type} of {string.Join(", ", List(body, "rules").Select(r => r.Text))} within {Str(body, "timespan")}";
    }

    public static CorrelationModel? Read(YamlMapping document, string title, string profile, Func<YamlSpan, SourceLocation> locate, List<DiagnosticInfo> diagnostics)
    {
        var before = diagnostics.Count;
        void Invalid(string message, YamlSpan span) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaInvalidCorrelation, locate(span), message));
        if (document["correlation"] is not YamlMapping body)
        {
            Invalid("'correlation' must be a map (type, rules, group-by, timespan, condition)", document.Find("correlation")?.Value.Span ?? document.Span);
            return null;
        }

        var typeNode = body.Find("type")?.Value;
        var type = Str(body, "type");
        if (UnsupportedTypes.Contains(type))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaCorrelationUnsupportedType, locate(typeNode!.Span), title, type));
            return null;
        }
        if (!SupportedTypes.Contains(type))
            Invalid($"correlation type '{type}' is not one of {string.Join(", ", SupportedTypes)}", typeNode?.Span ?? body.Span);

        var rules = List(body, "rules").Select(r => new CorrelationReference(r.Text, locate(r.Span))).ToEquatableArray();
        if (rules.Count == 0) Invalid("a correlation needs 'rules': the ids or names of the rules it correlates", body.Find("rules")?.Value.Span ?? body.Span);
        var groupBy = List(body, "group-by").Select(g => g.Text).ToEquatableArray();

        long timespan = 0;
        if (body.Find("timespan") is not { } timespanEntry || timespanEntry.Value is YamlScalar { IsNull: true })
            Invalid("a correlation needs 'timespan' (for example 5m)", body.Span);
        else if (timespanEntry.Value is not YamlScalar timespanText || !TryParseTimespan(timespanText.Text, out timespan))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaCorrelationBadTimespan, locate(timespanEntry.Value.Span), title,
                (timespanEntry.Value as YamlScalar)?.Text ?? timespanEntry.Value.Describe()));

        var criteria = new List<CorrelationCriterionModel>();
        var metric = MetricTypes.Contains(type);
        string? valueField = null;
        double? percentile = null;
        var conditionEntry = body.Find("condition");
        if (conditionEntry?.Value is YamlMapping condition)
        {
            foreach (var entry in condition.Entries)
            {
                var key = entry.Key.Text;
                if (key == "field")
                {
                    valueField = (entry.Value as YamlScalar)?.Text;
                    continue;
                }
                if (key == "percentile" && type == "value_percentile")
                {
                    // pySigma reads it as a whole number; a percentile between 0 and 100 is what every backend takes.
                    if (entry.Value is YamlScalar p && double.TryParse(p.Canonical, NumberStyles.Float, CultureInfo.InvariantCulture, out var rank) && rank >= 0 && rank <= 100)
                        percentile = rank;
                    else Invalid($"'percentile' needs a number from 0 to 100, not {entry.Value.Describe()}", entry.Value.Span);
                    continue;
                }
                if (!Operators.Contains(key))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaCorrelationUnknownOperator, locate(entry.Key.Span), title, key));
                    continue;
                }
                if (entry.Value is not YamlScalar number) Invalid($"condition '{key}' needs a number, not {entry.Value.Describe()}", entry.Value.Span);
                else if (!metric && long.TryParse(number.Canonical, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
                    criteria.Add(new CorrelationCriterionModel(key, count));
                else if (metric && double.TryParse(number.Canonical, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold) && !double.IsNaN(threshold) && !double.IsInfinity(threshold))
                    criteria.Add(new CorrelationCriterionModel(key, threshold));
                else Invalid(metric ? $"condition '{key}' needs a number, not {number.Describe()}" : $"condition '{key}' needs a whole number, not {entry.Value.Describe()}", entry.Value.Span);
            }
            if ((type == "value_count" || metric) && string.IsNullOrEmpty(valueField))
                Invalid(type == "value_count"
                    ? "a value_count condition needs 'field': the field whose distinct values are counted"
                    : $"a {type} condition needs 'field': the numeric field it aggregates", condition.Span);
            if (type == "value_percentile" && percentile is null && condition.Find("percentile") is null)
                Invalid("a value_percentile condition needs 'percentile': the percentile (0 to 100) it compares", condition.Span);
            if (criteria.Count == 0 && (type is "event_count" or "value_count" || metric) && diagnostics.Count == before)
                Invalid("the condition needs a comparison (gt, gte, lt, lte, eq or neq)", condition.Span);
        }
        else if (conditionEntry is not null && conditionEntry.Value is not YamlScalar { IsNull: true })
        {
            Invalid($"'condition' must be a map (for example gte: 10), not {conditionEntry.Value.Describe()}", conditionEntry.Value.Span);
        }
        else if (type is not ("temporal" or "temporal_ordered"))
        {
            Invalid("this correlation type needs a 'condition' map (for example gte: 10)", body.Span);
        }
        if (type == "value_median") percentile = 50;

        var aliases = new List<CorrelationAlias>();
        if (body.Find("aliases") is { } aliasesEntry)
        {
            if (aliasesEntry.Value is YamlMapping aliasMap)
            {
                foreach (var alias in aliasMap.Entries)
                {
                    if (alias.Value is not YamlMapping perRule)
                    {
                        Invalid($"alias '{alias.Key.Text}' must map rule names to fields", alias.Value.Span);
                        continue;
                    }
                    aliases.Add(new CorrelationAlias(alias.Key.Text,
                        perRule.Entries.Select(e => new CorrelationAliasField(e.Key.Text, (e.Value as YamlScalar)?.Text ?? "")).ToEquatableArray()));
                }
            }
            else Invalid("'aliases' must be a map of alias names to maps of rule names and fields", aliasesEntry.Value.Span);
        }

        // generate sits in the correlation section (the schema, pySigma) or beside it (the specification's prose).
        var generate = (body["generate"] as YamlScalar ?? document["generate"] as YamlScalar)?.Boolean == true;
        if (diagnostics.Count > before) return null;
        return new CorrelationModel(type, Str(document, "name"), rules, groupBy, timespan, criteria.ToEquatableArray(), valueField,
            aliases.ToEquatableArray(), generate, profile) { Percentile = percentile ?? 0 };
    }

    /// <summary>A timespan as the specification writes it: a number and s, m, h or d (lowercase).</summary>
    public static bool TryParseTimespan(string text, out long nanos)
    {
        nanos = 0;
        if (text.Length < 2) return false;
        var unit = text[text.Length - 1] switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, 'd' => 86400L, _ => 0L };
        if (unit == 0) return false;
        var digits = text.Substring(0, text.Length - 1);
        if (digits.Length > 9 || digits.Any(c => c < '0' || c > '9')) return false;
        var n = long.Parse(digits, CultureInfo.InvariantCulture);
        nanos = n * unit * 1_000_000_000L;
        return n > 0;
    }

    private static string Str(YamlMapping map, string key) => map[key] is YamlScalar s && !s.IsNull ? s.Text : "";

    private static List<YamlScalar> List(YamlMapping map, string key) => map[key] switch
    {
        YamlSequence seq => seq.Items.OfType<YamlScalar>().ToList(),
        YamlScalar s when !s.IsNull => new List<YamlScalar> { s },
        _ => new List<YamlScalar>(),
    };
}

using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.RuleFormats.Sigma.Yaml;

namespace RuleGen.Generator.RuleFormats.Sigma;

/// <summary>A correlation's threshold: a comparison (gt, gte, lt, lte, eq, neq) with a number, and the field it counts for value_* types.</summary>
public sealed record SigmaCorrelationCondition(string Operator, string Value, string Field);

/// <summary>
/// A Sigma correlation rule as the specification defines it (sigma-correlation-rules-specification): its type
/// (event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile), the rules it
/// correlates (by id or name), group-by fields, timespan, condition and field aliases. Read here so the generator
/// can report it; the host runs it over the matches of the named rules. Roslyn-free, like the YAML tree.
/// </summary>
public sealed record SigmaCorrelation(
    string Title,
    string Id,
    string Name,
    string Type,
    IReadOnlyList<string> Rules,
    IReadOnlyList<string> GroupBy,
    string Timespan,
    SigmaCorrelationCondition? Condition,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Aliases,
    bool Generate)
{
    public static readonly string[] Types = { "event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile" };

    /// <summary>Reads a correlation document; problems (with the node they concern) go to <paramref name="problems"/>.</summary>
    public static SigmaCorrelation? Read(YamlMapping document, List<(string Message, YamlSpan Span)> problems)
    {
        if (document["correlation"] is not YamlMapping body)
        {
            problems.Add(("'correlation' must be a map (type, rules, group-by, timespan, condition)", document.Span));
            return null;
        }
        string Str(YamlMapping map, string key) => map[key] is YamlScalar s && !s.IsNull ? s.Text : "";
        List<string> List(YamlMapping map, string key) => map[key] switch
        {
            YamlSequence seq => seq.Items.OfType<YamlScalar>().Select(s => s.Text).ToList(),
            YamlScalar s when !s.IsNull => new List<string> { s.Text },
            _ => new List<string>(),
        };
        var type = Str(body, "type");
        if (!Types.Contains(type)) problems.Add(($"correlation type '{type}' is not one of {string.Join(", ", Types)}", body.Find("type")?.Value.Span ?? body.Span));
        var rules = List(body, "rules");
        if (rules.Count == 0) problems.Add(("a correlation needs 'rules': the ids or names of the rules it correlates", body.Span));
        var timespan = Str(body, "timespan");
        if (timespan.Length == 0) problems.Add(("a correlation needs 'timespan' (for example 5m)", body.Span));
        SigmaCorrelationCondition? condition = null;
        if (body["condition"] is YamlMapping c)
        {
            var field = Str(c, "field");
            foreach (var entry in c.Entries)
            {
                if (entry.Key.Text == "field") continue;
                if (entry.Key.Text is "gt" or "gte" or "lt" or "lte" or "eq" or "neq" && entry.Value is YamlScalar v)
                    condition = new SigmaCorrelationCondition(entry.Key.Text, v.Canonical, field);
                else problems.Add(($"unknown correlation condition '{entry.Key.Text}': use gt, gte, lt, lte, eq or neq", entry.Key.Span));
            }
        }
        else if (type is not ("temporal" or "temporal_ordered"))
        {
            problems.Add(("this correlation type needs a 'condition' map (for example gte: 10)", body.Span));
        }
        var aliases = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        if (body["aliases"] is YamlMapping a)
        {
            foreach (var alias in a.Entries)
            {
                if (alias.Value is YamlMapping perRule)
                    aliases[alias.Key.Text] = perRule.Entries.ToDictionary(e => e.Key.Text, e => (e.Value as YamlScalar)?.Text ?? "");
            }
        }
        var generate = body["generate"] is YamlScalar g && g.Boolean == true;
        return new SigmaCorrelation(Str(document, "title"), Str(document, "id"), Str(document, "name"), type, rules, List(body, "group-by"),
            timespan, condition, aliases, generate);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Languages.Sigma;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Sigma.Yaml;

namespace RuleGen.Generator.RuleFormats.Sigma;

/// <summary>A rule a Sigma filter names (by id, <c>name</c> or title), and where the name is written.</summary>
public sealed record SigmaFilterReference(string Reference, SourceLocation Location);

/// <summary>
/// A Sigma filter document (sigma-filters-specification 2.1) as read from a rule folder or from a Sigma config's
/// <c>filters:</c> list: its title and id, the logsource it constrains, the rules it names (or every rule of the
/// logsource), and where its YAML is. The filter's detection is lowered again for each rule it applies to, with that
/// rule's profile and logsource (a field maps by the rule's logsource); the YAML text is kept for that, so the model
/// stays plain, equatable data.
/// </summary>
/// <param name="AllRules"><c>rules: any</c> / <c>all</c> / an empty list: every rule whose logsource the filter's contains.</param>
/// <param name="Document">Rule folder: the index of the YAML document in the file; config: the index in <c>filters:</c>.</param>
/// <param name="Condition">The filter's condition as written (shown in the filtered rules' generated code).</param>
public sealed record SigmaFilterModel(
    string Title,
    string Id,
    SigmaLogsource Logsource,
    bool AllRules,
    EquatableArray<SigmaFilterReference> Rules,
    string SourcePath,
    string DisplayPath,
    string Text,
    int Document,
    bool FromConfig,
    string Condition,
    SourceLocation Location)
{
    /// <summary>The rule sets of the filter's folder (config filters: empty, every rule set).</summary>
    public EquatableArray<string> RuleSets { get; init; } = EquatableArray<string>.Empty;

    /// <summary>How the filter reads in generated code and messages.</summary>
    public string Describe() => $"'{Title}' ({(FromConfig ? "Sigma config " : "")}{DisplayPath}): and ({Condition.Trim()})";
}

/// <summary>
/// Reads Sigma filter documents and applies them to rules, as pySigma does (sigma/filters.py): a filter applies to a
/// rule when every logsource key the filter sets has the rule's value, and the rule is one the filter names (by id,
/// Sigma <c>name</c> or title) or the filter says <c>rules: any</c>; it does not apply to correlation rules. The rule's
/// condition becomes <c>(rule condition) and (filter condition)</c>: an exclusion filter writes its condition as
/// <c>not selection</c>. Pure functions.
/// </summary>
public static class SigmaFilterReader
{
    /// <summary>
    /// Reads and checks one filter document; every problem is a located RG0225 error (or the detection's own RG02xx
    /// diagnostics), and the filter is then not applied (null).
    /// </summary>
    public static SigmaFilterModel? Read(YamlMapping root, string path, string displayPath, string text, int document, bool fromConfig,
        string profileName, SigmaConfig config, Func<YamlSpan, SourceLocation> locate, List<DiagnosticInfo> diagnostics)
    {
        var before = diagnostics.Count;
        void Invalid(YamlSpan span, string message) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaInvalidFilter, locate(span), message));
        var title = root["title"] is YamlScalar t && !t.IsNull ? t.Text : "";
        if (title.Length == 0) Invalid(root.Span, "a filter needs a 'title'");
        var id = root["id"] is YamlScalar i && !i.IsNull ? i.Text : "";
        var logsourceNode = root["logsource"] as YamlMapping;
        if (logsourceNode is null) Invalid(root.Find("logsource")?.Value.Span ?? root.Span, "a filter needs a 'logsource' map (product, category and/or service)");
        string Ls(string key) => logsourceNode?[key] is YamlScalar s && !s.IsNull ? s.Text : "";
        var logsource = new SigmaLogsource(Ls("product"), Ls("category"), Ls("service"));
        var filterEntry = root.Find("filter");
        if (filterEntry?.Value is not YamlMapping filter)
        {
            Invalid(filterEntry?.Value.Span ?? root.Span, "'filter' must be a map with 'rules', search identifiers and a 'condition'");
            return null;
        }

        var all = false;
        var references = new List<SigmaFilterReference>();
        switch (filter.Find("rules")?.Value)
        {
            case null:
                Invalid(filterEntry.Key.Span, "a filter needs 'rules': the ids, names or titles of the rules it applies to, or 'any'");
                break;
            case YamlScalar s when !s.IsNull && (s.Text.Equals("any", StringComparison.OrdinalIgnoreCase) || s.Text.Equals("all", StringComparison.OrdinalIgnoreCase)):
                all = true;
                break;
            case YamlScalar s when !s.IsNull:
                references.Add(new SigmaFilterReference(s.Text, locate(s.Span)));
                break;
            case YamlSequence seq when seq.Items.Count == 0:
                all = true;
                break;
            case YamlSequence seq:
                foreach (var item in seq.Items)
                {
                    if (item is YamlScalar r && !r.IsNull) references.Add(new SigmaFilterReference(r.Text, locate(r.Span)));
                    else Invalid(item.Span, $"a rule reference must be an id, name or title, not {item.Describe()}");
                }
                break;
            case var other:
                Invalid(other.Span, $"'rules' must be a list of rule ids, names or titles, or 'any', not {other.Describe()}");
                break;
        }
        if (filter["condition"] is not YamlScalar { IsNull: false } condition)
        {
            Invalid(filter.Find("condition")?.Value.Span ?? filter.Span, "a filter needs one 'condition' string (for example 'not selection')");
            return null;
        }
        if (diagnostics.Count > before) return null;

        // Check the detection once, with the filter's own logsource, so its problems are reported at the filter.
        var profile = config.Profile(profileName) ?? config.Profile(SigmaProfile.Flat)!;
        var context = new SigmaLoweringContext(profile, logsource, config.PlaceholderMap(), locate, diagnostics, title);
        var lowered = SigmaRuleParser.LowerDetection(filter, filterEntry.Key.Span, context, text, out var skipped, IgnoredKeys);
        if (lowered is null || skipped || diagnostics.Skip(before).Any(d => d.IsError || d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)) return null;
        return new SigmaFilterModel(title, id, logsource, all, references.ToEquatableArray(), path, displayPath, text, document, fromConfig,
            condition.Text, locate(filterEntry.Key.Span));
    }

    /// <summary>Keys of a filter's <c>filter</c> map that are not search identifiers.</summary>
    private static readonly string[] IgnoredKeys = { "rules" };

    /// <summary>Whether every logsource key the filter sets has the rule's value (pySigma: the rule's logsource is in the filter's).</summary>
    public static bool Covers(SigmaFilterModel filter, SigmaRuleMetadata rule) =>
        Same(filter.Logsource.Product, rule.Product) && Same(filter.Logsource.Category, rule.Category) && Same(filter.Logsource.Service, rule.Service);

    private static bool Same(string filter, string rule) => filter.Length == 0 || string.Equals(filter, rule, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the reference names the rule: its id, its Sigma <c>name</c>, or its title.</summary>
    public static bool Names(string reference, RuleMetadata rule) =>
        reference.Length > 0 && (reference == rule.Id || reference == rule.Name || reference == (rule.Sigma?.RuleName ?? ""));

    /// <summary>
    /// The filter's condition lowered for one rule (its profile and logsource), or null if it cannot be (it was checked
    /// when read, so only a profile difference could make it fail).
    /// </summary>
    public static Predicate? Lower(SigmaFilterModel filter, SigmaProfile profile, SigmaLogsource logsource, SigmaConfig config)
    {
        var (documents, error) = YamlTreeReader.Read(filter.Text);
        if (error is not null) return null;
        YamlNode? node = filter.FromConfig
            ? (documents.OfType<YamlMapping>().Select(d => d["filters"]).OfType<YamlSequence>().FirstOrDefault()?.Items is { } items && filter.Document < items.Count ? items[filter.Document] : null)
            : filter.Document < documents.Count ? documents[filter.Document] : null;
        if (node is not YamlMapping root || root.Find("filter") is not { Value: YamlMapping body } entry) return null;
        var lines = new LineMap(filter.SourcePath, filter.Text);
        var diagnostics = new List<DiagnosticInfo>();
        var context = new SigmaLoweringContext(profile, logsource, config.PlaceholderMap(), s => lines.Location(s.Start, s.Length), diagnostics, filter.Title);
        var lowered = SigmaRuleParser.LowerDetection(body, entry.Key.Span, context, filter.Text, out var skipped, IgnoredKeys);
        return skipped || diagnostics.Any(d => d.IsError) ? null : lowered;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Emit;
using RuleGen.Generator.Languages.Sigma;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Sigma;

namespace RuleGen.Generator.Planning;

/// <summary>
/// One rule a planned correlation reads: a rule of the rule set (<see cref="RuleIndex"/>) or another correlation
/// (<see cref="CorrelationIndex"/>), with the fields its events hold the group-by entries and the value field in.
/// </summary>
public sealed record CorrelationSourceEntry(string Reference, int RuleIndex, int CorrelationIndex, EquatableArray<string> GroupByFields, string? ValueField)
{
    /// <summary>Every path each group-by field is read from, in order, when the profile gives more than one; else empty.</summary>
    public EquatableArray<FieldRef> GroupByRefs { get; init; } = EquatableArray<FieldRef>.Empty;

    /// <summary>Every path the value field is read from, when the profile gives more than one; else null.</summary>
    public FieldRef? ValueRef { get; init; }
}

/// <summary>A correlation as its rule set emits it: metadata, type, resolved sources, group-by, timespan, condition.</summary>
public sealed record CorrelationEntry(
    RuleMetadata Metadata,
    string DisplayPath,
    string Type,
    EquatableArray<CorrelationSourceEntry> Sources,
    EquatableArray<string> GroupBy,
    long TimespanNanos,
    EquatableArray<CorrelationCriterionModel> Condition,
    bool Generate)
{
    /// <summary>value_percentile and value_median: the percentile judged (0 to 100); else 0.</summary>
    public double Percentile { get; init; }
}

/// <summary>The correlations of one rule set, in order (by source path, then id).</summary>
public sealed record CorrelationSet(string RuleSet, EquatableArray<CorrelationEntry> Entries);

/// <summary>
/// Resolves Sigma correlation rules within each rule set: every rule a correlation names (by Sigma id or name) must be
/// a compiled rule of the same rule set (its index there) or another correlation of it; aliases are resolved per
/// rule, and group-by and value fields are mapped through the correlation's Sigma field profile with each rule's
/// logsource, as the rule's detection fields are. A correlation that names anything else (or itself, through a
/// chain) is not emitted and gets RG0219 at the offending name. A pure function of its inputs.
/// </summary>
public static class CorrelationPlan
{
    public static (EquatableArray<CorrelationSet> Sets, List<DiagnosticInfo> Diagnostics) Resolve(
        IReadOnlyList<RuleEmitInput> rules, IReadOnlyList<RuleModel> correlations, SigmaConfig config)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var seen = new HashSet<DiagnosticInfo>();
        var sets = new List<CorrelationSet>();
        var ordered = correlations.Where(c => c.Correlation is not null)
            .OrderBy(c => c.SourcePath, StringComparer.Ordinal).ThenBy(c => c.Metadata.Id, StringComparer.Ordinal).ToList();
        var names = ordered.SelectMany(c => RuleSetNames.Of(c)).Distinct().OrderBy(n => n, StringComparer.Ordinal);
        foreach (var name in names)
        {
            var setRules = rules.Where(r => RuleSetNames.Of(r.Rule).Contains(name)).Select(r => r.Rule).ToList();
            var setCorrelations = ordered.Where(c => RuleSetNames.Of(c).Contains(name)).ToList();
            var entries = ResolveSet(name, setRules, setCorrelations, config, out var problems);
            foreach (var problem in problems)
            {
                if (seen.Add(problem)) diagnostics.Add(problem);
            }
            if (entries.Count > 0) sets.Add(new CorrelationSet(name, entries.ToEquatableArray()));
        }
        return (sets.ToEquatableArray(), diagnostics);
    }

    private enum Kind { Rule, Correlation, Missing, NotCompiled, Cycle }

    private static List<CorrelationEntry> ResolveSet(string setName, List<RuleModel> rules, List<RuleModel> correlations, SigmaConfig config, out List<DiagnosticInfo> problems)
    {
        var found = new List<DiagnosticInfo>();
        problems = found;
        var ruleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            // First come first: a duplicate id is reported elsewhere (RG0010); names are per rule set.
            if (rules[i].Metadata.Id.Length > 0 && !ruleIndex.ContainsKey(rules[i].Metadata.Id)) ruleIndex[rules[i].Metadata.Id] = i;
            if (rules[i].Metadata.Sigma?.RuleName is { Length: > 0 } ruleName && !ruleIndex.ContainsKey(ruleName)) ruleIndex[ruleName] = i;
        }
        var correlationIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < correlations.Count; i++)
        {
            foreach (var key in new[] { correlations[i].Metadata.Id, correlations[i].Correlation!.Name })
            {
                if (key.Length > 0 && !ruleIndex.ContainsKey(key) && !correlationIndex.ContainsKey(key)) correlationIndex[key] = i;
            }
        }

        // Which correlations compile: every name resolves to a rule or to a correlation that compiles, without cycles.
        var state = new int[correlations.Count]; // 0 unknown, 1 visiting, 2 compiles, 3 does not
        bool Compiles(int c)
        {
            if (state[c] == 1) return false;
            if (state[c] != 0) return state[c] == 2;
            state[c] = 1;
            var ok = true;
            foreach (var reference in correlations[c].Correlation!.Rules)
            {
                var kind = Classify(reference.Reference, c, out var target);
                if (kind == Kind.Correlation && state[target] == 1) kind = Kind.Cycle;
                else if (kind == Kind.Correlation && !Compiles(target)) kind = Kind.NotCompiled;
                if (kind is Kind.Rule or Kind.Correlation) continue;
                ok = false;
                var hint = kind switch
                {
                    Kind.Cycle => "a correlation cannot count its own results (directly or through a chain)",
                    Kind.NotCompiled => "that correlation is not compiled (see its diagnostics)",
                    _ => "name a rule by its Sigma id or 'name', in the same rule set",
                };
                found.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaCorrelationUnknownRule, reference.Location,
                    correlations[c].Metadata.Name, reference.Reference, setName, hint));
            }
            state[c] = ok ? 2 : 3;
            return ok;
        }
        Kind Classify(string reference, int self, out int target)
        {
            if (ruleIndex.TryGetValue(reference, out target)) return Kind.Rule;
            if (correlationIndex.TryGetValue(reference, out target)) return target == self ? Kind.Cycle : Kind.Correlation;
            return Kind.Missing;
        }
        for (var c = 0; c < correlations.Count; c++) Compiles(c);

        var emitted = new Dictionary<int, int>();
        for (var c = 0; c < correlations.Count; c++)
        {
            if (state[c] == 2) emitted[c] = emitted.Count;
        }
        var entries = new List<CorrelationEntry>();
        foreach (var pair in emitted.OrderBy(p => p.Value))
        {
            var model = correlations[pair.Key];
            var correlation = model.Correlation!;
            var profile = config.Profile(correlation.Profile);
            var sources = correlation.Rules.Select(reference =>
            {
                var kind = Classify(reference.Reference, pair.Key, out var target);
                var rule = kind == Kind.Rule ? rules[target] : null;
                FieldRef Field(string entry) => MapField(AliasField(correlation, entry, reference.Reference, rule ?? correlations[target]), rule, profile);
                var groupBy = correlation.GroupBy.Select(Field).ToList();
                var value = correlation.ValueField is { } valueField ? Field(valueField) : null;
                return new CorrelationSourceEntry(reference.Reference,
                    kind == Kind.Rule ? target : -1, kind == Kind.Correlation ? emitted[target] : -1,
                    groupBy.Select(f => f.Paths[0]).ToEquatableArray(), value?.Paths[0])
                {
                    GroupByRefs = groupBy.Any(f => f.Paths.Count > 1) ? groupBy.ToEquatableArray() : EquatableArray<FieldRef>.Empty,
                    ValueRef = value is { Paths.Count: > 1 } ? value : null,
                };
            }).ToEquatableArray();
            entries.Add(new CorrelationEntry(model.Metadata, model.DisplayPath, correlation.Type, sources, correlation.GroupBy,
                correlation.TimespanNanos, correlation.Condition, correlation.Generate) { Percentile = correlation.Percentile });
        }
        return entries;
    }

    /// <summary>The field a rule holds a group-by entry in: the alias's field for that rule (by the name the correlation uses, its Sigma name or id), or the entry itself.</summary>
    private static string AliasField(CorrelationModel correlation, string entry, string reference, RuleModel rule)
    {
        var alias = correlation.Aliases.FirstOrDefault(a => a.Name == entry);
        if (alias is null) return entry;
        var names = new[] { reference, rule.Metadata.Sigma?.RuleName ?? "", rule.Correlation?.Name ?? "", rule.Metadata.Id };
        return alias.Fields.FirstOrDefault(f => f.Field.Length > 0 && names.Contains(f.Rule))?.Field ?? entry;
    }

    /// <summary>
    /// A Sigma rule's field as its events hold it: mapped through the profile with the rule's logsource (the paths the
    /// detection would read, in order). Other rules' fields (Elastic rules, other correlations' group-by entries) as written.
    /// </summary>
    private static FieldRef MapField(string field, RuleModel? rule, SigmaProfile? profile)
    {
        if (rule?.Metadata.Sigma is not { } sigma || profile is null) return FieldRef.Of(field);
        return profile.Resolve(field, new SigmaLogsource(sigma.Product, sigma.Category, sigma.Service));
    }
}

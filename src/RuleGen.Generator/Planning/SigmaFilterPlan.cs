using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Languages.Sigma;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Sigma;

namespace RuleGen.Generator.Planning;

/// <summary>
/// Applies Sigma filters (sigma-filters-specification 2.1, as pySigma applies them) to the rules of their rule sets:
/// a filter from a rule folder applies within the rule sets of its folder, one from the Sigma config to every rule
/// set; it applies to a Sigma detection rule (not to a correlation) whose logsource is within the filter's and that
/// it names by id, <c>name</c> or title, or to every such rule with <c>rules: any</c>. The rule's condition becomes
/// <c>(condition) and (filter condition)</c>, lowered with the rule's profile and logsource, for the full and the
/// detection-only scope alike. Pure functions of their inputs.
/// </summary>
public static class SigmaFilterPlan
{
    /// <summary>Every filter of the rule files and of the config, in a stable order.</summary>
    public static EquatableArray<SigmaFilterModel> Collect(ImmutableArray<RuleModel> rules, SigmaConfig config) =>
        rules.Select(r => r.Filter).OfType<SigmaFilterModel>()
            .OrderBy(f => f.SourcePath, StringComparer.Ordinal).ThenBy(f => f.Document)
            .Concat(config.Filters)
            .ToEquatableArray();

    /// <summary>The rule with the filters that apply to it ANDed into its condition (the rule itself when none does).</summary>
    public static RuleModel Apply(RuleModel rule, EquatableArray<SigmaFilterModel> filters, SigmaConfig config)
    {
        if (filters.Count == 0 || rule.Condition is null || rule.Metadata.Sigma is not { } sigma || rule.Correlation is not null) return rule;
        var applicable = filters.Where(f => InScope(f, rule) && SigmaFilterReader.Covers(f, sigma)
            && (f.AllRules || f.Rules.Any(r => SigmaFilterReader.Names(r.Reference, rule.Metadata)))).ToList();
        if (applicable.Count == 0) return rule;
        var profile = config.Profile(sigma.Profile);
        if (profile is null) return rule;
        var logsource = new SigmaLogsource(sigma.Product, sigma.Category, sigma.Service);
        var operands = new List<Predicate> { rule.Condition };
        var applied = new List<string>();
        foreach (var filter in applicable)
        {
            if (SigmaFilterReader.Lower(filter, profile, logsource, config) is not { } predicate) continue;
            operands.Add(predicate);
            applied.Add(filter.Describe());
        }
        if (applied.Count == 0) return rule;
        return rule with
        {
            Condition = SigmaDetectionLowering.Simplify(SigmaDetectionLowering.And(operands)),
            AppliedFilters = rule.AppliedFilters.Concat(applied).ToEquatableArray(),
        };
    }

    /// <summary>
    /// RG0226 for each rule a filter names that is not a Sigma rule of its rule sets within its logsource (at the name),
    /// and for a <c>rules: any</c> filter that no rule's logsource meets (at <c>filter</c>).
    /// </summary>
    public static IEnumerable<DiagnosticInfo> Unused(ImmutableArray<RuleModel> rules, EquatableArray<SigmaFilterModel> filters)
    {
        var sigmaRules = rules.Where(r => r.Metadata.Sigma is not null && r.Correlation is null && r.Filter is null && r.IsCompiled).ToList();
        foreach (var filter in filters)
        {
            var scope = sigmaRules.Where(r => InScope(filter, r)).ToList();
            var where = filter.FromConfig ? "any rule set" : "rule set " + string.Join(", ", SetsOf(filter));
            if (filter.AllRules)
            {
                if (!scope.Any(r => SigmaFilterReader.Covers(filter, r.Metadata.Sigma!)))
                    yield return DiagnosticInfo.Create(DiagnosticDescriptors.SigmaFilterNamesNoRule, filter.Location, filter.Title, "any",
                        $"no compiled Sigma rule of {where} has a logsource within ({filter.Logsource})");
                continue;
            }
            foreach (var reference in filter.Rules)
            {
                var named = scope.Where(r => SigmaFilterReader.Names(reference.Reference, r.Metadata)).ToList();
                if (named.Count == 0)
                    yield return DiagnosticInfo.Create(DiagnosticDescriptors.SigmaFilterNamesNoRule, reference.Location, filter.Title, reference.Reference,
                        $"it is not the id, name or title of a compiled Sigma rule of {where}");
                else if (!named.Any(r => SigmaFilterReader.Covers(filter, r.Metadata.Sigma!)))
                    yield return DiagnosticInfo.Create(DiagnosticDescriptors.SigmaFilterNamesNoRule, reference.Location, filter.Title, reference.Reference,
                        $"the rule's logsource ({Logsource(named[0].Metadata.Sigma!)}) is not within the filter's ({filter.Logsource})");
            }
        }
    }

    private static string Logsource(SigmaRuleMetadata s) => new SigmaLogsource(s.Product, s.Category, s.Service).ToString();

    private static IEnumerable<string> SetsOf(SigmaFilterModel filter)
    {
        var names = filter.RuleSets.Where(RuleSetNames.IsValid).ToList();
        return names.Count == 0 ? new[] { RuleSetNames.Default } : names;
    }

    private static bool InScope(SigmaFilterModel filter, RuleModel rule) =>
        filter.FromConfig || SetsOf(filter).Intersect(RuleSetNames.Of(rule)).Any();
}

using System.Text;
using RuleGen.Runtime;

namespace RuleGen.Benchmarks;

/// <summary>What the rule sets of a run hold: rules per format and language, and what their candidate index holds.</summary>
public static class RuleSetFacts
{
    public static string Describe(IEnumerable<Workload> rows)
    {
        var sb = new StringBuilder();
        foreach (var name in rows.Where(r => r.Engine != Engine.Floor).Select(r => r.RuleSet).Distinct())
        {
            var set = Catalog.RuleSet(name)!;
            var languages = set.Rules.GroupBy(r => r.Info.Language).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}");
            sb.AppendLine($"rule set {name}: {set.Rules.Count} rules ({string.Join(", ", languages)})");
            // Rules without a usable witness are evaluated on every event: what bounds the index's savings.
            if (set is IIndexedRuleSet indexed) sb.AppendLine($"  candidate index: {indexed.Index}");
        }
        return sb.ToString();
    }
}

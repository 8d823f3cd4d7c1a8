using System.Text;
using RuleGen.Runtime;

namespace RuleGen.Benchmarks;

/// <summary>
/// For <c>--profile</c>: how many rules the candidate index selects per event of a stream, and the rules it selects
/// most often (what the evaluation after the index costs, and which witnesses are too common).
/// </summary>
public static class CandidateFacts
{
    public static string Describe(IIndexedRuleSet set, EventStream stream, MatchScope scope, int top = 15)
    {
        var candidates = new int[set.Rules.Count];
        var selected = new int[set.Rules.Count];
        var matched = new int[set.Rules.Count];
        var matches = new int[set.Rules.Count];
        long total = 0, totalMatches = 0;
        for (var i = 0; i < stream.Count; i++)
        {
            var count = set.CollectCandidates(stream[i], scope, candidates);
            if (count < 0) continue;
            total += count;
            for (var c = 0; c < count; c++) selected[candidates[c]]++;
            if (set.TryEvaluate(stream[i], matches, out var matchCount, scope))
            {
                totalMatches += matchCount;
                for (var m = 0; m < Math.Min(matchCount, matches.Length); m++) matched[matches[m]]++;
            }
        }
        var sb = new StringBuilder();
        sb.AppendLine($"{set.Index}");
        sb.AppendLine($"candidates per event: {(double)total / stream.Count:F1} of {set.Rules.Count} rules; matches per event: {(double)totalMatches / stream.Count:F2}");
        sb.AppendLine("rules selected most often (events selected, events matched):");
        foreach (var rule in Enumerable.Range(0, set.Rules.Count).OrderByDescending(r => selected[r]).Take(top))
            sb.AppendLine($"  {selected[rule],7} {matched[rule],7}  {set.Rules[rule].Info.Name} ({set.Rules[rule].Info.SourceFile})");
        return sb.ToString();
    }
}

using System.Globalization;
using RuleGen.Runtime;

namespace RuleGen.Conformance;

/// <summary>The outcome of running a dataset.</summary>
public sealed record ConformanceResult(
    long Agree, long Total, long ExpectedFound, long Expected, long Unexpected, int RulesCompiled, int Rules,
    int DisagreeingRules, long GreyPairs, long GreyDisagreements)
{
    public bool AllAgree => Agree == Total;

    public string Summary => string.Format(CultureInfo.InvariantCulture,
        "conformance: agree {0}/{1} pairs ({2:F4}%), expected matches found {3}/{4}, unexpected matches {5}, rules compiled {6}/{7}, disagreeing rules {8}",
        Agree, Total, Total == 0 ? 100.0 : 100.0 * Agree / Total, ExpectedFound, Expected, Unexpected, RulesCompiled, Rules, DisagreeingRules);
}

/// <summary>
/// Evaluates every checked (rule, event) pair of a dataset with the compiled rule set: each event is scanned once and
/// all rules evaluated together, then each dataset rule's verdict is compared with the reference. A dataset rule is
/// found by its id; a rule that did not compile disagrees on all its pairs.
/// </summary>
public static class Runner
{
    public static ConformanceResult Run(Dataset dataset, IRuleSet ruleSet, MatchScope scope, TextWriter report, int maxReported)
    {
        // Rules are found by id; when corpora share an id (SigmaHQ and Elastic rules do), the rule whose source file is the
        // dataset's path wins.
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        var byIdAndPath = new Dictionary<(string, string), int>();
        foreach (var rule in ruleSet.Rules)
        {
            byId.TryAdd(rule.Info.Id, rule.Index);
            byIdAndPath.TryAdd((rule.Info.Id, rule.Info.SourceFile), rule.Index);
        }

        var compiled = new List<(DatasetRule Rule, int Index)>();
        var notCompiled = new List<DatasetRule>();
        foreach (var rule in dataset.Rules)
        {
            if (byIdAndPath.TryGetValue((rule.Id, rule.Path), out var index) || byId.TryGetValue(rule.Id, out index)) compiled.Add((rule, index));
            else notCompiled.Add(rule);
        }

        long total = 0, agree = 0, expected = 0, found = 0, unexpected = 0, grey = 0, greyDisagree = 0, reported = 0;
        var disagreeing = new HashSet<string>(StringComparer.Ordinal);
        var matched = new bool[ruleSet.Rules.Count];
        var buffer = new int[ruleSet.Rules.Count + 1];
        var malformed = 0;

        for (var e = 0; e < dataset.Events.Count; e++)
        {
            Array.Clear(matched);
            if (ruleSet.TryEvaluate(dataset.Events[e], buffer, out var count, scope))
            {
                for (var i = 0; i < Math.Min(count, buffer.Length); i++) matched[buffer[i]] = true;
            }
            else
            {
                malformed++;
            }
            foreach (var (rule, index) in compiled)
            {
                if (rule.Checked is not null && !rule.Checked.Contains(e)) continue;
                var want = rule.Matches.Contains(e);
                var got = matched[index];
                if (rule.Grey.Contains(e))
                {
                    grey++;
                    if (want != got) greyDisagree++;
                    continue;
                }
                total++;
                if (want) expected++;
                if (want == got)
                {
                    agree++;
                    if (want) found++;
                    continue;
                }
                if (got) unexpected++;
                disagreeing.Add(rule.Path);
                if (reported++ < maxReported)
                    report.WriteLine($"disagree: {rule.Path} event {e}: expected {(want ? "match" : "no match")}, got {(got ? "match" : "no match")}");
            }
        }

        foreach (var rule in notCompiled)
        {
            var pairs = rule.Checked?.Count(i => !rule.Grey.Contains(i)) ?? dataset.Events.Count - rule.Grey.Count;
            var wanted = rule.Checked is null ? rule.Matches.Count(i => !rule.Grey.Contains(i)) : rule.Matches.Count(i => rule.Checked.Contains(i) && !rule.Grey.Contains(i));
            total += pairs;
            expected += wanted;
            disagreeing.Add(rule.Path);
            report.WriteLine($"not compiled: {rule.Path} (id {rule.Id}): its {pairs} pairs count as disagreements");
        }
        if (reported > maxReported) report.WriteLine($"... and {reported - maxReported} more disagreeing pairs");
        if (malformed > 0) report.WriteLine($"note: {malformed} events were not well-formed JSON objects (every rule says no match for them)");
        if (grey > 0) report.WriteLine($"grey pairs (informational, not counted): {grey}, of which {greyDisagree} differ from the reference");

        return new ConformanceResult(agree, total, found, expected, unexpected, compiled.Count, dataset.Rules.Count,
            disagreeing.Count, grey, greyDisagree);
    }
}

using RuleGen.Runtime;

namespace RuleGen.Conformance.Tests;

/// <summary>
/// "0 bytes allocated per event everywhere", on real data at full scale: the rule set of every Elastic and Sigma corpus
/// rule, candidate index included, evaluates every event of the perf lanes in both match scopes without allocating,
/// once warmed up (the first passes grow per-thread buffers to the longest value they meet and let the JIT settle).
/// Skipped when ../shared is absent.
/// </summary>
public sealed class AllocationTests
{
    private static readonly string[] Lanes =
    [
        "raw_windows", "structured_windows", "low_match", "match_heavy", "no_match", "mixed_schema", "cisco_syslog",
        "sysmon_file_event", "correlation",
    ];

    [SkippableFact]
    public void The_corpus_rule_set_allocates_nothing_per_event_on_the_perf_lanes()
    {
        var shared = Shared.Folder();
        Skip.If(shared is null || !Directory.Exists(Path.Combine(shared, "perf", "sigma-lanes")), "../shared/perf/sigma-lanes is absent beside the repository.");
        var events = Lanes
            .SelectMany(lane => File.ReadLines(Path.Combine(shared!, "perf", "sigma-lanes", lane + ".ndjson")))
            .Where(line => line.Length > 0)
            .Select(line => System.Text.Encoding.UTF8.GetBytes(line))
            .ToArray();
        IRuleSet ruleSet = RuleGen.Conformance.Compiled.RuleSet.Instance;
        var matches = new int[ruleSet.Rules.Count + 1];

        long Pass()
        {
            long matched = 0;
            foreach (var e in events)
            {
                if (ruleSet.TryEvaluate(e, matches, out var full, MatchScope.Full)) matched += full;
                if (ruleSet.TryEvaluate(e, matches, out var detection, MatchScope.DetectionOnly)) matched += detection;
            }
            return matched;
        }

        Pass();
        Pass();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var matched = Pass();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(matched > 0, "no event of the lanes matched any rule");
        Assert.True(allocated == 0, $"{allocated} bytes allocated over {events.Length} events ({matched} matches)");
    }
}

using RuleGen.Runtime;
using Xunit.Abstractions;

namespace RuleGen.Conformance.Tests;

/// <summary>
/// The candidate index changes nothing but speed: on every conformance event and every event of the perf lanes, the
/// corpus rule set with its index matches exactly the rules it matches when it evaluates every rule, in both match
/// scopes. Skipped when ../shared is absent.
/// </summary>
public sealed class CandidateIndexTests
{
    private readonly ITestOutputHelper _output;

    public CandidateIndexTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> EventFiles => new()
    {
        "conformance/kql/events.ndjson", "conformance/sigma/events.ndjson", "conformance/eql/events.ndjson",
        "perf/sigma-lanes/raw_windows.ndjson", "perf/sigma-lanes/structured_windows.ndjson", "perf/sigma-lanes/low_match.ndjson",
        "perf/sigma-lanes/match_heavy.ndjson", "perf/sigma-lanes/no_match.ndjson", "perf/sigma-lanes/mixed_schema.ndjson",
        "perf/sigma-lanes/cisco_syslog.ndjson", "perf/sigma-lanes/sysmon_file_event.ndjson", "perf/sigma-lanes/correlation.ndjson",
    };

    [SkippableTheory]
    [MemberData(nameof(EventFiles))]
    public void Indexed_rule_set_matches_what_evaluating_every_rule_matches(string file)
    {
        var shared = Shared.Folder();
        Skip.If(shared is null || !File.Exists(Path.Combine(shared, file)), $"../shared/{file} is absent beside the repository.");
        IIndexedRuleSet ruleSet = RuleGen.Conformance.Compiled.RuleSet.Instance;
        var indexed = new int[ruleSet.Rules.Count + 1];
        var every = new int[ruleSet.Rules.Count + 1];
        long events = 0, matches = 0, evaluatedWithout = 0;
        var disagreements = new List<string>();
        foreach (var line in File.ReadLines(Path.Combine(shared!, file)))
        {
            if (line.Length == 0) continue;
            var bytes = System.Text.Encoding.UTF8.GetBytes(line);
            events++;
            foreach (var scope in new[] { MatchScope.Full, MatchScope.DetectionOnly })
            {
                var okIndexed = ruleSet.TryEvaluate(bytes, indexed, out var a, scope);
                var okEvery = ruleSet.TryEvaluateEveryRule(bytes, every, out var b, scope);
                matches += a;
                evaluatedWithout += ruleSet.Rules.Count;
                if (okIndexed == okEvery && indexed.AsSpan(0, a).SequenceEqual(every.AsSpan(0, b))) continue;
                if (disagreements.Count < 10)
                {
                    disagreements.Add($"event {events} ({scope}): with the index [{string.Join(", ", indexed.Take(a).Select(r => ruleSet.Rules[r].Info.SourceFile))}], " +
                        $"every rule [{string.Join(", ", every.Take(b).Select(r => ruleSet.Rules[r].Info.SourceFile))}]");
                }
                else
                {
                    break;
                }
            }
        }
        _output.WriteLine($"{file}: {events} events, {matches} matches in both scopes; index: {ruleSet.Index}");
        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
        Assert.True(events > 0);
    }
}

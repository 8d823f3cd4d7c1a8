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
        var lines = File.ReadLines(Path.Combine(shared!, file)).Select((line, i) => (Line: line, Number: i + 1)).Where(l => l.Line.Length > 0).ToList();
        long events = lines.Count, matches = 0;
        var disagreements = new System.Collections.Concurrent.ConcurrentQueue<string>();
        // Evaluating every rule of the corpus for every event is the slow side; the events are independent, so they
        // are split over the cores (each thread with its own buffers, as a parallel scan's threads have).
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, lines.Count, 256), () => (Indexed: new int[ruleSet.Rules.Count + 1], Every: new int[ruleSet.Rules.Count + 1], Matches: 0L),
            (range, _, buffers) =>
            {
                for (var i = range.Item1; i < range.Item2 && disagreements.Count < 10; i++)
                {
                    var bytes = System.Text.Encoding.UTF8.GetBytes(lines[i].Line);
                    foreach (var scope in new[] { MatchScope.Full, MatchScope.DetectionOnly })
                    {
                        var okIndexed = ruleSet.TryEvaluate(bytes, buffers.Indexed, out var a, scope);
                        var okEvery = ruleSet.TryEvaluateEveryRule(bytes, buffers.Every, out var b, scope);
                        buffers.Matches += a;
                        if (okIndexed == okEvery && buffers.Indexed.AsSpan(0, a).SequenceEqual(buffers.Every.AsSpan(0, b))) continue;
                        disagreements.Enqueue($"line {lines[i].Number} ({scope}): with the index [{string.Join(", ", buffers.Indexed.Take(a).Select(r => ruleSet.Rules[r].Info.SourceFile))}], " +
                            $"every rule [{string.Join(", ", buffers.Every.Take(b).Select(r => ruleSet.Rules[r].Info.SourceFile))}]");
                    }
                }
                return buffers;
            },
            buffers => Interlocked.Add(ref matches, buffers.Matches));
        _output.WriteLine($"{file}: {events} events, {matches} matches in both scopes; index: {ruleSet.Index}");
        Assert.True(disagreements.IsEmpty, string.Join("\n", disagreements.Take(10)));
        Assert.True(events > 0);
    }
}

using System.Text;
using RuleGen.Host.Detection;
using RuleGen.Runtime;
using Xunit.Abstractions;

namespace RuleGen.Conformance.Tests;

/// <summary>
/// The host's detection engine over real Windows logs as users have them (<c>sigma-real</c>'s events in the evtx_dump
/// JSON shape: no <c>@timestamp</c>, time in <c>Event.System.TimeCreated</c>, many files' events out of time order),
/// with the corpus rule set the conformance runner is built with. Skipped with a message when ../shared is absent.
/// </summary>
public sealed class RealWindowsLogScanTests
{
    private readonly ITestOutputHelper _output;

    public RealWindowsLogScanTests(ITestOutputHelper output) => _output = output;

    private sealed class CountingSink(int rules) : IDetectionAlertSink
    {
        public readonly long[] Alerts = new long[rules];
        public long CorrelationAlerts;
        public long WithoutOriginalTime;

        public void Write(DetectionAlert alert, bool update)
        {
            if (update) return;
            if (alert.Rule.Index < 0) CorrelationAlerts++;
            else Alerts[alert.Rule.Index]++;
            if (alert.OriginalTimeNanos == EventTime.Missing || alert.OriginalTimeNanos == 0) WithoutOriginalTime++;
        }
    }

    /// <summary>Rules that only correlations use, without <c>generate</c>: they do not alert on their own (README).</summary>
    private static HashSet<int> SilencedByCorrelations(IRuleSet ruleSet)
    {
        var silenced = new HashSet<int>();
        var generated = new HashSet<int>();
        foreach (var c in ruleSet.Correlations)
        {
            foreach (var s in c.Sources.Where(s => s.RuleIndex >= 0)) (c.Generate ? generated : silenced).Add(s.RuleIndex);
        }
        silenced.ExceptWith(generated);
        return silenced;
    }

    [SkippableFact]
    public void Every_full_match_of_a_windows_rule_alerts_with_its_time_and_no_other_product_alerts()
    {
        var events = Shared.Folder() is { } shared ? Path.Combine(shared, "conformance", "sigma-real", "events.evtx-json.ndjson") : null;
        Skip.If(events is null || !File.Exists(events), "../shared/conformance/sigma-real/events.evtx-json.ndjson is absent beside the repository: the real-log scan cannot run.");

        var ruleSet = RuleGen.Conformance.Compiled.RuleSet.Instance;
        var sink = new CountingSink(ruleSet.Rules.Count);
        var engine = new DetectionEngine(ruleSet, sink);
        var fullMatches = new long[ruleSet.Rules.Count];
        var matches = new int[ruleSet.Rules.Count];
        var line = 0;
        foreach (var text in File.ReadLines(events!))
        {
            line++;
            var json = Encoding.UTF8.GetBytes(text);
            Assert.True(ruleSet.TryEvaluate(json, matches, out var count, MatchScope.Full), $"line {line} is not one JSON object");
            for (var i = 0; i < count; i++) fullMatches[matches[i]]++;
            engine.OnEvent(json, new EventSource("events.evtx-json.ndjson", line), matches.AsSpan(0, count));
        }
        engine.Finish();

        // The rules' own statistics (correlations take their inputs in time order: late ones are theirs to count).
        var stats = ruleSet.Rules.Select(r => engine.StatisticsOf(r.Index)).ToList();
        long Sum(Func<RuleStatistics, long> of) => stats.Sum(of);
        var all = engine.Totals;
        _output.WriteLine($"events {line:N0}, full matches {fullMatches.Sum():N0}, alerts {sink.Alerts.Sum():N0}, correlation alerts {sink.CorrelationAlerts:N0}, " +
            $"executions {Sum(s => s.Executions):N0}; correlations: late inputs {all.Late - Sum(s => s.Late):N0}");
        Assert.True(fullMatches.Sum() > 1000, "the corpus matches these events");
        Assert.Equal(0, all.NoTimestamp);
        Assert.Equal(0, sink.WithoutOriginalTime);
        Assert.Equal(0, all.OverCap);
        Assert.Equal(0, all.ExecutionsAtCap);
        Assert.Equal(0, all.NeverAlerted);
        Assert.Equal(0, Sum(s => s.Late));
        Assert.Equal(0, Sum(s => s.InGap));
        Assert.Equal(0, Sum(s => s.DroppedOverBound));

        var silenced = SilencedByCorrelations(ruleSet);
        var problems = new List<string>();
        foreach (var rule in ruleSet.Rules)
        {
            var alerts = sink.Alerts[rule.Index];
            if (alerts == 0 && fullMatches[rule.Index] == 0) continue;
            var info = rule.Info;
            var product = info.Sigma?.Logsource.Product;
            if (info.Format != "sigma" || product != "windows")
            {
                // Only Windows rules may alert on Windows events (Elastic rules read ECS fields these events lack).
                if (alerts > 0 || fullMatches[rule.Index] > 0)
                    problems.Add($"{info.SourceFile} ({info.Format}, product '{product}'): {fullMatches[rule.Index]} full matches, {alerts} alerts");
                continue;
            }
            var expected = silenced.Contains(rule.Index) ? 0 : fullMatches[rule.Index];
            if (alerts != expected) problems.Add($"{info.SourceFile}: {fullMatches[rule.Index]} full matches, {alerts} alerts");
        }
        foreach (var p in problems.Take(50)) _output.WriteLine(p);
        Assert.Empty(problems);
    }
}

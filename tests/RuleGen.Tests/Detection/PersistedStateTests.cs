using System.Globalization;
using System.Text;
using RuleGen.Host;
using RuleGen.Host.Detection;
using RuleGen.Runtime;
using RuleGen.Tests.Host;

namespace RuleGen.Tests.Detection;

/// <summary>
/// The scan end to end over a mixed rule set (query with overlapping look-backs and a small max_signals, threshold,
/// new_terms, duration suppression, a Sigma correlation): the same input gives byte-identical alerts, and a stream
/// scanned in two runs that keep state in between (<c>--state</c>) gives exactly the alerts of one run over it.
/// </summary>
public sealed class PersistedStateTests : IDisposable
{
    private readonly HostHarness.TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static HandRuleSet Rules()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Every login", interval: "5m", from: "now-10m", maxSignals: 3));
        rules.Add(HandRuleSet.Info("Busy host", type: "threshold", interval: "5m", from: "now-10m",
            elastic: new ElasticRuleSettings { Threshold = new ThresholdSettings(new[] { "host.name" }, 3, new[] { new ThresholdCardinality("user.name", 2) }) }));
        rules.Add(HandRuleSet.Info("New user", type: "new_terms", interval: "5m", from: "now-6m",
            elastic: new ElasticRuleSettings { NewTerms = new NewTermsSettings(new[] { "user.name" }, "now-30m") }));
        rules.Add(HandRuleSet.Info("Failure per host", interval: "5m", from: "now-6m",
            elastic: new ElasticRuleSettings { AlertSuppression = new AlertSuppressionSettings(new[] { "host.name" }, TimeSpan.FromMinutes(20), "suppress") }),
            e => e.GetProperty("outcome").GetString() == "failure");
        var failed = rules.Add(new RuleInfo
        {
            Id = "sigma-failed", Name = "Failed login", Format = "sigma", Type = "sigma", Language = "sigma", SourceFile = "rules/failed.yml", Severity = "low",
        }, e => e.GetProperty("outcome").GetString() == "failure");
        rules.CorrelationList.Add(new CorrelationDefinition(
            new RuleInfo { Id = "corr-brute", Name = "Brute force", Format = "sigma", Type = "correlation", Language = "sigma", SourceFile = "rules/brute.yml", Severity = "high" },
            CorrelationType.EventCount, new[] { new CorrelationSource("failed", failed.Index, -1, new[] { "user.name" }, null) }, new[] { "user.name" },
            TimeSpan.FromMinutes(10).Ticks * 100, new[] { new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 3) }, generate: false));
        // The metric correlations (sliding sum; frames for the others) over the failures' "n", so their groups, running
        // sums and kept values cross the split between runs.
        void Metric(string name, CorrelationType type, string groupBy, double percentile, params CorrelationCriterion[] condition) =>
            rules.CorrelationList.Add(new CorrelationDefinition(
                new RuleInfo { Id = "corr-" + name, Name = name, Format = "sigma", Type = "correlation", Language = "sigma", SourceFile = "rules/" + name + ".yml", Severity = "medium" },
                type, new[] { new CorrelationSource("failed", failed.Index, -1, new[] { groupBy }, "n") }, new[] { groupBy },
                TimeSpan.FromMinutes(10).Ticks * 100, condition, generate: false) { Percentile = percentile });
        Metric("Sum of n", CorrelationType.ValueSum, "host.name", 0, new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 400));
        Metric("Average of n", CorrelationType.ValueAverage, "host.name", 0, new CorrelationCriterion(CorrelationOperator.GreaterThan, 150));
        Metric("P90 of n", CorrelationType.ValuePercentile, "user.name", 90, new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 100));
        Metric("Median of n", CorrelationType.ValueMedian, "host.name", 50, new CorrelationCriterion(CorrelationOperator.LessThan, 100));
        return rules;
    }

    /// <summary>A deterministic stream: logins over about two hours, mostly in order, some a little out of order, a few very late.</summary>
    private static List<string> Stream(int count)
    {
        var random = new Random(7);
        var lines = new List<string>();
        var minute = 0.0;
        for (var i = 0; i < count; i++)
        {
            minute += random.NextDouble() * 1.2;
            var time = minute;
            var roll = random.Next(20);
            if (roll == 0) time -= 1.5;          // within the allowed lateness
            else if (roll == 1) time -= 30;      // too late for any look-back
            var host = "h" + random.Next(4);
            var user = "u" + random.Next(i < count / 2 ? 6 : 12);
            var outcome = random.Next(3) == 0 ? "failure" : "success";
            lines.Add(Ev.At(time, $"\"host\":{{\"name\":\"{host}\"}},\"user\":{{\"name\":\"{user}\"}},\"outcome\":\"{outcome}\",\"n\":{i}"));
        }
        return lines;
    }

    private string Write(string name, IEnumerable<string> lines) => _folder.File(name, string.Join("\n", lines) + "\n");

    private static (string Alerts, string Stderr) Scan(HandRuleSet rules, ScanOptions options)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        var console = new HostConsole(System.IO.Stream.Null, stdout, stderr, false, new SteppingTime());
        var code = ScanCommand.Run(options with { Progress = false, AllowedLateness = TimeSpan.FromMinutes(2) }, console, rules);
        Assert.True(code == 0, stderr.ToString());
        return (Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    [Fact]
    public void The_same_input_gives_byte_identical_alerts()
    {
        var rules = Rules();
        var path = Write("events.ndjson", Stream(300));
        var first = Scan(rules, new ScanOptions(new[] { path }));
        var second = Scan(Rules(), new ScanOptions(new[] { path }));
        Assert.Equal(first.Alerts, second.Alerts);
        // Every kind of alert is in the stream, so the comparison covers them all.
        foreach (var name in new[] { "Every login", "Busy host", "New user", "Failure per host", "Brute force", "Sum of n", "Average of n", "P90 of n", "Median of n" })
            Assert.Contains($"\"kibana.alert.rule.name\":\"{name}\"", first.Alerts);
        Assert.Contains("max_signals reached in", first.Stderr);
        Assert.Contains("late (after every execution whose look-back covers them)", first.Stderr);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(57)]
    [InlineData(150)]
    [InlineData(299)]
    public void A_stream_scanned_in_two_runs_with_state_gives_the_alerts_of_one_run(int split)
    {
        var lines = Stream(300);
        var part1 = Write("part1.ndjson", lines.Take(split));
        var part2 = Write("part2.ndjson", lines.Skip(split));
        var whole = Scan(Rules(), new ScanOptions(new[] { part1, part2 }));

        var state = Path.Combine(_folder.Path, "state-" + split.ToString(CultureInfo.InvariantCulture));
        var first = Scan(Rules(), new ScanOptions(new[] { part1 }) { StateDirectory = state });
        Assert.True(File.Exists(Path.Combine(state, ScanDetection.StateFileName)));
        var second = Scan(Rules(), new ScanOptions(new[] { part2 }) { StateDirectory = state, Final = true });

        Assert.Equal(whole.Alerts, first.Alerts + second.Alerts);
        Assert.Contains("state saved for the next run", first.Stderr);
    }

    [Fact]
    public void Without_final_the_state_keeps_executions_whose_time_has_not_come()
    {
        var lines = Stream(60);
        var path = Write("events.ndjson", lines);
        var state = Path.Combine(_folder.Path, "state");
        var kept = Scan(Rules(), new ScanOptions(new[] { path }) { StateDirectory = state });
        var whole = Scan(Rules(), new ScanOptions(new[] { path }));
        Assert.True(kept.Alerts.Length < whole.Alerts.Length);
        Assert.StartsWith(kept.Alerts, whole.Alerts);
        Assert.Contains("pending events", kept.Stderr);
        // An empty final input ends the stream: the rest of the alerts come out.
        var empty = Write("empty.ndjson", Array.Empty<string>());
        var rest = Scan(Rules(), new ScanOptions(new[] { empty }) { StateDirectory = state, Final = true });
        Assert.Equal(whole.Alerts, kept.Alerts + rest.Alerts);
    }

    [Fact]
    public void A_corrupt_state_file_stops_the_scan_with_a_message()
    {
        var state = Path.Combine(_folder.Path, "bad");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, ScanDetection.StateFileName), "{\"format\":\"something else\"}");
        var stderr = new StringWriter();
        var console = new HostConsole(System.IO.Stream.Null, new MemoryStream(), stderr, false, new SteppingTime());
        var code = ScanCommand.Run(new ScanOptions(new[] { Write("e.ndjson", Stream(3)) }) { StateDirectory = state }, console, Rules());
        Assert.Equal(ExitCodes.StateError, code);
        Assert.Contains("cannot use the state file", stderr.ToString());
        Assert.Contains("not a rulegen state file", stderr.ToString());
    }
}

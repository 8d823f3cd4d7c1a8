using System.Text.Json;
using RuleGen.Tests.Host;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Detection;

/// <summary>
/// End to end: Sigma 2.1's metric correlations (value_sum, value_avg, value_percentile, value_median) compiled from
/// YAML by the generator over one base rule, run by <c>rulegen scan</c> over NDJSON; each type alerts on the group whose
/// metric meets its condition and on no other.
/// </summary>
public sealed class SigmaMetricCorrelationScanTests : IClassFixture<SigmaMetricCorrelationScanTests.Compiled>
{
    public sealed class Compiled : IDisposable
    {
        public Compiled()
        {
            Run = GeneratorHarness.Run(Files);
            if (Run.Assembly is null) throw new InvalidOperationException(string.Join("\n", Run.CompileDiagnostics));
        }

        public GeneratorRun Run { get; }

        public void Dispose() => Run.Dispose();
    }

    private static string Metric(string title, string type, string condition) => $"""
        title: {title}
        id: {Guid.NewGuid()}
        correlation:
            type: {type}
            rules:
                - upload
            group-by:
                - Computer
            timespan: 10m
            condition:
                field: BytesSent
        {condition}
        level: high
        """;

    private static readonly (string Path, string Text)[] Files =
    [
        ("/rules/upload.yml", """
            title: Upload to a share
            id: e0000000-0000-4000-8000-000000000001
            name: upload
            logsource:
                product: windows
                service: security
            detection:
                selection:
                    EventID: 5145
                condition: selection
            level: low
            """),
        ("/rules/sum.yml", Metric("Exfiltration volume", "value_sum", "        gte: 1000000")),
        ("/rules/avg.yml", Metric("Large uploads on average", "value_avg", "        gt: 40000\n        lte: 100000")),
        ("/rules/p90.yml", Metric("Upload size outlier", "value_percentile", "        percentile: 90\n        gte: 500000")),
        ("/rules/median.yml", Metric("Tiny uploads", "value_median", "        lt: 10")),
    ];

    private static string Event(string time, string computer, string bytes) =>
        $$"""{"@timestamp":"2026-03-01T{{time}}Z","Channel":"Security","EventID":5145,"Computer":"{{computer}}","BytesSent":{{bytes}}}""";

    // ws1: 300k, 400k, 350k -> sum 1,050,000 at the third (value_sum); average 350k (outside avg's range).
    // ws2: 50k, 60k, 40k -> average 50k (value_avg); sum 150k.
    // ws3: 1, 2, 3, 4, 900000 -> median 3 (value_median lt 10), 90th percentile at rank 3.6 = 4 + 0.6 x 899,996 = 540,001.6 (value_percentile).
    // ws4: 5, 20, 30 -> median 20: no alert; sums, averages and percentiles below every threshold.
    private static readonly string[] Events =
    [
        Event("10:00:00", "ws1", "300000"),   // 1
        Event("10:00:10", "ws2", "50000"),    // 2
        Event("10:00:20", "ws3", "1"),        // 3
        Event("10:00:30", "ws4", "5"),        // 4
        Event("10:01:00", "ws1", "400000"),   // 5
        Event("10:01:10", "ws2", "60000"),    // 6
        Event("10:01:20", "ws3", "2"),        // 7
        Event("10:01:30", "ws4", "20"),       // 8
        Event("10:02:00", "ws1", "350000"),   // 9: ws1's sum reaches 1,050,000
        Event("10:02:10", "ws2", "40000"),    // 10
        Event("10:02:20", "ws3", "3"),        // 11
        Event("10:02:30", "ws4", "30"),       // 12
        Event("10:03:20", "ws3", "4"),        // 13
        Event("10:04:20", "ws3", "900000"),   // 14
        Event("10:30:00", "ws9", "\"n/a\""),  // 15: no number; ends every frame
    ];

    private readonly Compiled _compiled;

    public SigmaMetricCorrelationScanTests(Compiled compiled) => _compiled = compiled;

    private static string Name(JsonElement alert) => alert.GetProperty("kibana.alert.rule.name").GetString()!;

    private static string Group(JsonElement alert) => alert.GetProperty("rulegen.correlation.group").GetProperty("Computer").GetString()!;

    [Fact]
    public void Each_metric_correlation_alerts_on_the_group_whose_metric_meets_its_condition()
    {
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("uploads.ndjson", string.Join("\n", Events) + "\n");
        var result = HostHarness.Run(["scan", "--no-progress", input], rules: _compiled.Run.RuleSet());
        Assert.Equal(0, result.ExitCode);
        var alerts = result.Alerts;

        var sum = Assert.Single(alerts, a => Name(a) == "Exfiltration volume");
        Assert.Equal(("value_sum", "ws1", 1_050_000.0), (sum.GetProperty("rulegen.correlation.type").GetString(), Group(sum), sum.GetProperty("rulegen.correlation.value").GetDouble()));
        Assert.Equal(new long[] { 1, 5, 9 }, sum.GetProperty("rulegen.correlation.events").EnumerateArray().Select(e => e.GetProperty("rulegen.input.line").GetInt64()));

        var avg = Assert.Single(alerts, a => Name(a) == "Large uploads on average");
        Assert.Equal(("value_avg", "ws2", 50_000.0), (avg.GetProperty("rulegen.correlation.type").GetString(), Group(avg), avg.GetProperty("rulegen.correlation.value").GetDouble()));

        var p90 = Assert.Single(alerts, a => Name(a) == "Upload size outlier");
        Assert.Equal(("value_percentile", "ws3"), (p90.GetProperty("rulegen.correlation.type").GetString(), Group(p90)));
        Assert.Equal(540_001.6, p90.GetProperty("rulegen.correlation.value").GetDouble(), 6);

        var median = Assert.Single(alerts, a => Name(a) == "Tiny uploads");
        Assert.Equal(("value_median", "ws3", 3.0), (median.GetProperty("rulegen.correlation.type").GetString(), Group(median), median.GetProperty("rulegen.correlation.value").GetDouble()));

        // The base rule is only used by correlations (no generate): no alerts of its own.
        Assert.Equal(4, alerts.Count);
        Assert.Contains("correlation matches whose field held no number: 4", result.Stderr);
    }
}

using System.Text;
using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>threat_match rules: events matched against indicator documents by the rule's mappings, alerts enriched.</summary>
public sealed class ThreatMatchTests
{
    private static DetectionOptions NoLateness => new() { AllowedLateness = TimeSpan.Zero };

    private static readonly ThreatMatchSettings Settings = new(
        new[]
        {
            new ThreatMappingGroup(new[] { new ThreatMappingEntry("source.ip", "mapping", "threat.indicator.ip") }),
            new ThreatMappingGroup(new[]
            {
                new ThreatMappingEntry("destination.ip", "mapping", "threat.indicator.ip"),
                new ThreatMappingEntry("destination.port", "mapping", "threat.indicator.port"),
            }),
        },
        new[] { "logs-ti_*" }, "threat.indicator.ip:*", "kuery", "threat.indicator", Array.Empty<string>());

    private static Indicator Indicator(string id, double minute, string ip, int? port = null, string feed = "AbuseCH") =>
        new(id, "logs-ti_abusech", Encoding.UTF8.GetBytes(
            $"{{\"@timestamp\":\"{Ev.Iso(minute)}\",\"threat\":{{\"feed\":{{\"name\":\"{feed}\"}},\"indicator\":{{\"ip\":\"{ip}\"{(port is null ? "" : $",\"port\":{port}")},\"type\":\"ipv4-addr\"}}}}}}"));

    /// <summary>Stands for the compiled threat query: indicators from the 30 days before the execution (date math's now).</summary>
    private static bool LastThirtyDays(ReadOnlyMemory<byte> json, long nowMillis)
    {
        using var document = JsonDocument.Parse(json);
        var time = DateTimeOffset.Parse(document.RootElement.GetProperty("@timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        return time.ToUnixTimeMilliseconds() >= nowMillis - (long)TimeSpan.FromDays(30).TotalMilliseconds;
    }

    private static DetectionRun Run(IndicatorSet indicators, params string[] events)
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Indicator match", type: "threat_match", interval: "5m", from: "now-5m",
            elastic: new ElasticRuleSettings { ThreatMatch = Settings }), indicatorQuery: LastThirtyDays);
        return new DetectionRun(rules, NoLateness, indicators).Events(events).Finish();
    }

    [Fact]
    public void An_event_matching_an_indicator_is_an_alert_enriched_with_the_indicator_as_kibana_writes_it()
    {
        var indicators = IndicatorSet.Of("ti.ndjson", new[] { Indicator("ioc-1", -60, "203.0.113.9"), Indicator("ioc-2", -60, "198.51.100.1") });
        var run = Run(indicators,
            Ev.At(1, "\"source\":{\"ip\":\"203.0.113.9\"},\"threat\":{\"framework\":\"MITRE ATT&CK\"}"),
            Ev.At(2, "\"source\":{\"ip\":\"192.0.2.1\"}"));

        var alert = Assert.Single(run.Alerts);
        Assert.Equal(1, alert.GetProperty("rulegen.input.line").GetInt64());
        var threat = alert.GetProperty("threat");
        Assert.Equal("MITRE ATT&CK", threat.GetProperty("framework").GetString());
        var enrichment = Assert.Single(threat.GetProperty("enrichments").EnumerateArray());
        Assert.Equal("203.0.113.9", enrichment.GetProperty("indicator").GetProperty("ip").GetString());
        Assert.Equal("ipv4-addr", enrichment.GetProperty("indicator").GetProperty("type").GetString());
        Assert.Equal("AbuseCH", enrichment.GetProperty("feed").GetProperty("name").GetString());
        var matched = enrichment.GetProperty("matched");
        Assert.Equal("203.0.113.9", matched.GetProperty("atomic").GetString());
        Assert.Equal("source.ip", matched.GetProperty("field").GetString());
        Assert.Equal("ioc-1", matched.GetProperty("id").GetString());
        Assert.Equal("logs-ti_abusech", matched.GetProperty("index").GetString());
        Assert.Equal("indicator_match_rule", matched.GetProperty("type").GetString());
    }

    [Fact]
    public void Every_entry_of_a_mapping_group_must_hold_and_each_gives_an_enrichment()
    {
        var indicators = IndicatorSet.Of("ti.ndjson", new[] { Indicator("ioc-1", -60, "203.0.113.9", port: 4444) });
        var run = Run(indicators,
            Ev.At(1, "\"destination\":{\"ip\":\"203.0.113.9\",\"port\":4444}"),
            Ev.At(2, "\"destination\":{\"ip\":\"203.0.113.9\",\"port\":443}"));

        var alert = Assert.Single(run.Alerts);
        Assert.Equal(1, alert.GetProperty("rulegen.input.line").GetInt64());
        Assert.Equal(new[] { "destination.ip", "destination.port" },
            alert.GetProperty("threat").GetProperty("enrichments").EnumerateArray().Select(e => e.GetProperty("matched").GetProperty("field").GetString()));
    }

    [Fact]
    public void The_threat_query_selects_indicators_as_of_each_execution()
    {
        // Ingested 40 days before the stream: outside the threat query's 30 days at every execution.
        var indicators = IndicatorSet.Of("ti.ndjson", new[] { Indicator("old", -40 * 24 * 60, "203.0.113.9"), Indicator("recent", -10, "198.51.100.1") });
        var run = Run(indicators, Ev.At(1, "\"source\":{\"ip\":\"203.0.113.9\"}"), Ev.At(2, "\"source\":{\"ip\":\"198.51.100.1\"}"));
        Assert.Equal(new long[] { 2 }, run.AlertLines);
    }

    [Fact]
    public void Indicators_load_from_ndjson_documents_or_elasticsearch_hits()
    {
        var path = Path.Combine(Path.GetTempPath(), "rulegen-ti-" + Guid.NewGuid().ToString("N") + ".ndjson");
        File.WriteAllText(path,
            "{\"_index\":\"logs-ti_misp\",\"_id\":\"abc\",\"_source\":{\"@timestamp\":\"" + Ev.Iso(-5) + "\",\"threat\":{\"indicator\":{\"ip\":\"203.0.113.9\"}}}}\n" +
            "not json\n" +
            "{\"@timestamp\":\"" + Ev.Iso(-5) + "\",\"threat\":{\"indicator\":{\"ip\":\"198.51.100.1\"}}}\n");
        try
        {
            var problems = new List<string>();
            var set = IndicatorSet.Load(path, problems.Add);
            Assert.Equal(2, set.Indicators.Count);
            Assert.Equal(("abc", "logs-ti_misp"), (set.Indicators[0].Id, set.Indicators[0].Index));
            Assert.Equal((path + ":3", path), (set.Indicators[1].Id, set.Indicators[1].Index));
            Assert.Contains(problems, p => p.StartsWith(path + ":2: malformed indicator line skipped", StringComparison.Ordinal));
            var run = Run(set, Ev.At(1, "\"source\":{\"ip\":\"198.51.100.1\"}"));
            var enrichment = Assert.Single(Assert.Single(run.Alerts).GetProperty("threat").GetProperty("enrichments").EnumerateArray());
            Assert.Equal(path + ":3", enrichment.GetProperty("matched").GetProperty("id").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Without_an_indicator_file_a_threat_match_rule_does_not_run_and_says_why()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Indicator match", type: "threat_match", elastic: new ElasticRuleSettings { ThreatMatch = Settings }), indicatorQuery: LastThirtyDays);
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Ev.At(1, "\"source\":{\"ip\":\"203.0.113.9\"}") }).Finish();
        Assert.Empty(run.Alerts);
        Assert.Contains("--indicators", run.Engine.ProblemOf(0));
    }
}

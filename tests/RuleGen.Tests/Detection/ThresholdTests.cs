using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>Threshold rules as Kibana's threshold executor runs them: groups, counts, cardinality, signal history.</summary>
public sealed class ThresholdTests
{
    private static DetectionOptions NoLateness => new() { AllowedLateness = TimeSpan.Zero };

    private static RuleInfo Threshold(string[] fields, long value, ThresholdCardinality[]? cardinality = null, string from = "now-5m", int? maxSignals = null) =>
        HandRuleSet.Info("Many logins", type: "threshold", interval: "5m", from: from, maxSignals: maxSignals,
            elastic: new ElasticRuleSettings { Threshold = new ThresholdSettings(fields, value, cardinality ?? Array.Empty<ThresholdCardinality>()) });

    private static string Login(double minute, string? host, string user) =>
        Ev.At(minute, (host is null ? "" : $"\"host\":{{\"name\":{host}}},") + $"\"user\":{{\"name\":\"{user}\"}}");

    private static JsonElement Result(JsonElement alert) => alert.GetProperty("kibana.alert.threshold_result");

    [Fact]
    public void A_group_reaching_the_count_and_cardinality_is_one_alert_with_kibanas_threshold_result()
    {
        var rules = new HandRuleSet();
        rules.Add(Threshold(["host.name"], 3, [new ThresholdCardinality("user.name", 2)]));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Login(1, "\"a\"", "u1"), Login(2, "\"a\"", "u2"), Login(3, "\"a\"", "u1"),
            Login(2, "\"b\"", "u1"), Login(3, "\"b\"", "u1"), Login(3.5, "\"b\"", "u1"),   // count 3, one user
            Login(4, null, "u3"),                                                        // no host: in no group
        }).Finish();

        var alert = Assert.Single(run.Alerts);
        Assert.Equal("a", alert.GetProperty("host.name").GetString());
        Assert.Equal(Ev.Iso(5), alert.GetProperty("@timestamp").GetString());
        Assert.Equal(Ev.Iso(3), alert.GetProperty("kibana.alert.original_time").GetString());
        var result = Result(alert);
        Assert.Equal(3, result.GetProperty("count").GetInt64());
        Assert.Equal(Ev.Iso(1), result.GetProperty("from").GetString());
        var term = Assert.Single(result.GetProperty("terms").EnumerateArray());
        Assert.Equal("host.name", term.GetProperty("field").GetString());
        Assert.Equal("a", term.GetProperty("value").GetString());
        var cardinality = Assert.Single(result.GetProperty("cardinality").EnumerateArray());
        Assert.Equal("user.name", cardinality.GetProperty("field").GetString());
        Assert.Equal(2, cardinality.GetProperty("value").GetInt64());
        Assert.Equal("threshold", alert.GetProperty("kibana.alert.rule.type").GetString());
        Assert.False(alert.TryGetProperty("user", out _), "a threshold alert holds only the group's fields");
    }

    [Fact]
    public void Events_an_alert_counted_are_not_counted_again_by_an_overlapping_execution()
    {
        var rules = new HandRuleSet();
        rules.Add(Threshold(["host.name"], 2, from: "now-10m"));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Login(1, "\"a\"", "u"), Login(2, "\"a\"", "u"),   // execution 5: count 2, alert
            Login(6, "\"a\"", "u"),                            // execution 10 sees 1, 2, 6; 1 and 2 were counted
            Login(7, "\"a\"", "u"),
            Login(12, "\"a\"", "u"),                           // execution 15 sees 6, 7 (counted at 10) and 12: count 1
        }).Finish();

        Assert.Equal(2, run.Alerts.Count);
        Assert.Equal(new[] { Ev.Iso(5), Ev.Iso(10) }, run.Alerts.Select(a => a.GetProperty("@timestamp").GetString()));
        Assert.Equal(new long[] { 2, 2 }, run.Alerts.Select(a => Result(a).GetProperty("count").GetInt64()));
        Assert.Equal(Ev.Iso(6), Result(run.Alerts[1]).GetProperty("from").GetString());
    }

    [Fact]
    public void Groups_come_in_key_order_and_max_signals_caps_them()
    {
        var rules = new HandRuleSet();
        rules.Add(Threshold(["host.name"], 1, maxSignals: 2));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Login(1, "\"c\"", "u"), Login(2, "\"a\"", "u"), Login(3, "\"b\"", "u") }).Finish();

        Assert.Equal(new[] { "a", "b" }, run.Alerts.Select(a => a.GetProperty("host.name").GetString()));
        Assert.Equal(1, run.Engine.StatisticsOf(0).OverCap);
    }

    [Fact]
    public void Array_values_count_in_each_group_and_several_fields_group_by_every_combination()
    {
        var rules = new HandRuleSet();
        rules.Add(Threshold(["host.name", "user.name"], 2));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Login(1, "[\"a\",\"b\"]", "u"),
            Login(2, "\"a\"", "u"),
            Login(3, "\"b\"", "u"),
            Login(4, "\"a\"", "v"),
        }).Finish();

        var groups = run.Alerts.Select(a => $"{a.GetProperty("host.name").GetString()}/{a.GetProperty("user.name").GetString()}").ToList();
        Assert.Equal(new[] { "a/u", "b/u" }, groups);
        Assert.All(run.Alerts, a => Assert.Equal(2, Result(a).GetProperty("count").GetInt64()));
        Assert.Equal(new[] { "host.name", "user.name" }, Result(run.Alerts[0]).GetProperty("terms").EnumerateArray().Select(t => t.GetProperty("field").GetString()));
    }

    [Fact]
    public void Without_group_fields_all_matching_events_are_one_group()
    {
        var rules = new HandRuleSet();
        rules.Add(Threshold([], 3));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Login(1, "\"a\"", "u"), Login(2, null, "v"), Login(3, "\"b\"", "w") }).Finish();

        var alert = Assert.Single(run.Alerts);
        Assert.Equal(3, Result(alert).GetProperty("count").GetInt64());
        Assert.Empty(Result(alert).GetProperty("terms").EnumerateArray());
    }

    [Fact]
    public void Threshold_alert_ids_are_deterministic_from_rule_execution_and_group()
    {
        string[] Ids()
        {
            var rules = new HandRuleSet();
            rules.Add(Threshold(["host.name"], 1));
            var run = new DetectionRun(rules, NoLateness).Events(new[] { Login(1, "\"a\"", "u"), Login(2, "\"b\"", "u") }).Finish();
            return run.Alerts.Select(a => a.GetProperty("kibana.alert.uuid").GetString()!).ToArray();
        }
        var first = Ids();
        Assert.Equal(first, Ids());
        Assert.NotEqual(first[0], first[1]);
    }
}

using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>Alert shaping: severity and risk-score mappings, rule name override, building blocks, identity, ancestors.</summary>
public sealed class AlertShapingTests
{
    private static DetectionOptions NoLateness => new() { AllowedLateness = TimeSpan.Zero };

    private static JsonElement OneAlert(ElasticRuleSettings elastic, string members, string? buildingBlock = null)
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Shaped", elastic: elastic, buildingBlock: buildingBlock, severity: "low", riskScore: 21));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Ev.At(1, members) }).Finish();
        return Assert.Single(run.Alerts);
    }

    private static readonly ElasticRuleSettings Mappings = new()
    {
        SeverityMapping = new[]
        {
            new SeverityMapping("labels.level", "equals", "bad", "high"),
            new SeverityMapping("labels.level", "equals", "worse", "critical"),
            new SeverityMapping("labels.tag", "equals", "x", "medium"),
            new SeverityMapping("event.severity", "equals", "73", "critical"),
        },
        RiskScoreMapping = new[] { new RiskScoreMapping("labels.risk", "equals", "", null) },
        RuleNameOverride = "labels.rule",
    };

    [Fact]
    public void The_highest_severity_whose_mapping_matches_wins()
    {
        var alert = OneAlert(Mappings, "\"labels\":{\"level\":[\"bad\",\"worse\"],\"tag\":\"x\"}");
        Assert.Equal("critical", alert.GetProperty("kibana.alert.severity").GetString());
        Assert.Equal("low", alert.GetProperty("kibana.alert.rule.severity").GetString());
        Assert.Contains("created critical alert Shaped.", alert.GetProperty("kibana.alert.reason").GetString());

        Assert.Equal("medium", OneAlert(Mappings, "\"labels\":{\"tag\":\"x\"}").GetProperty("kibana.alert.severity").GetString());
        Assert.Equal("low", OneAlert(Mappings, "\"labels\":{\"tag\":\"y\"}").GetProperty("kibana.alert.severity").GetString());
        Assert.Equal("critical", OneAlert(Mappings, "\"event\":{\"severity\":73}").GetProperty("kibana.alert.severity").GetString());
    }

    [Theory]
    [InlineData("88", 88)]
    [InlineData("\"55\"", 55)]
    [InlineData("[12, 99, 150]", 99)]
    [InlineData("150", 21)]
    [InlineData("\"high\"", 21)]
    public void Risk_score_mapping_takes_the_largest_value_from_0_to_100(string value, int expected)
    {
        var alert = OneAlert(Mappings, $"\"labels\":{{\"risk\":{value}}}");
        Assert.Equal(expected, alert.GetProperty("kibana.alert.risk_score").GetInt32());
        Assert.Equal(21, alert.GetProperty("kibana.alert.rule.risk_score").GetInt32());
    }

    [Fact]
    public void Rule_name_override_takes_a_string_field_only()
    {
        var renamed = OneAlert(Mappings, "\"labels\":{\"rule\":\"Malware X\"}");
        Assert.Equal("Malware X", renamed.GetProperty("kibana.alert.rule.name").GetString());
        Assert.Equal("labels.rule", renamed.GetProperty("kibana.alert.rule.rule_name_override").GetString());
        Assert.EndsWith("alert Malware X.", renamed.GetProperty("kibana.alert.reason").GetString());
        Assert.Equal("Shaped", OneAlert(Mappings, "\"labels\":{\"rule\":[\"a\",\"b\"]}").GetProperty("kibana.alert.rule.name").GetString());
        Assert.Equal("Shaped", OneAlert(Mappings, "\"labels\":{\"rule\":7}").GetProperty("kibana.alert.rule.name").GetString());
    }

    [Fact]
    public void Building_block_rules_mark_their_alerts()
    {
        var alert = OneAlert(new ElasticRuleSettings(), "\"a\":1", buildingBlock: "default");
        Assert.Equal("default", alert.GetProperty("kibana.alert.building_block_type").GetString());
        Assert.False(OneAlert(new ElasticRuleSettings(), "\"a\":1").TryGetProperty("kibana.alert.building_block_type", out _));
    }

    [Fact]
    public void Alert_uuid_is_deterministic_from_rule_and_event_and_ancestors_name_the_event()
    {
        var a = OneAlert(new ElasticRuleSettings(), "\"a\":1");
        var b = OneAlert(new ElasticRuleSettings(), "\"a\":2");
        Assert.Equal(a.GetProperty("kibana.alert.uuid").GetString(), b.GetProperty("kibana.alert.uuid").GetString());
        Assert.Equal(AlertDocument.AlertId(HandRuleSet.Info("Shaped"), new EventSource("events.ndjson", 1)), a.GetProperty("kibana.alert.uuid").GetString());
        var ancestor = Assert.Single(a.GetProperty("kibana.alert.ancestors").EnumerateArray());
        Assert.Equal("events.ndjson:1", ancestor.GetProperty("id").GetString());
        Assert.Equal("event", ancestor.GetProperty("type").GetString());
        Assert.Equal("events.ndjson", ancestor.GetProperty("index").GetString());
        Assert.Equal(0, ancestor.GetProperty("depth").GetInt32());
        Assert.Equal(1, a.GetProperty("kibana.alert.depth").GetInt32());
        Assert.Equal("scheduled", a.GetProperty("kibana.alert.rule.execution.type").GetString());
    }
}

/// <summary>Alert suppression: per execution, or for a duration, with Kibana's suppression fields and counts.</summary>
public sealed class SuppressionTests
{
    private static DetectionOptions NoLateness => new() { AllowedLateness = TimeSpan.Zero };

    private static RuleInfo Suppressed(TimeSpan? duration, string missing = "suppress") =>
        HandRuleSet.Info("Suppressed", interval: "5m", from: "now-5m",
            elastic: new ElasticRuleSettings { AlertSuppression = new AlertSuppressionSettings(new[] { "host.name" }, duration, missing) });

    private static string On(double minute, string? host) => Ev.At(minute, host is null ? "\"a\":1" : $"\"host\":{{\"name\":\"{host}\"}}");

    private static JsonElement Terms(JsonElement alert) => alert.GetProperty("kibana.alert.suppression.terms")[0];

    [Fact]
    public void Per_execution_suppression_makes_one_alert_per_group_counting_the_others()
    {
        var rules = new HandRuleSet();
        rules.Add(Suppressed(null));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { On(1, "a"), On(2, "b"), On(3, "a"), On(4, "a"), On(4.5, null), On(7, "a") }).Finish();

        var alerts = run.Alerts;
        Assert.Equal(new long[] { 1, 2, 5, 6 }, run.AlertLines);
        Assert.Equal(new long[] { 2, 0, 0, 0 }, alerts.Select(a => a.GetProperty("kibana.alert.suppression.docs_count").GetInt64()));
        Assert.Equal("a", Terms(alerts[0]).GetProperty("value").GetString());
        Assert.Equal("host.name", Terms(alerts[0]).GetProperty("field").GetString());
        Assert.Equal(JsonValueKind.Null, Terms(alerts[2]).GetProperty("value").ValueKind);
        Assert.Equal(Ev.Iso(1), alerts[0].GetProperty("kibana.alert.suppression.start").GetString());
        Assert.Equal(Ev.Iso(4), alerts[0].GetProperty("kibana.alert.suppression.end").GetString());
        // The next execution's group is a new alert (per-execution suppression), with the same instance id.
        Assert.Equal(alerts[0].GetProperty("kibana.alert.instance.id").GetString(), alerts[3].GetProperty("kibana.alert.instance.id").GetString());
        Assert.Equal(2, run.Engine.StatisticsOf(0).Suppressed);
    }

    [Fact]
    public void Do_not_suppress_alerts_on_each_event_missing_a_group_field()
    {
        var rules = new HandRuleSet();
        rules.Add(Suppressed(null, "doNotSuppress"));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { On(1, null), On(2, null), On(3, "a"), On(4, "a") }).Finish();
        Assert.Equal(new long[] { 1, 2, 3 }, run.AlertLines);
        Assert.False(run.Alerts[0].TryGetProperty("kibana.alert.suppression.docs_count", out _));
        Assert.Equal(1, run.Alerts[2].GetProperty("kibana.alert.suppression.docs_count").GetInt64());
    }

    [Fact]
    public void A_suppression_window_folds_later_executions_in_and_the_alert_is_rewritten_with_its_final_counts_when_it_closes()
    {
        var rules = new HandRuleSet();
        rules.Add(Suppressed(TimeSpan.FromMinutes(15)));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { On(1, "a"), On(6, "a"), On(11, "a"), On(21, "a") }).Finish();

        // Created by execution 5; executions 10 and 15 fold into it; execution 25 finds it older than 15 minutes.
        var alerts = run.Alerts;
        Assert.Equal(new long[] { 1, 4 }, run.AlertLines);
        Assert.Equal(0, alerts[0].GetProperty("kibana.alert.suppression.docs_count").GetInt64());
        var update = Assert.Single(run.Sink.Updates);
        Assert.Equal(alerts[0].GetProperty("kibana.alert.uuid").GetString(), update.GetProperty("kibana.alert.uuid").GetString());
        Assert.Equal(2, update.GetProperty("kibana.alert.suppression.docs_count").GetInt64());
        Assert.Equal(Ev.Iso(1), update.GetProperty("kibana.alert.suppression.start").GetString());
        Assert.Equal(Ev.Iso(11), update.GetProperty("kibana.alert.suppression.end").GetString());
        Assert.Equal(Ev.Iso(15), update.GetProperty("kibana.alert.last_detected").GetString());
        Assert.Equal(Ev.Iso(5), update.GetProperty("@timestamp").GetString());
        // The update comes before the alert execution 25 creates.
        Assert.Equal(new[] { false, true, false }, run.Sink.Written.Select(w => w.Update));
    }
}

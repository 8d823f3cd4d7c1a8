using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>
/// Sigma correlation rules (specification 2.0: event_count, value_count, temporal, temporal_ordered) over the matches of
/// the rules they name, from hand-made definitions of the shape the generator emits.
/// </summary>
public sealed class CorrelationTests
{
    private static DetectionOptions NoLateness => new() { AllowedLateness = TimeSpan.Zero };

    private static RuleInfo SigmaRule(string name) => new()
    {
        Id = "sigma-" + name,
        Name = name,
        Format = "sigma",
        Type = "sigma",
        Language = "sigma",
        SourceFile = "rules/" + name + ".yml",
        Severity = "low",
    };

    private static RuleInfo CorrelationInfo(string name, string severity = "high") => new()
    {
        Id = "corr-" + name,
        Name = name,
        Format = "sigma",
        Type = "correlation",
        Language = "sigma",
        SourceFile = "rules/" + name + ".yml",
        Severity = severity,
    };

    private static CorrelationSource Source(int rule, params string[] groupBy) => new("rule" + rule, rule, -1, groupBy, null);

    private static long Minutes(double m) => (long)(m * 60_000_000_000);

    private static string Ev2(double minute, string kind, string user, string? host = null) =>
        Ev.At(minute, $"\"kind\":\"{kind}\",\"user\":{{\"name\":\"{user}\"}}" + (host is null ? "" : $",\"host\":{{\"name\":\"{host}\"}}"));

    /// <summary>Two base rules: "failed" and "success" logins.</summary>
    private static HandRuleSet Logins()
    {
        var rules = new HandRuleSet();
        rules.Add(SigmaRule("failed"), e => e.GetProperty("kind").GetString() == "failed");
        rules.Add(SigmaRule("success"), e => e.GetProperty("kind").GetString() == "success");
        return rules;
    }

    private static List<JsonElement> Correlated(DetectionRun run) =>
        run.Alerts.Where(a => a.TryGetProperty("rulegen.correlation.type", out _)).ToList();

    [Fact]
    public void Event_count_alerts_once_when_a_group_reaches_the_count_within_the_timespan()
    {
        var rules = Logins();
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("brute force"), CorrelationType.EventCount,
            new[] { Source(0, "user.name") }, new[] { "user.name" }, Minutes(10),
            new[] { new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 3) }, generate: false));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Ev2(1, "failed", "alice"), Ev2(2, "failed", "bob"), Ev2(3, "failed", "alice"),
            Ev2(15, "failed", "alice"),                       // 1 and 3 are more than 10 minutes before: count 1
            Ev2(16, "failed", "alice"), Ev2(17, "failed", "alice"),   // 15, 16, 17: count 3
            Ev2(18, "failed", "alice"),                       // after a hit the group starts over
        }).Finish();

        var alerts = Correlated(run);
        var alert = Assert.Single(alerts);
        Assert.Equal("event_count", alert.GetProperty("rulegen.correlation.type").GetString());
        Assert.Equal(3, alert.GetProperty("rulegen.correlation.count").GetInt64());
        Assert.Equal("alice", alert.GetProperty("rulegen.correlation.group").GetProperty("user.name").GetString());
        Assert.Equal(new long[] { 4, 5, 6 }, alert.GetProperty("rulegen.correlation.events").EnumerateArray().Select(e => e.GetProperty("rulegen.input.line").GetInt64()));
        Assert.Equal("brute force", alert.GetProperty("kibana.alert.rule.name").GetString());
        Assert.Equal("high", alert.GetProperty("kibana.alert.severity").GetString());
        Assert.Equal(Ev.Iso(20), alert.GetProperty("@timestamp").GetString());
        // generate: false — the base rule does not alert on its own.
        Assert.DoesNotContain(run.Alerts, a => a.GetProperty("kibana.alert.rule.name").GetString() == "failed");
    }

    [Fact]
    public void Generate_lets_the_base_rules_alert_too()
    {
        var rules = Logins();
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("brute force"), CorrelationType.EventCount,
            new[] { Source(0, "user.name") }, new[] { "user.name" }, Minutes(10),
            new[] { new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 2) }, generate: true));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Ev2(1, "failed", "alice"), Ev2(2, "failed", "alice") }).Finish();
        Assert.Single(Correlated(run));
        Assert.Equal(2, run.Alerts.Count(a => a.GetProperty("kibana.alert.rule.name").GetString() == "failed"));
    }

    [Fact]
    public void Value_count_counts_distinct_values_of_the_field_per_group()
    {
        var rules = Logins();
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("spray"), CorrelationType.ValueCount,
            new[] { new CorrelationSource("failed", 0, -1, new[] { "host.name" }, "user.name") }, new[] { "host.name" }, Minutes(10),
            new[] { new CorrelationCriterion(CorrelationOperator.GreaterThan, 2) }, generate: false));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Ev2(1, "failed", "a", "h1"), Ev2(2, "failed", "a", "h1"), Ev2(3, "failed", "b", "h1"), Ev2(4, "failed", "c", "h2"),
            Ev2(5, "failed", "c", "h1"),
        }).Finish();

        var alert = Assert.Single(Correlated(run));
        Assert.Equal(3, alert.GetProperty("rulegen.correlation.count").GetInt64());
        Assert.Equal(new[] { "a", "b", "c" }, alert.GetProperty("rulegen.correlation.values").EnumerateArray().Select(v => v.GetString()).Order());
        Assert.Equal("h1", alert.GetProperty("rulegen.correlation.group").GetProperty("host.name").GetString());
    }

    [Fact]
    public void Temporal_needs_every_rule_within_the_timespan_in_any_order()
    {
        var rules = Logins();
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("both"), CorrelationType.Temporal,
            new[] { Source(0, "user.name"), Source(1, "user.name") }, new[] { "user.name" }, Minutes(5),
            Array.Empty<CorrelationCriterion>(), generate: true));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Ev2(1, "success", "alice"), Ev2(2, "failed", "bob"), Ev2(3, "failed", "alice"),   // alice: both within 5m
            Ev2(10, "success", "bob"),                                                          // bob: 8 minutes apart
        }).Finish();

        var alert = Assert.Single(Correlated(run));
        Assert.Equal("alice", alert.GetProperty("rulegen.correlation.group").GetProperty("user.name").GetString());
        Assert.Equal(new long[] { 1, 3 }, alert.GetProperty("rulegen.correlation.events").EnumerateArray().Select(e => e.GetProperty("rulegen.input.line").GetInt64()));
    }

    [Fact]
    public void Temporal_ordered_needs_the_rules_in_the_listed_order()
    {
        var rules = Logins();
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("failed then success"), CorrelationType.TemporalOrdered,
            new[] { Source(0, "user.name"), Source(1, "user.name") }, new[] { "user.name" }, Minutes(5),
            Array.Empty<CorrelationCriterion>(), generate: true));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Ev2(1, "success", "alice"), Ev2(2, "failed", "alice"),   // wrong order so far
            Ev2(3, "success", "alice"),                              // failed at 2, success at 3
            Ev2(4, "failed", "bob"), Ev2(10, "success", "bob"),      // too far apart
        }).Finish();

        var alert = Assert.Single(Correlated(run));
        Assert.Equal(new long[] { 2, 3 }, alert.GetProperty("rulegen.correlation.events").EnumerateArray().Select(e => e.GetProperty("rulegen.input.line").GetInt64()));
    }

    [Fact]
    public void Aliases_group_events_of_different_rules_by_different_fields()
    {
        var rules = new HandRuleSet();
        rules.Add(SigmaRule("error"), e => e.TryGetProperty("status", out _));
        rules.Add(SigmaRule("connection"), e => e.TryGetProperty("conn", out _));
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("error then connection"), CorrelationType.Temporal,
            new[] { new CorrelationSource("error", 0, -1, new[] { "destination.ip" }, null), new CorrelationSource("connection", 1, -1, new[] { "source.ip" }, null) },
            new[] { "internal_ip" }, Minutes(1), Array.Empty<CorrelationCriterion>(), generate: true));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Ev.At(1, "\"status\":500,\"destination\":{\"ip\":\"10.0.0.5\"}"),
            Ev.At(1.2, "\"conn\":1,\"source\":{\"ip\":\"10.0.0.6\"}"),
            Ev.At(1.5, "\"conn\":1,\"source\":{\"ip\":\"10.0.0.5\"}"),
        }).Finish();

        var alert = Assert.Single(Correlated(run));
        Assert.Equal("10.0.0.5", alert.GetProperty("rulegen.correlation.group").GetProperty("internal_ip").GetString());
    }

    [Fact]
    public void A_condition_fewer_is_judged_when_the_groups_timespan_ends()
    {
        var rules = Logins();
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("quiet"), CorrelationType.EventCount,
            new[] { Source(1, "user.name") }, new[] { "user.name" }, Minutes(5),
            new[] { new CorrelationCriterion(CorrelationOperator.LessThan, 2) }, generate: true));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Ev2(1, "success", "alice"), Ev2(2, "success", "bob"), Ev2(3, "success", "bob"), Ev2(20, "failed", "x"),
        }).Finish();

        var alert = Assert.Single(Correlated(run));
        Assert.Equal("alice", alert.GetProperty("rulegen.correlation.group").GetProperty("user.name").GetString());
        Assert.Equal(1, alert.GetProperty("rulegen.correlation.count").GetInt64());
    }

    [Fact]
    public void A_correlation_can_count_the_hits_of_another()
    {
        var rules = Logins();
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("many failed"), CorrelationType.EventCount,
            new[] { Source(0, "user.name") }, new[] { "user.name" }, Minutes(10),
            new[] { new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 2) }, generate: false));
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("many failed then success"), CorrelationType.TemporalOrdered,
            new[] { new CorrelationSource("many failed", -1, 0, new[] { "user.name" }, null), Source(1, "user.name") }, new[] { "user.name" }, Minutes(10),
            Array.Empty<CorrelationCriterion>(), generate: false));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Ev2(1, "failed", "alice"), Ev2(2, "failed", "alice"), Ev2(3, "success", "alice"), Ev2(4, "success", "bob"),
        }).Finish();

        var alert = Assert.Single(Correlated(run));
        Assert.Equal("many failed then success", alert.GetProperty("kibana.alert.rule.name").GetString());
        Assert.Equal(new long[] { 1, 2, 3 }, alert.GetProperty("rulegen.correlation.events").EnumerateArray().Select(e => e.GetProperty("rulegen.input.line").GetInt64()));
        // The inner correlation is not generated on its own; neither base rule alerts.
        Assert.Single(run.Alerts);
    }

    [Fact]
    public void Correlation_groups_are_bounded_and_evictions_counted()
    {
        var rules = Logins();
        rules.CorrelationList.Add(new CorrelationDefinition(CorrelationInfo("brute force"), CorrelationType.EventCount,
            new[] { Source(0, "user.name") }, new[] { "user.name" }, Minutes(60),
            new[] { new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 5) }, generate: false));
        var run = new DetectionRun(rules, NoLateness with { MaxCorrelationGroups = 20 });
        for (var i = 0; i < 100; i++) run.Event(Ev2(1 + i * 0.01, "failed", "user" + i));
        Assert.True(run.Engine.StateTotals.Single(s => s.Kind == "correlation groups").Count <= 20);
        run.Finish();
        Assert.True(run.Engine.Totals.Evicted >= 80, $"evicted {run.Engine.Totals.Evicted}");
    }
}

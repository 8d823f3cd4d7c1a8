using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>
/// new_terms rules as Kibana's new terms executor decides them: a value (combination) is new when it did not occur
/// in <c>[now - history, from)</c>; the alert is about its first event in the window and carries the terms.
/// </summary>
public sealed class NewTermsTests
{
    private static DetectionOptions NoLateness => new() { AllowedLateness = TimeSpan.Zero };

    private static RuleInfo NewTerms(string[] fields, string history = "now-60m", string from = "now-5m") =>
        HandRuleSet.Info("New user", type: "new_terms", interval: "5m", from: from,
            elastic: new ElasticRuleSettings { NewTerms = new NewTermsSettings(fields, history) });

    private static string Login(double minute, string user, string host = "\"h1\"") =>
        Ev.At(minute, $"\"user\":{{\"name\":{user}}},\"host\":{{\"name\":{host}}}");

    private static string[] Terms(JsonElement alert) => alert.GetProperty("kibana.alert.new_terms").EnumerateArray().Select(t => t.GetString()!).ToArray();

    [Fact]
    public void A_term_alerts_the_first_time_and_again_only_after_it_left_the_history_window()
    {
        var rules = new HandRuleSet();
        rules.Add(NewTerms(["user.name"]));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Login(1, "\"alice\""),    // new: execution 5
            Login(2, "\"alice\""),    // same window, not the first occurrence
            Login(7, "\"alice\""),    // seen at 2, within the hour before
            Login(8, "\"bob\""),      // new: execution 10
            Login(70, "\"alice\""),   // last seen at 7, more than 60 minutes before execution 70
        }).Finish();

        Assert.Equal(new long[] { 1, 4, 5 }, run.AlertLines);
        Assert.Equal(new[] { "alice", "bob", "alice" }, run.Alerts.Select(a => Terms(a)[0]));
        Assert.Equal(new[] { Ev.Iso(5), Ev.Iso(10), Ev.Iso(70) }, run.Alerts.Select(a => a.GetProperty("@timestamp").GetString()));
    }

    [Theory]
    [InlineData(62, true)]    // execution 65: history [5, 60) does not hold 0.5
    [InlineData(58, false)]   // execution 60 (the last covering 58): history [0, 55) holds 0.5
    public void Newness_is_judged_against_the_history_window_before_the_execution_window(double again, bool alerts)
    {
        var rules = new HandRuleSet();
        rules.Add(NewTerms(["user.name"]));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Login(0.5, "\"alice\""), Login(again, "\"alice\"") }).Finish();
        Assert.Equal(alerts ? new long[] { 1, 2 } : new long[] { 1 }, run.AlertLines);
    }

    [Fact]
    public void Overlapping_executions_do_not_alert_twice_on_the_same_first_event()
    {
        var rules = new HandRuleSet();
        rules.Add(NewTerms(["user.name"], from: "now-10m"));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Login(1, "\"alice\""), Login(7, "\"alice\""), Login(12, "\"carol\"") }).Finish();
        Assert.Equal(new long[] { 1, 3 }, run.AlertLines);
    }

    [Fact]
    public void Several_fields_alert_on_each_new_combination_and_array_values_give_one_alert_each()
    {
        var rules = new HandRuleSet();
        rules.Add(NewTerms(["host.name", "user.name"]));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Login(1, "[\"a\",\"b\"]"),           // (h1, a) and (h1, b)
            Login(2, "\"a\""),                   // (h1, a) seen
            Login(3, "\"a\"", "\"h2\""),         // (h2, a) new
            Ev.At(4, "\"user\":{\"name\":\"c\"}"), // no host.name: no term
        }).Finish();

        Assert.Equal(new[] { "h1/a", "h1/b", "h2/a" }, run.Alerts.Select(a => string.Join("/", Terms(a))));
        Assert.Equal(3, run.Alerts.Select(a => a.GetProperty("kibana.alert.uuid").GetString()).Distinct().Count());
        Assert.Equal(new long[] { 1, 1, 3 }, run.AlertLines);
    }

    [Fact]
    public void The_term_history_is_bounded_and_evictions_are_counted()
    {
        var rules = new HandRuleSet();
        rules.Add(NewTerms(["user.name"], history: "now-7d"));
        var run = new DetectionRun(rules, NoLateness with { MaxTermsPerRule = 10 });
        for (var i = 0; i < 25; i++) run.Event(Login(1 + i * 0.1, $"\"user{i}\""));
        run.Event(Login(9, "\"user0\""));    // evicted (least recently seen): new again
        run.Event(Login(9.5, "\"user24\"")); // remembered: not new
        run.Finish();

        var stats = run.Engine.StatisticsOf(0);
        Assert.True(stats.Evicted >= 15, $"evicted {stats.Evicted}");
        Assert.Equal(26, run.Alerts.Count);
        Assert.Equal("user0", Terms(run.Alerts[^1])[0]);
        var terms = Assert.Single(run.Engine.StateOf(0), s => s.Kind == "new_terms terms");
        Assert.True(terms.Count <= 10, $"holds {terms.Count} terms");
    }

    [Fact]
    public void A_history_window_not_earlier_than_from_is_rejected_as_kibana_does()
    {
        var rules = new HandRuleSet();
        rules.Add(NewTerms(["user.name"], history: "now-5m", from: "now-10m"));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Login(1, "\"alice\"") }).Finish();
        Assert.Empty(run.Alerts);
        Assert.Contains("not earlier than from", run.Engine.ProblemOf(0));
    }
}

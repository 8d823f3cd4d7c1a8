using System.Text.Json;
using RuleGen.Host.Detection;

namespace RuleGen.Tests.Detection;

/// <summary>
/// Query rules on their schedule, as Kibana's detection engine runs them: executions every interval over
/// <c>[now - look-back, now]</c>, overlapping windows alerting on each event once, max_signals per execution,
/// late events, and the execution recorded on each alert.
/// </summary>
public sealed class ExecutionTests
{
    private static DetectionOptions NoLateness => new() { AllowedLateness = TimeSpan.Zero };

    private static string Timestamp(JsonElement alert) => alert.GetProperty("@timestamp").GetString()!;

    private static string ExecutionId(JsonElement alert) => alert.GetProperty("kibana.alert.rule.execution.uuid").GetString()!;

    [Fact]
    public void Overlapping_look_backs_alert_on_each_event_once_at_the_first_execution_that_covers_it()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Overlap", interval: "5m", from: "now-10m"));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Ev.At(1), Ev.At(4), Ev.At(6), Ev.At(9), Ev.At(12) }).Finish();

        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, run.AlertLines);
        Assert.Equal(new[] { Ev.Iso(5), Ev.Iso(5), Ev.Iso(10), Ev.Iso(10), Ev.Iso(15) }, run.Alerts.Select(Timestamp));
        var executions = run.Alerts.Select(ExecutionId).ToList();
        Assert.Equal(executions[0], executions[1]);
        Assert.NotEqual(executions[1], executions[2]);
        Assert.Equal(3, executions.Distinct().Count());
        Assert.Equal(run.Alerts.Count, run.Alerts.Select(a => a.GetProperty("kibana.alert.uuid").GetString()).Distinct().Count());
        // Executions 5, 10 and 15 ran; execution 20, whose window still holds the event at 12, had nothing left to
        // search (the event was alerted on) and is skipped.
        Assert.Equal(3, run.Engine.StatisticsOf(0).Executions);
    }

    [Fact]
    public void Execution_ids_are_deterministic_from_rule_and_time()
    {
        var first = new Execution("rule-a", 300_000_000_000, 0).Uuid;
        Assert.Equal(first, new Execution("rule-a", 300_000_000_000, 0).Uuid);
        Assert.NotEqual(first, new Execution("rule-b", 300_000_000_000, 0).Uuid);
        Assert.NotEqual(first, new Execution("rule-a", 600_000_000_000, 0).Uuid);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", first);
    }

    [Fact]
    public void Max_signals_caps_an_execution_and_a_later_overlapping_execution_alerts_on_the_rest()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Capped", interval: "5m", from: "now-10m", maxSignals: 3));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Ev.At(1), Ev.At(2), Ev.At(3), Ev.At(4), Ev.At(4.5), Ev.At(30) }).Finish();

        // Execution 5 takes the three earliest; execution 10 (window [0, 10]) still covers the other two.
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, run.AlertLines);
        Assert.Equal(new[] { Ev.Iso(5), Ev.Iso(5), Ev.Iso(5), Ev.Iso(10), Ev.Iso(10), Ev.Iso(30) }, run.Alerts.Select(Timestamp));
        var stats = run.Engine.StatisticsOf(0);
        Assert.Equal(1, stats.ExecutionsAtCap);
        Assert.Equal(2, stats.OverCap);
        Assert.Equal(0, stats.NeverAlerted);
    }

    [Fact]
    public void Events_held_back_by_max_signals_that_no_later_window_covers_are_counted_as_never_alerted()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Capped", interval: "5m", from: "now-5m", maxSignals: 3));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Ev.At(1), Ev.At(2), Ev.At(3), Ev.At(4), Ev.At(4.5) }).Finish();

        Assert.Equal(new long[] { 1, 2, 3 }, run.AlertLines);
        var stats = run.Engine.StatisticsOf(0);
        Assert.Equal(1, stats.ExecutionsAtCap);
        Assert.Equal(2, stats.OverCap);
        Assert.Equal(2, stats.NeverAlerted);
    }

    [Fact]
    public void Events_out_of_order_within_the_allowed_lateness_are_alerted_in_time_order()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Late", interval: "5m", from: "now-5m"));
        var options = new DetectionOptions { AllowedLateness = TimeSpan.FromMinutes(2) };
        // The event at 4 arrives after the one at 6, but before the stream passes 5 + 2 minutes.
        var run = new DetectionRun(rules, options).Events(new[] { Ev.At(1), Ev.At(6), Ev.At(4), Ev.At(12) }).Finish();

        Assert.Equal(new long[] { 1, 3, 2, 4 }, run.AlertLines);
        Assert.Equal(new[] { Ev.Iso(5), Ev.Iso(5), Ev.Iso(10), Ev.Iso(15) }, run.Alerts.Select(Timestamp));
        Assert.Equal(0, run.Engine.StatisticsOf(0).Late);
    }

    [Fact]
    public void A_late_event_is_alerted_by_a_later_execution_whose_look_back_covers_it_and_counted_only_when_none_does()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Late", interval: "5m", from: "now-10m"));
        // Execution 5 runs when the event at 7 arrives; then events at 3 and -1 arrive late.
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Ev.At(1), Ev.At(7), Ev.At(3), Ev.At(-1) }).Finish();

        // 3 is in the window of execution 10 ([0, 10]), which alerts in time order; -1 is in no window of an
        // execution still to come.
        Assert.Equal(new long[] { 1, 3, 2 }, run.AlertLines);
        Assert.Equal(new[] { Ev.Iso(5), Ev.Iso(10), Ev.Iso(10) }, run.Alerts.Select(Timestamp));
        Assert.Equal(1, run.Engine.StatisticsOf(0).Late);
    }

    [Fact]
    public void A_look_back_shorter_than_the_interval_leaves_gaps_no_execution_searches()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Gappy", interval: "10m", from: "now-5m"));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Ev.At(2), Ev.At(7) }).Finish();

        Assert.Equal(new long[] { 2 }, run.AlertLines);
        Assert.Equal(1, run.Engine.StatisticsOf(0).InGap);
    }

    [Fact]
    public void The_rules_time_is_its_timestamp_override_falling_back_to_timestamp()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Ingested", interval: "5m", from: "now-5m", timestampOverride: "event.ingested"));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Ev.At(1, $"\"event\":{{\"ingested\":\"{Ev.Iso(12)}\"}}"),   // ingested at 12: execution 15
            Ev.At(3),                                                  // no event.ingested: @timestamp 3, execution 5
            "{\"event.ingested\":\"" + Ev.Iso(16) + "\"}",             // dotted key, no @timestamp: execution 20
        }).Finish();

        Assert.Equal(new long[] { 2, 1, 3 }, run.AlertLines);
        Assert.Equal(new[] { Ev.Iso(5), Ev.Iso(15), Ev.Iso(20) }, run.Alerts.Select(Timestamp));
    }

    [Fact]
    public void Events_without_a_time_take_the_streams_time()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Timeless", interval: "5m", from: "now-5m"));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { "{\"a\":1}", Ev.At(7), "{\"a\":2}", Ev.At(11) }).Finish();

        // The first timeless event is stamped with the first time the stream shows (7), the second with 7 too.
        Assert.Equal(new long[] { 1, 2, 3, 4 }, run.AlertLines);
        Assert.Equal(new[] { Ev.Iso(10), Ev.Iso(10), Ev.Iso(10), Ev.Iso(15) }, run.Alerts.Select(Timestamp));
        Assert.Equal(2, run.Engine.StatisticsOf(0).NoTimestamp);
    }

    [Fact]
    public void A_stream_without_any_time_runs_at_the_epoch()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Timeless", interval: "5m", from: "now-6m", maxSignals: 2));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { "{\"a\":1}", "{\"a\":2}", "{\"a\":3}" }).Finish();

        // Execution 0 takes two; execution 5m, whose window [-1m, 5m] still covers time 0, takes the third.
        Assert.Equal(new long[] { 1, 2, 3 }, run.AlertLines);
        Assert.Equal(new[] { "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z", "1970-01-01T00:05:00.000Z" }, run.Alerts.Select(Timestamp));
        Assert.Equal(3, run.Engine.StatisticsOf(0).NoTimestamp);
    }

    [Fact]
    public void Alerts_of_several_rules_come_in_execution_time_then_rule_order()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Every ten", interval: "10m", from: "now-10m"));
        rules.Add(HandRuleSet.Info("Every five", interval: "5m", from: "now-5m"));
        var run = new DetectionRun(rules, NoLateness).Events(new[] { Ev.At(1), Ev.At(6), Ev.At(11) }).Finish();

        var order = run.Alerts.Select(a => (a.GetProperty("kibana.alert.rule.name").GetString()!, a.GetProperty("rulegen.input.line").GetInt64(), Timestamp(a))).ToList();
        Assert.Equal(new[]
        {
            ("Every five", 1L, Ev.Iso(5)),
            ("Every ten", 1L, Ev.Iso(10)), ("Every ten", 2L, Ev.Iso(10)),
            ("Every five", 2L, Ev.Iso(10)),
            ("Every five", 3L, Ev.Iso(15)),
            ("Every ten", 3L, Ev.Iso(20)),
        }, order);
    }

    [Fact]
    public void Events_without_matches_allocate_nothing()
    {
        var rules = new HandRuleSet();
        rules.Add(HandRuleSet.Info("Never", timestampOverride: "event.ingested"), _ => false);
        var engine = new DetectionEngine(rules, new CollectingSink(), new DetectionOptions());
        var events = Enumerable.Range(0, 200).Select(i => System.Text.Encoding.UTF8.GetBytes(
            $"{{\"@timestamp\":\"{Ev.Iso(i)}\",\"event\":{{\"kind\":\"event\",\"ingested\":\"{Ev.Iso(i + 0.5)}\"}},\"host\":{{\"name\":\"h{i}\",\"ip\":[\"10.0.0.{i % 250}\"]}},\"message\":\"x\\u0041y\"}}")).ToArray();
        for (var i = 0; i < 20; i++) engine.OnEvent(events[i], new RuleGen.Runtime.EventSource("f", i), ReadOnlySpan<int>.Empty);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 20; i < events.Length; i++) engine.OnEvent(events[i], new RuleGen.Runtime.EventSource("f", i), ReadOnlySpan<int>.Empty);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(Ev.Base.AddMinutes(199.5), DateTime.UnixEpoch.AddTicks(engine.WatermarkOf(engine.Clocks.ClockOf(rules.Rules[0].Info)) / 100));
    }
}

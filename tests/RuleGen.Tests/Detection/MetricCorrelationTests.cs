using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>
/// Sigma 2.1's metric correlations (value_sum, value_avg, value_percentile, value_median) over the matches of the rules
/// they name, from hand-made definitions of the shape the generator emits: what they compute, which windows they judge,
/// and what is not aggregated.
/// </summary>
public sealed class MetricCorrelationTests
{
    private static DetectionOptions NoLateness => new() { AllowedLateness = TimeSpan.Zero };

    private static long Minutes(double m) => (long)(m * 60_000_000_000);

    private static string Transfer(double minute, string host, string bytes) =>
        Ev.At(minute, $"\"kind\":\"transfer\",\"host\":{{\"name\":\"{host}\"}},\"bytes\":{bytes}");

    private static HandRuleSet Transfers(CorrelationType type, double percentile, params CorrelationCriterion[] condition)
    {
        var rules = new HandRuleSet();
        rules.Add(new RuleInfo { Id = "sigma-transfer", Name = "transfer", Format = "sigma", Type = "sigma", Language = "sigma", SourceFile = "rules/t.yml", Severity = "low" },
            e => e.GetProperty("kind").GetString() == "transfer");
        rules.CorrelationList.Add(new CorrelationDefinition(
            new RuleInfo { Id = "corr-metric", Name = "metric", Format = "sigma", Type = "correlation", Language = "sigma", SourceFile = "rules/m.yml", Severity = "high" },
            type, new[] { new CorrelationSource("transfer", 0, -1, new[] { "host.name" }, "bytes") }, new[] { "host.name" }, Minutes(10),
            condition, generate: false) { Percentile = percentile });
        return rules;
    }

    private static List<JsonElement> Correlated(DetectionRun run) =>
        run.Alerts.Where(a => a.TryGetProperty("rulegen.correlation.type", out _)).ToList();

    private static long[] Lines(JsonElement alert) =>
        alert.GetProperty("rulegen.correlation.events").EnumerateArray().Select(e => e.GetProperty("rulegen.input.line").GetInt64()).ToArray();

    [Fact]
    public void Value_sum_with_gte_slides_and_hits_as_soon_as_the_last_timespan_sums_to_the_threshold()
    {
        var rules = Transfers(CorrelationType.ValueSum, 0, new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 1000));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Transfer(1, "h1", "400"), Transfer(2, "h2", "900"), Transfer(3, "h1", "300"),
            Transfer(14, "h1", "350"),                        // 1 and 3 left the 10 minutes: the window sums to 350
            Transfer(15, "h1", "\"650.5\""),                  // a numeric string counts: 1000.5
            Transfer(16, "h1", "5"),                          // after the hit the group starts over: 5, no second hit
        }).Finish();

        var alert = Assert.Single(Correlated(run));
        Assert.Equal("value_sum", alert.GetProperty("rulegen.correlation.type").GetString());
        Assert.Equal("h1", alert.GetProperty("rulegen.correlation.group").GetProperty("host.name").GetString());
        Assert.Equal(1000.5, alert.GetProperty("rulegen.correlation.value").GetDouble());
        Assert.Equal(2, alert.GetProperty("rulegen.correlation.count").GetInt64());
        Assert.Equal(new long[] { 4, 5 }, Lines(alert));
    }

    [Fact]
    public void Value_avg_is_judged_over_the_whole_frame_that_opens_with_the_groups_first_event()
    {
        // gt 100: the first event alone (500) would pass a sliding test; the frame's average (500+10+0)/3 = 170 is
        // judged when the frame ends. The second frame (h1 from minute 20) averages 20: no hit.
        var rules = Transfers(CorrelationType.ValueAverage, 0, new CorrelationCriterion(CorrelationOperator.GreaterThan, 100));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Transfer(1, "h1", "500"), Transfer(2, "h1", "10"), Transfer(9, "h1", "0"), Transfer(20, "h1", "20"), Transfer(40, "h2", "1"),
        }).Finish();

        var alert = Assert.Single(Correlated(run));
        Assert.Equal("value_avg", alert.GetProperty("rulegen.correlation.type").GetString());
        Assert.Equal(170, alert.GetProperty("rulegen.correlation.value").GetDouble(), 9);
        Assert.Equal(3, alert.GetProperty("rulegen.correlation.count").GetInt64());
        Assert.Equal(new long[] { 1, 2, 3 }, Lines(alert));
    }

    [Fact]
    public void Value_percentile_interpolates_between_the_closest_ranks_and_takes_a_range()
    {
        // Values 10, 20, 30, 40, 1000: the 75th percentile is rank 0.75 x 4 = 3 -> 40; the 90th is rank 3.6 -> 40 + 0.6 x 960 = 616.
        var p90 = Transfers(CorrelationType.ValuePercentile, 90,
            new CorrelationCriterion(CorrelationOperator.GreaterThan, 500), new CorrelationCriterion(CorrelationOperator.LessThanOrEqual, 700));
        var events = new[] { Transfer(1, "h1", "30"), Transfer(2, "h1", "10"), Transfer(3, "h1", "1000"), Transfer(4, "h1", "40"), Transfer(5, "h1", "20"), Transfer(30, "h9", "1") };
        var alert = Assert.Single(Correlated(new DetectionRun(p90, NoLateness).Events(events).Finish()));
        Assert.Equal("value_percentile", alert.GetProperty("rulegen.correlation.type").GetString());
        Assert.Equal(616, alert.GetProperty("rulegen.correlation.value").GetDouble(), 9);
        Assert.Equal(90, alert.GetProperty("rulegen.correlation.percentile").GetDouble());

        var p75 = Transfers(CorrelationType.ValuePercentile, 75, new CorrelationCriterion(CorrelationOperator.GreaterThan, 500));
        Assert.Empty(Correlated(new DetectionRun(p75, NoLateness).Events(events).Finish()));
    }

    [Fact]
    public void Value_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones()
    {
        var rules = Transfers(CorrelationType.ValueMedian, 50, new CorrelationCriterion(CorrelationOperator.Equal, 25));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            // h1: 10, 40, 20, 30 -> median 25 (hit); h2: 10, 25, 90 -> 25 (hit); h3: 10, 30, 31 -> 30 (none).
            Transfer(1, "h1", "10"), Transfer(1.5, "h2", "10"), Transfer(2, "h1", "40"), Transfer(2.5, "h2", "25"),
            Transfer(3, "h1", "20"), Transfer(3.5, "h2", "90"), Transfer(4, "h1", "30"),
            Transfer(5, "h3", "10"), Transfer(6, "h3", "30"), Transfer(7, "h3", "31"),
            Transfer(40, "h9", "1"),
        }).Finish();

        var alerts = Correlated(run);
        Assert.Equal(new[] { "h1", "h2" }, alerts.Select(a => a.GetProperty("rulegen.correlation.group").GetProperty("host.name").GetString()).Order());
        Assert.All(alerts, a => Assert.Equal(25, a.GetProperty("rulegen.correlation.value").GetDouble()));
    }

    [Fact]
    public void Events_whose_field_holds_no_number_are_not_aggregated_and_are_counted()
    {
        var rules = Transfers(CorrelationType.ValueSum, 0, new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 100));
        var run = new DetectionRun(rules, NoLateness).Events(new[]
        {
            Transfer(1, "h1", "\"lots\""), Transfer(2, "h1", "null"), Transfer(3, "h1", "60"), Transfer(4, "h1", "50"),
        }).Finish();

        var alert = Assert.Single(Correlated(run));
        Assert.Equal(110, alert.GetProperty("rulegen.correlation.value").GetDouble());
        Assert.Equal(new long[] { 3, 4 }, Lines(alert));
        Assert.Equal(2, run.Engine.Totals.NotNumeric);
    }

    [Fact]
    public void Events_per_group_stay_within_the_bound_for_percentiles()
    {
        var rules = Transfers(CorrelationType.ValueMedian, 50, new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 0));
        var run = new DetectionRun(rules, NoLateness with { MaxCorrelationEventsPerGroup = 50 });
        for (var i = 0; i < 200; i++) run.Event(Transfer(1 + i * 0.01, "h1", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        run.Event(Transfer(60, "h9", "1"));
        run.Finish();
        var alert = Correlated(run).Single(a => a.GetProperty("rulegen.correlation.group").GetProperty("host.name").GetString() == "h1");
        // The latest 50 values (150..199, and the bound may keep one more while appending) are the median's input.
        Assert.InRange(alert.GetProperty("rulegen.correlation.count").GetInt64(), 50, 51);
        Assert.InRange(alert.GetProperty("rulegen.correlation.value").GetDouble(), 174, 175);
    }

    [Theory]
    [InlineData(new double[] { 7 }, 50, 7)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 50, 2.5)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0, 1)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 100, 4)]
    [InlineData(new double[] { 15, 20, 35, 40, 50 }, 40, 29)]
    public void Percentile_of_sorted_values_is_linear_between_closest_ranks(double[] sorted, double percentile, double expected) =>
        Assert.Equal(expected, CorrelationMetrics.PercentileOfSorted(sorted, percentile), 9);
}

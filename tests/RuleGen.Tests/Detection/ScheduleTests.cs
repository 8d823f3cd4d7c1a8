using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>How a rule's interval, from and max_signals become its executions (Kibana's defaults where unset).</summary>
public sealed class ScheduleTests
{
    private static RuleInfo Info(string? interval, string? from, int? maxSignals) =>
        HandRuleSet.Info("r", interval: interval, from: from, maxSignals: maxSignals);

    [Fact]
    public void Unset_settings_take_kibanas_defaults_5m_now_6m_and_100()
    {
        var schedule = RuleSchedule.Of(Info(null, null, null));
        Assert.Equal(TimeSpan.FromMinutes(5).Ticks * 100, schedule.IntervalNanos);
        Assert.Equal(TimeSpan.FromMinutes(6).Ticks * 100, schedule.LookbackNanos);
        Assert.Equal(100, schedule.MaxSignals);
        Assert.Null(schedule.Problem);
    }

    [Theory]
    [InlineData("5m", "now-25m", 300, 1500)]
    [InlineData("1h", "now-119m", 3600, 7140)]
    [InlineData("30s", "now-2h", 30, 7200)]
    [InlineData("1d", "now-2d", 86400, 172800)]
    public void Interval_and_from_are_read_as_durations(string interval, string from, long intervalSeconds, long lookbackSeconds)
    {
        var schedule = RuleSchedule.Of(Info(interval, from, 7));
        Assert.Equal(intervalSeconds * 1_000_000_000, schedule.IntervalNanos);
        Assert.Equal(lookbackSeconds * 1_000_000_000, schedule.LookbackNanos);
        Assert.Equal(7, schedule.MaxSignals);
    }

    [Fact]
    public void Unreadable_settings_fall_back_to_the_defaults_and_say_so()
    {
        var schedule = RuleSchedule.Of(Info("soon", "yesterday", 0));
        Assert.Equal(RuleSchedule.Default.IntervalNanos, schedule.IntervalNanos);
        Assert.Equal(RuleSchedule.Default.LookbackNanos, schedule.LookbackNanos);
        Assert.Equal(100, schedule.MaxSignals);
        Assert.Contains("interval 'soon'", schedule.Problem);
        Assert.Contains("from 'yesterday'", schedule.Problem);
        Assert.Contains("max_signals 0", schedule.Problem);
    }

    [Fact]
    public void Executions_are_whole_multiples_of_the_interval_since_the_epoch()
    {
        var schedule = RuleSchedule.Of(Info("5m", "now-10m", null));
        var minute = 60_000_000_000L;
        Assert.Equal(10 * minute, schedule.TickAtOrAfter(6 * minute));
        Assert.Equal(10 * minute, schedule.TickAtOrAfter(10 * minute));
        Assert.Equal(0, schedule.TickAtOrAfter(-1));
        Assert.Equal(-5 * minute, schedule.TickAtOrAfter(-6 * minute));
        // The last execution whose window [T - 10m, T] still holds an event at 6m is at 15m.
        Assert.Equal(15 * minute, schedule.LastTickCovering(6 * minute));
    }
}

using System.Text;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>Event times from lists of time fields (Sigma profiles) and from Kibana's timestamp_override.</summary>
public sealed class EventClockTests
{
    private static readonly string[] Flat = { "@timestamp", "Event.System.TimeCreated.#attributes.SystemTime", "TimeCreated_SystemTime", "UtcTime" };

    private static long Read(EventClocks clocks, int clock, string json)
    {
        Span<long> times = stackalloc long[clocks.Count];
        clocks.Read(Encoding.UTF8.GetBytes(json), times);
        return times[clock];
    }

    private static long Nanos(string iso) => (DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture).UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    [Theory]
    [InlineData("""{"Event":{"System":{"TimeCreated":{"#attributes":{"SystemTime":"2017-08-30T19:13:38.198483Z"}}}}}""", 198_483_000)]
    [InlineData("""{"TimeCreated_SystemTime":"2017-08-30 19:13:38.198483"}""", 198_483_000)]
    [InlineData("""{"UtcTime":"2017-08-30 19:13:38.919"}""", 919_000_000)]
    [InlineData("""{"@timestamp":"2017-08-30T19:13:38.5Z","UtcTime":"2001-01-01 00:00:00.000"}""", 500_000_000)]
    public void Windows_event_times_are_read_as_utc_in_the_shapes_exporters_write(string json, long fractionNanos)
    {
        var clocks = new EventClocks(new IReadOnlyList<string>[] { Flat });
        var clock = clocks.ClockOf(Flat, "test");
        var t = Read(clocks, clock, json);
        var whole = Nanos("2017-08-30T19:13:38Z");
        // The evtx_dump and python-evtx forms keep microseconds; an ISO @timestamp reads as Elasticsearch reads it.
        Assert.True(Math.Abs(t - (whole + fractionNanos)) < 1_000_000, $"{t} vs {whole + fractionNanos}");
    }

    [Fact]
    public void The_first_field_of_the_list_that_holds_a_date_counts_and_there_is_no_other_fallback()
    {
        var own = new[] { "ts", "UtcTime" };
        var clocks = new EventClocks(new IReadOnlyList<string>[] { own, Flat });
        var clock = clocks.ClockOf(own, "test");
        Assert.Equal(Nanos("2020-01-01T00:00:00Z"), Read(clocks, clock, """{"ts":"not a date","UtcTime":"2020-01-01 00:00:00.000","@timestamp":"2021-01-01T00:00:00Z"}"""));
        // @timestamp is not in this list: an event with only it has no time on this clock (but has on clock 0).
        Assert.Equal(EventTime.Missing, Read(clocks, clock, """{"@timestamp":"2021-01-01T00:00:00Z"}"""));
        Assert.Equal(Nanos("2021-01-01T00:00:00Z"), Read(clocks, 0, """{"@timestamp":"2021-01-01T00:00:00Z"}"""));
        Assert.Equal("ts|UtcTime", clocks.Names[clock]);
    }

    [Fact]
    public void A_single_field_and_kibanas_pair_of_that_field_are_different_clocks()
    {
        var only = new[] { "event.ingested" };
        var clocks = new EventClocks(new IReadOnlyList<string>[] { only, RuleRunSettings.DefaultTimeFields("event.ingested") });
        var alone = clocks.ClockOf(only, "test");
        var pair = clocks.ClockOf("event.ingested", "test");
        Assert.NotEqual(alone, pair);
        Assert.Equal("event.ingested", clocks.Names[pair]);
        const string withoutIt = """{"@timestamp":"2021-01-01T00:00:00Z"}""";
        Assert.Equal(EventTime.Missing, Read(clocks, alone, withoutIt));
        Assert.Equal(Nanos("2021-01-01T00:00:00Z"), Read(clocks, pair, withoutIt));
    }

    [Fact]
    public void Kibanas_timestamp_override_is_a_clock_of_the_field_then_timestamp_named_as_before()
    {
        var clocks = new EventClocks(new[] { "event.ingested", null });
        Assert.Equal(new[] { "@timestamp", "event.ingested" }, clocks.Names);
        var clock = clocks.ClockOf("event.ingested", "test");
        Assert.Equal(clock, clocks.ClockOf(RuleRunSettings.DefaultTimeFields("event.ingested"), "test"));
        Assert.Equal(Nanos("2021-01-01T00:00:00Z"), Read(clocks, clock, """{"@timestamp":"2021-01-01T00:00:00Z"}"""));
        Assert.Equal(Nanos("2022-01-01T00:00:00Z"), Read(clocks, clock, """{"@timestamp":"2021-01-01T00:00:00Z","event":{"ingested":"2022-01-01T00:00:00Z"}}"""));
    }
}

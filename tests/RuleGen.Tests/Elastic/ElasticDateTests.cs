using System.Text;
using RuleGen.Runtime;

namespace RuleGen.Tests.Elastic;

/// <summary>Dates as Elasticsearch's default date format and date math read them (mapping-date-format.html, common-options.html#date-math).</summary>
public sealed class ElasticDateTests
{
    private static long Millis(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    [Theory]
    [InlineData("2024-02-29T10:11:12.345Z", "2024-02-29T10:11:12.345Z")]
    [InlineData("2024-02-29T10:11:12+02:00", "2024-02-29T08:11:12Z")]
    [InlineData("2024-02-29", "2024-02-29T00:00:00Z")]
    [InlineData("2024-02", "2024-02-01T00:00:00Z")]
    [InlineData("1709201472345", "2024-02-29T10:11:12.345Z")]
    public void Parses_strict_date_optional_time_and_epoch_millis(string text, string expected)
    {
        Assert.True(ElasticDate.TryParse(Encoding.UTF8.GetBytes(text), roundUp: false, out var millis));
        Assert.Equal(Millis(expected), millis);
    }

    [Theory]
    [InlineData("2024-02-29", "2024-02-29T23:59:59.999Z")]
    [InlineData("2024-02", "2024-02-29T23:59:59.999Z")]
    [InlineData("2024-02-29T10:11", "2024-02-29T10:11:59.999Z")]
    public void Rounding_up_fills_the_missing_fields_with_their_largest_value(string text, string expected)
    {
        Assert.True(ElasticDate.TryParse(Encoding.UTF8.GetBytes(text), roundUp: true, out var millis));
        Assert.Equal(Millis(expected), millis);
    }

    [Theory]
    [InlineData("2024-13-01")]
    [InlineData("2024-02-30")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void Rejects_what_is_not_a_date(string text) =>
        Assert.False(ElasticDate.TryParse(Encoding.UTF8.GetBytes(text), roundUp: false, out _));

    [Fact]
    public void Applies_date_math_in_utc_calendar_units()
    {
        var now = Millis("2024-03-31T15:30:00Z");
        var steps = new[]
        {
            new DateMathStep(DateMathOperation.Add, -1, DateUnit.Month),
            new DateMathStep(DateMathOperation.RoundDown, 0, DateUnit.Day),
        };
        Assert.Equal(Millis("2024-02-29T00:00:00Z"), ElasticDate.Apply(now, steps));
        Assert.Equal(Millis("2024-03-31T23:59:59.999Z"), ElasticDate.Apply(now, new[] { new DateMathStep(DateMathOperation.RoundUp, 0, DateUnit.Day) }));
        // ISO weeks start on Monday: 2024-03-31 is a Sunday.
        Assert.Equal(Millis("2024-03-25T00:00:00Z"), ElasticDate.Apply(now, new[] { new DateMathStep(DateMathOperation.RoundDown, 0, DateUnit.Week) }));
    }
}

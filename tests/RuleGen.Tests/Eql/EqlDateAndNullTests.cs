using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Elastic;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Eql;

/// <summary>The date and null rules of <see cref="EqlDateAndNullTests"/>, compiled once.</summary>
public sealed class DateAndNullFixture : IDisposable
{
    public DateAndNullFixture() => Book = new EqlRuleBook(new (string, string)[]
    {
        ("ts_equal", "process where @timestamp == \"2017-08-30T20:47:33Z\""),
        ("ts_day", "process where @timestamp == \"2017-08-30\""),
        ("ts_not_equal", "process where @timestamp != \"2017-08-30T20:47:33Z\""),
        ("ts_before", "process where @timestamp < \"2017-08-30T20:47:32Z\""),
        ("ts_at_or_after", "process where \"2017-08-30T20:47:32Z\" <= @timestamp"),
        ("ts_in", "process where @timestamp in (\"2017-08-30T20:47:33Z\", \"2020-01-01T00:00:00Z\")"),
        ("null_eq_cmp", "process where null == (process.exit_code > -1)"),
        ("null_ne_cmp", "process where null != (process.exit_code > -1)"),
        ("cmp_eq_null", "process where (-1 < process.exit_code) == null"),
        ("field_eq_null", "process where process.exit_code == null"),
        ("field_ne_null", "process where process.exit_code != null"),
        ("field_colon_null", "process where process.exit_code : null"),
    });

    public EqlRuleBook Book { get; }

    public void Dispose() => Book.Dispose();
}

/// <summary>
/// Date fields compare as dates (Elasticsearch parses the constant of a term or range test on a date field as a
/// date, as KQL does), and null comparisons decide as Elasticsearch's EQL QA queries say: <c>null == (a > -1)</c>
/// holds when <c>a</c> has no value (<c>a > -1</c> is then null), <c>x == null</c> when <c>x</c> has no value.
/// </summary>
public sealed class EqlDateAndNullTests : IClassFixture<DateAndNullFixture>
{
    private const string At33 = "{\"event\":{\"category\":\"process\"},\"@timestamp\":\"2017-08-30T20:47:33Z\"}";
    private const string At33Millis = "{\"event\":{\"category\":\"process\"},\"@timestamp\":\"2017-08-30T20:47:33.000Z\"}";
    private const string At31 = "{\"event\":{\"category\":\"process\"},\"@timestamp\":\"2017-08-30T20:47:31.999Z\"}";
    private const string At32 = "{\"event\":{\"category\":\"process\"},\"@timestamp\":\"2017-08-30T20:47:32Z\"}";
    private const string NextDay = "{\"event\":{\"category\":\"process\"},\"@timestamp\":\"2017-08-31T00:00:00Z\"}";
    private const string EpochMillis33 = "{\"event\":{\"category\":\"process\"},\"@timestamp\":1504126053000}";

    private readonly EqlRuleBook _book;

    public EqlDateAndNullTests(DateAndNullFixture fixture) => _book = fixture.Book;

    [Theory]
    [InlineData("ts_equal", At33, true)]
    [InlineData("ts_equal", At33Millis, true)]
    [InlineData("ts_equal", EpochMillis33, true)]
    [InlineData("ts_equal", At32, false)]
    [InlineData("ts_day", At33, true)]
    [InlineData("ts_day", NextDay, false)]
    [InlineData("ts_not_equal", At33Millis, false)]
    [InlineData("ts_not_equal", At32, true)]
    [InlineData("ts_before", At31, true)]
    [InlineData("ts_before", At32, false)]
    [InlineData("ts_before", At33, false)]
    [InlineData("ts_at_or_after", At32, true)]
    [InlineData("ts_at_or_after", At31, false)]
    [InlineData("ts_in", At33Millis, true)]
    [InlineData("ts_in", At32, false)]
    public void Date_fields_compare_as_dates(string rule, string json, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, json));

    [Fact]
    public void A_date_constant_elasticsearch_would_not_parse_is_a_located_error()
    {
        const string query = "process where @timestamp < \"yesterday\"";
        var model = ElasticRuleParser.Parse("rules/test.toml", GeneratorHarness.ElasticRule(query, type: "eql", language: "eql"));
        Assert.False(model.IsCompiled);
        var d = Assert.Single(model.Diagnostics, x => x.IsError);
        Assert.Equal("RG0303", d.Id);
        Assert.Equal((14, query.IndexOf("@timestamp", StringComparison.Ordinal)), (d.Location.StartLine, d.Location.StartColumn));
        Assert.Contains("date field", d.Message);
    }

    private const string NoExitCode = "{\"event\":{\"category\":\"process\"}}";
    private const string NullExitCode = "{\"event\":{\"category\":\"process\"},\"process\":{\"exit_code\":null}}";
    private const string EmptyExitCode = "{\"event\":{\"category\":\"process\"},\"process\":{\"exit_code\":[]}}";
    private const string ZeroExitCode = "{\"event\":{\"category\":\"process\"},\"process\":{\"exit_code\":0}}";
    private const string MinusFiveExitCode = "{\"event\":{\"category\":\"process\"},\"process\":{\"exit_code\":-5}}";

    [Theory]
    [InlineData("null_eq_cmp", NoExitCode, true)]
    [InlineData("null_eq_cmp", NullExitCode, true)]
    [InlineData("null_eq_cmp", EmptyExitCode, true)]
    [InlineData("null_eq_cmp", ZeroExitCode, false)]
    // -5 > -1 is false, not null.
    [InlineData("null_eq_cmp", MinusFiveExitCode, false)]
    [InlineData("null_ne_cmp", NoExitCode, false)]
    [InlineData("null_ne_cmp", ZeroExitCode, true)]
    [InlineData("null_ne_cmp", MinusFiveExitCode, true)]
    [InlineData("cmp_eq_null", NoExitCode, true)]
    [InlineData("cmp_eq_null", ZeroExitCode, false)]
    [InlineData("field_eq_null", NoExitCode, true)]
    [InlineData("field_eq_null", NullExitCode, true)]
    [InlineData("field_eq_null", EmptyExitCode, true)]
    [InlineData("field_eq_null", ZeroExitCode, false)]
    [InlineData("field_ne_null", NoExitCode, false)]
    [InlineData("field_ne_null", NullExitCode, false)]
    [InlineData("field_ne_null", ZeroExitCode, true)]
    [InlineData("field_colon_null", NoExitCode, true)]
    [InlineData("field_colon_null", ZeroExitCode, false)]
    public void Null_comparisons_decide_as_elasticsearch_does(string rule, string json, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, json));

    [Fact]
    public void Generated_code_of_date_and_null_tests_compiles_without_warnings() =>
        Assert.Empty(_book.Run.CompileDiagnostics);
}

namespace RuleGen.Tests.Elastic;

/// <summary>
/// A rule's Kibana filters are ANDed with its query (Kibana's buildEsQuery puts enabled filters in bool.filter, negated
/// ones in bool.must_not). The query DSL they hold is Elasticsearch's, on the fields' types.
/// </summary>
public sealed class KibanaFilterTests
{
    private const string Query = "event.category:process";

    // The shape Elastic's rules use: wildcard with case_insensitive, where '?' is one character and "\\" (a TOML
    // escaped backslash pair) is one escaped, literal backslash (query-dsl-wildcard-query.html).
    private const string NegatedWildcards = """
        [[rule.filters]]
        [rule.filters.meta]
        negate = true
        [rule.filters.query.wildcard."file.path"]
        case_insensitive = true
        value = "?:\\\\Program?Files\\\\*.ps?1"
        """;

    [Theory]
    [InlineData("""{"event":{"category":"process"},"file":{"path":"D:\\tools\\x.ps1"}}""", true)]
    // "*.ps?1" needs one character between "ps" and "1" (.psm1, .psd1): a .ps1 file is not excluded.
    [InlineData("""{"event":{"category":"process"},"file":{"path":"C:\\Program Files\\x.ps1"}}""", true)]
    [InlineData("""{"event":{"category":"process"},"file":{"path":"C:\\Program Files\\x.psd1"}}""", false)]
    [InlineData("""{"event":{"category":"process"},"file":{"path":"c:\\PROGRAM FILES\\sub\\x.PSM1"}}""", false)]
    [InlineData("""{"event":{"category":"process"},"file":{"path":"C:\\Program Files\\x.ps11"}}""", false)]
    [InlineData("""{"event":{"category":"process"},"file":{"path":"C:\\Program Files\\x.ps1x"}}""", true)]
    [InlineData("""{"event":{"category":"process"},"file":{"path":"CC:\\Program Files\\x.ps1"}}""", true)]
    [InlineData("""{"event":{"category":"process"}}""", true)]
    [InlineData("""{"event":{"category":"network"},"file":{"path":"D:\\tools\\x.ps1"}}""", false)]
    public void Negated_case_insensitive_wildcard_filters_exclude_what_they_match(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk(Query, NegatedWildcards);
        Assert.Equal(expected, run.Matches(json));
    }

    [Theory]
    [InlineData("""{"event":{"category":"process"},"rapid7":{"tc":{"vulnerability":{"id":"x"}}}}""", false)]
    [InlineData("""{"event":{"category":"process"},"rapid7":{"tc":{"vulnerability":{"id":null}}}}""", true)]
    [InlineData("""{"event":{"category":"process"}}""", true)]
    public void Exists_filters_test_for_a_non_null_value(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk(Query, """
            [[rule.filters]]
            "$state" = { store = "appState" }
            [rule.filters.meta]
            disabled = false
            key = "rapid7.tc.vulnerability.id"
            negate = true
            type = "exists"
            [rule.filters.query.exists]
            field = "rapid7.tc.vulnerability.id"
            """);
        Assert.Equal(expected, run.Matches(json));
    }

    [Fact]
    public void Disabled_filters_are_ignored()
    {
        using var run = ElasticRuleFixture.CompileOk(Query, """
            [[rule.filters]]
            [rule.filters.meta]
            disabled = true
            [rule.filters.query.match_phrase]
            "host.name" = "nope"
            """);
        Assert.True(run.Matches("""{"event":{"category":"process"},"host":{"name":"web"}}"""));
    }

    // match_phrase follows the field's type: exact on keyword (host.name), a token phrase on text (message).
    [Theory]
    [InlineData("""{"event":{"category":"process"},"host":{"name":"web-1"},"message":"User LOGGED in"}""", true)]
    [InlineData("""{"event":{"category":"process"},"host":{"name":"WEB-1"},"message":"user logged in"}""", false)]
    [InlineData("""{"event":{"category":"process"},"host":{"name":"web-1"},"message":"logged user in"}""", false)]
    public void Match_phrase_filters_follow_the_field_type(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk(Query, """
            [[rule.filters]]
            [rule.filters.query.match_phrase]
            "host.name" = "web-1"
            [[rule.filters]]
            [rule.filters.query.match_phrase.message]
            query = "user logged"
            """);
        Assert.Equal(expected, run.Matches(json));
    }

    // bool: must/filter are ANDed, must_not negated, should needs one match when nothing else is required
    // (query-dsl-bool-query.html, minimum_should_match).
    [Theory]
    [InlineData("""{"event":{"category":"process"},"user":{"name":"a"},"host":{"name":"h"}}""", true)]
    [InlineData("""{"event":{"category":"process"},"user":{"name":"b"},"host":{"name":"h"}}""", true)]
    [InlineData("""{"event":{"category":"process"},"user":{"name":"c"},"host":{"name":"h"}}""", false)]
    [InlineData("""{"event":{"category":"process"},"user":{"name":"a"},"host":{"name":"h"},"process":{"name":"x"}}""", false)]
    public void Bool_filters_combine_their_clauses(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk(Query, """
            [[rule.filters]]
            [rule.filters.query.bool]
            should = [ { term = { "user.name" = "a" } }, { term = { "user.name" = "b" } } ]
            must_not = [ { exists = { field = "process.name" } } ]
            """);
        Assert.Equal(expected, run.Matches(json));
    }

    [Fact]
    public void Unsupported_filter_queries_are_errors()
    {
        using var run = ElasticRuleFixture.Compile(Query, """
            [[rule.filters]]
            [rule.filters.query.regexp]
            "host.name" = "w.*"
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0104");
        Assert.Contains("regexp", error.GetMessage());
        Assert.Empty(run.RuleSet().Rules);
    }
}

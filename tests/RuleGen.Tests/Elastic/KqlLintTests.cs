namespace RuleGen.Tests.Elastic;

/// <summary>The KQL lints: warnings only where the rule certainly does not do what its author meant.</summary>
public sealed class KqlLintTests
{
    [Theory]
    [InlineData("dns.question.name:?.example.com", true)]
    [InlineData("process.name:cmd??.exe", true)]
    [InlineData("""process.name:"cmd?.exe" """, false)]
    [InlineData("url.original:/api/v1/secrets?limit*", false)]
    public void Unquoted_question_marks_warn(string query, bool warns)
    {
        using var run = ElasticRuleFixture.CompileOk(query);
        Assert.Equal(warns, run.GeneratorDiagnostics.Any(d => d.Id == "RG0014"));
    }

    [Fact]
    public void A_question_mark_is_literal_in_kql()
    {
        using var run = ElasticRuleFixture.CompileOk("process.name:cmd?.exe");
        Assert.True(run.Matches("""{"process":{"name":"cmd?.exe"}}"""));
        Assert.False(run.Matches("""{"process":{"name":"cmd1.exe"}}"""));
    }

    [Theory]
    [InlineData("destination.port > 10 and destination.port < 5", true)]
    [InlineData("destination.port >= 10 and destination.port <= 10", false)]
    [InlineData("destination.port > 10 and destination.port <= 10", true)]
    [InlineData("destination.port > 10 or destination.port < 5", false)]
    [InlineData("destination.port >= 5 and destination.port <= 10", false)]
    public void Ranges_that_no_single_value_satisfies_warn(string query, bool warns)
    {
        using var run = ElasticRuleFixture.CompileOk(query);
        Assert.Equal(warns, run.GeneratorDiagnostics.Any(d => d.Id == "RG0015"));
    }

    [Fact]
    public void Quoted_stars_and_duplicate_values_still_warn()
    {
        using var run = ElasticRuleFixture.CompileOk("""process.name:("a*b" or x or x)""");
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "RG0007");
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "RG0013");
    }
}

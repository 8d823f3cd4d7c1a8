using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Elastic;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Eql;

/// <summary>
/// Problems in EQL queries are RG03xx diagnostics located at the offending token inside the query, at its line and
/// column in the TOML file, with a message that says what to change; the rule is then not compiled.
/// </summary>
public sealed class EqlDiagnosticsTests
{
    /// <summary>The query starts on line 15 (0-based 14) of <see cref="GeneratorHarness.ElasticRule"/>'s file.</summary>
    private const int QueryLine = 14;

    private static RuleModel Parse(string query) =>
        ElasticRuleParser.Parse("rules/test.toml", GeneratorHarness.ElasticRule(query, type: "eql", language: "eql"));

    private static DiagnosticInfo SingleError(string query)
    {
        var model = Parse(query);
        Assert.False(model.IsCompiled);
        return Assert.Single(model.Diagnostics, d => d.IsError);
    }

    /// <summary>Asserts the diagnostic starts at <paramref name="token"/> in <paramref name="query"/> (its first occurrence).</summary>
    private static void AssertAt(DiagnosticInfo diagnostic, string query, string token)
    {
        var index = query.IndexOf(token, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{token}' is not in the query");
        var line = query.Substring(0, index).Count(c => c == '\n');
        var column = index - (query.LastIndexOf('\n', Math.Max(0, index - 1)) + 1);
        Assert.Equal((QueryLine + line, column), (diagnostic.Location.StartLine, diagnostic.Location.StartColumn));
    }

    [Fact]
    public void A_valid_query_compiles_without_diagnostics()
    {
        var model = Parse("process where process.name : \"cmd.exe\"");
        Assert.True(model.IsCompiled);
        Assert.Empty(model.Diagnostics);
    }

    [Fact]
    public void A_syntax_error_points_at_the_token_on_its_line()
    {
        const string query = "process where process.name == \"a\" and\n  process.pid == == 4";
        var d = SingleError(query);
        Assert.Equal("RG0300", d.Id);
        AssertAt(d, query, "== 4");
        Assert.Contains("expected a value", d.Message);
    }

    [Fact]
    public void An_unclosed_string_is_reported_at_its_quote()
    {
        const string query = "process where process.name == \"cmd.exe";
        var d = SingleError(query);
        Assert.Equal("RG0300", d.Id);
        AssertAt(d, query, "\"cmd");
        Assert.Contains("not closed", d.Message);
    }

    [Theory]
    [InlineData("process where process.name = \"a\"", "= \"a\"", "use '=='")]
    [InlineData("process where process.name == 'a'", "'a'", "double quotes")]
    [InlineData("process where process.name == \"a\\d\"", "\\d", "not an EQL escape")]
    [InlineData("process where process.name == \"\\u{zz}\"", "\\u{zz}", "Unicode escape")]
    [InlineData("process where a < b <= c", "<= c", "cannot be chained")]
    [InlineData("process where process.name : process.title", "process.title", "must be constants")]
    [InlineData("join [process where true] [file where true]", "join", "not supported")]
    [InlineData("sequence with maxspan=5x [process where true] [file where true]", "5x", "not a time unit")]
    [InlineData("process where process.args[0] == \"a\"", "[0]", "array indexes")]
    public void Syntax_errors_say_what_to_write(string query, string token, string hint)
    {
        var d = SingleError(query);
        Assert.Equal("RG0300", d.Id);
        AssertAt(d, query, token);
        Assert.Contains(hint, d.Message);
    }

    [Fact]
    public void An_unknown_function_is_reported_at_its_name_with_the_known_ones()
    {
        const string query = "process where wildcard(process.name, \"a*\")";
        var d = SingleError(query);
        Assert.Equal("RG0301", d.Id);
        AssertAt(d, query, "wildcard");
        Assert.Contains("startsWith", d.Message);
    }

    [Theory]
    [InlineData("process where length(process.name, 2) > 1", "length(", "'length' takes 1 argument, not 2 arguments")]
    [InlineData("process where startsWith(process.name) ", "startsWith(", "'startsWith' takes 2 arguments, not 1 argument")]
    [InlineData("process where substring(process.name) == \"a\"", "substring(", "takes 2 to 3 arguments")]
    [InlineData("process where cidrMatch(source.ip)", "cidrMatch(", "at least 2 arguments")]
    public void Wrong_argument_counts_are_reported(string query, string token, string message)
    {
        var d = SingleError(query);
        Assert.Equal("RG0302", d.Id);
        AssertAt(d, query, token);
        Assert.Contains(message, d.Message);
    }

    [Theory]
    [InlineData("process where length(process.pid) > 1", "process.pid", "must be a string")]
    [InlineData("process where add(process.name, 1) > 1", "process.name", "must be a number")]
    [InlineData("process where startsWith(source.ip, \"10.\")", "source.ip", "string(source.ip)")]
    [InlineData("process where substring(process.name, \"1\") == \"a\"", "\"1\"", "must be an integer")]
    [InlineData("process where between(process.name, \"a\", \"b\", process.title) == \"a\"", "process.title", "constant true or false")]
    [InlineData("process where cidrMatch(source.ip, \"10.0.0.0/33\")", "\"10.0.0.0/33\"", "not a CIDR block")]
    [InlineData("process where length~(process.name) > 1", "length~", "no case-insensitive form")]
    [InlineData("process where length(process.name)", "length(", "not true or false")]
    [InlineData("network where destination.port == \"http\"", "destination.port", "compare it with a number")]
    [InlineData("network where source.ip == \"not-an-ip\"", "source.ip", "IP address or CIDR")]
    [InlineData("network where destination.port : \"8*\"", ":", "compares strings")]
    [InlineData("process where process.name", "process.name", "not a boolean field")]
    [InlineData("process where length(process.name) == \"a\"", "length(", "cannot compare an integer")]
    public void Wrong_argument_types_are_reported(string query, string token, string message)
    {
        var d = SingleError(query);
        Assert.Equal("RG0303", d.Id);
        AssertAt(d, query, token);
        Assert.Contains(message, d.Message);
    }

    [Theory]
    [InlineData("process where true | head 5", "| head", "head")]
    [InlineData("process where true | unique process.name", "| unique", "unique")]
    public void Pipes_are_reported_as_unsupported(string query, string token, string pipe)
    {
        var d = SingleError(query);
        Assert.Equal("RG0304", d.Id);
        AssertAt(d, query, token);
        Assert.Contains($"'| {pipe}'", d.Message);
    }

    [Theory]
    [InlineData("process where process.name == process.title", "process.name ==", "cannot compare a field with another field")]
    [InlineData("process where message : \"*error*\"", "message", "text field")]
    [InlineData("sequence [process where true] by length(process.name) [file where true] by file.name", "length(", "join keys must be fields")]
    public void Unsupported_constructs_are_reported(string query, string token, string message)
    {
        var d = SingleError(query);
        Assert.Equal("RG0305", d.Id);
        AssertAt(d, query, token);
        Assert.Contains(message, d.Message);
    }

    [Theory]
    [InlineData("sequence [process where true] ![file where true]", "![", "needs 'with maxspan")]
    [InlineData("sequence with maxspan=1m [process where true] with runs=101", "101", "between 1 and 100")]
    [InlineData("sequence [process where true] by a [file where true] by b, c", "[file", "same number of join keys")]
    [InlineData("sequence [process where true]", "[process", "at least two steps")]
    [InlineData("sequence with maxspan=1m ![process where true] ![file where true]", "![process", "not a missing-event step")]
    public void Invalid_sequences_are_reported(string query, string token, string message)
    {
        var d = SingleError(query);
        Assert.Equal("RG0306", d.Id);
        AssertAt(d, query, token);
        Assert.Contains(message, d.Message);
    }

    [Fact]
    public void A_regular_expression_without_a_dotnet_equivalent_is_reported()
    {
        const string query = "process where process.name regex \"a&b\"";
        var d = SingleError(query);
        Assert.Equal("RG0307", d.Id);
        AssertAt(d, query, "\"a&b\"");
        Assert.Contains("intersection", d.Message);
    }

    [Fact]
    public void Errors_in_a_multi_line_toml_string_point_at_the_right_line_and_column()
    {
        const string query = "sequence by host.id with maxspan=1m\n  [process where process.name == \"a\"]\n  [file where nosuch(file.name)]";
        var d = SingleError(query);
        Assert.Equal("RG0301", d.Id);
        Assert.Equal(QueryLine + 2, d.Location.StartLine);
        Assert.Equal(14, d.Location.StartColumn);
        Assert.Equal("rules/test.toml", d.Location.Path);
    }

    [Fact]
    public void An_eql_rule_must_say_language_eql()
    {
        var model = ElasticRuleParser.Parse("rules/test.toml", GeneratorHarness.ElasticRule("process where true", type: "eql", language: "kuery"));
        var d = Assert.Single(model.Diagnostics, x => x.IsError);
        Assert.Equal("RG0008", d.Id);
        Assert.Contains("language = \"eql\"", d.Message);
    }

    [Fact]
    public void An_unreadable_look_back_is_reported_at_the_from_key()
    {
        var text = GeneratorHarness.ElasticRule("sequence [process where true] [file where true]", type: "eql", language: "eql") + "\nfrom = \"yesterday\"\n";
        var model = ElasticRuleParser.Parse("rules/test.toml", text);
        var d = Assert.Single(model.Diagnostics, x => x.IsError);
        Assert.Equal("RG0012", d.Id);
        Assert.Equal(16, d.Location.StartLine); // the line after the query's closing quotes
        Assert.Contains("now-9m", d.Message);
    }

    [Fact]
    public void The_look_back_bounds_a_sequence_without_maxspan()
    {
        var text = GeneratorHarness.ElasticRule("sequence [process where true] [file where true]", type: "eql", language: "eql") + "\nfrom = \"now-9m\"\n";
        var model = ElasticRuleParser.Parse("rules/test.toml", text);
        Assert.Equal(9L * 60 * 1_000_000_000, model.Sequence!.WindowNanos);
        Assert.Equal(0, model.Sequence.MaxSpanNanos);
    }

    [Fact]
    public void A_rule_with_an_eql_error_does_not_stop_other_rules()
    {
        using var run = GeneratorHarness.Run(
            ("/rules/bad.toml", GeneratorHarness.ElasticRule("process where nosuch()", "Bad", "00000000-0000-4000-8000-000000000001", "eql", "eql")),
            ("/rules/good.toml", GeneratorHarness.ElasticRule("process where process.name == \"a\"", "Good", "00000000-0000-4000-8000-000000000002", "eql", "eql")));
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "RG0301");
        Assert.Equal("Good", run.SingleRule().Info.Name);
        Assert.True(run.Matches("{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"a\"}}"));
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using RuleGen.Generator.Diagnostics;
using RuleGen.Tests.Infrastructure;
using static RuleGen.Tests.Infrastructure.GeneratorVerifier;

namespace RuleGen.Tests.Diagnostics;

/// <summary>
/// Every problem in an Elastic rule file is a diagnostic with its ID and the exact span of the offending token (line
/// and column, 1-based, end exclusive), checked with Microsoft.CodeAnalysis.Testing: no other diagnostic may appear,
/// and the generated code of the rules that do compile must compile too.
/// </summary>
public sealed class RuleFileDiagnosticsTests
{
    private const string Path = "rules/test_rule.toml";
    private const string BadTomlMessage = "Unexpected token found `\u2424` (token: `newline`) while expecting `]` (token: `closebracket`)";

    // A valid rule; tests replace numbered lines (1-based) so every span below can be read off this listing.
    private static readonly string[] BaseLines =
    {
        /* 1 */ "[rule]",
        /* 2 */ "author = [\"RuleGen tests\"]",
        /* 3 */ "description = \"A rule made for a test.\"",
        /* 4 */ "name = \"Test Rule\"",
        /* 5 */ "risk_score = 21",
        /* 6 */ "rule_id = \"00000000-0000-4000-8000-000000000001\"",
        /* 7 */ "severity = \"low\"",
        /* 8 */ "type = \"query\"",
        /* 9 */ "language = \"kuery\"",
        /* 10 */ "query = '''",
        /* 11 */ "event.outcome:success",
        /* 12 */ "'''",
    };

    private static string Rule(params (int Line, string Text)[] replacements)
    {
        var lines = (string[])BaseLines.Clone();
        foreach (var (line, text) in replacements) lines[line - 1] = text;
        return string.Join("\n", lines) + "\n";
    }

    [Fact]
    public async Task A_valid_rule_has_no_diagnostics() => await VerifyAsync(Path, Rule());

    // ---- TOML ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task An_unterminated_string_is_one_toml_error_at_the_end_of_its_line() =>
        await VerifyAsync(Path, Rule((4, "name = \"Test Rule")),
            Diagnostic(DiagnosticDescriptors.InvalidToml).WithSpan(Path, 4, 18, 5, 1).WithArguments("Invalid newline in a string"));

    [Fact]
    public async Task Extra_tokens_after_a_value_are_a_toml_error_at_the_token() =>
        await VerifyAsync(Path, Rule((5, "risk_score = 21 22")),
            Diagnostic(DiagnosticDescriptors.InvalidToml).WithSpan(Path, 5, 17, 5, 19)
                .WithArguments("Unexpected token found `22` (token: `integer`) while expecting token `newline`"));

    [Fact]
    public async Task A_key_defined_twice_is_reported_at_the_second_key() =>
        await VerifyAsync(Path, Rule() + "severity = \"high\"\n",
            Diagnostic(DiagnosticDescriptors.DuplicateKey).WithSpan(Path, 13, 1, 13, 9).WithArguments("severity"));

    [Fact]
    public async Task A_table_defined_twice_is_reported_at_the_second_header() =>
        await VerifyAsync(Path, Rule() + "[rule]\nnote = \"x\"\n",
            Diagnostic(DiagnosticDescriptors.DuplicateKey).WithSpan(Path, 13, 2, 13, 6).WithArguments("rule"));

    [Fact]
    public async Task Binary_garbage_is_a_toml_error_at_the_first_bad_byte() =>
        await VerifyAsync(Path, "\u0000\u0001\u0002\uFFFD[[[",
            Diagnostic(DiagnosticDescriptors.InvalidToml).WithSpan(Path, 1, 1, 1, 2).WithArguments("Unexpected token [\\u0;] found"));

    [Fact]
    public async Task Arrays_nested_beyond_tomls_limit_are_an_error_not_a_crash() =>
        await VerifyAsync(Path, Rule((2, "author = " + new string('[', 10_000) + new string(']', 10_000))),
            Diagnostic(DiagnosticDescriptors.InvalidToml).WithSpan(Path, 1, 1, 1, 1)
                .WithArguments("arrays and inline tables nest too deeply (Tomlyn reads at most 64 levels)"));

    // ---- missing and mistyped keys --------------------------------------------------------------------------------

    [Fact]
    public async Task A_missing_required_key_is_reported_at_its_table_header() =>
        await VerifyAsync(Path, Rule((4, "# no name")),
            Diagnostic(DiagnosticDescriptors.MissingKey).WithSpan(Path, 1, 1, 1, 7).WithArguments("rule.name", "name = \"...\" to [rule]"));

    [Fact]
    public async Task A_missing_query_is_reported_at_the_rule_table() =>
        await VerifyAsync(Path, Rule((10, ""), (11, ""), (12, "")),
            Diagnostic(DiagnosticDescriptors.MissingKey).WithSpan(Path, 1, 1, 1, 7).WithArguments("rule.query", "query = '''...''' to [rule]"));

    [Theory]
    [InlineData("")]
    [InlineData("[metadata]\ncreation_date = \"2026/11/27\"\n")]
    [InlineData("# only a comment\n")]
    public async Task A_file_without_a_rule_table_is_reported_at_its_start(string text) =>
        await VerifyAsync(Path, text,
            Diagnostic(DiagnosticDescriptors.MissingKey).WithSpan(Path, 1, 1, 1, 1)
                .WithArguments("rule", "a [rule] table with name, rule_id, type and query"));

    [Fact]
    public async Task A_string_where_an_integer_belongs_is_reported_at_the_value() =>
        await VerifyAsync(Path, Rule((5, "risk_score = \"21\"")),
            Diagnostic(DiagnosticDescriptors.WrongKeyType).WithSpan(Path, 5, 14, 5, 18).WithArguments("rule.risk_score", "an integer", "a string"));

    [Fact]
    public async Task A_string_where_an_array_belongs_is_reported_at_the_value() =>
        await VerifyAsync(Path, Rule((2, "author = \"RuleGen tests\"")),
            Diagnostic(DiagnosticDescriptors.WrongKeyType).WithSpan(Path, 2, 10, 2, 25).WithArguments("rule.author", "an array of strings", "a string"));

    [Fact]
    public async Task A_number_inside_a_string_array_is_reported_at_the_element() =>
        await VerifyAsync(Path, Rule((2, "author = [\"RuleGen tests\", 7]")),
            Diagnostic(DiagnosticDescriptors.WrongKeyType).WithSpan(Path, 2, 28, 2, 29).WithArguments("rule.author[]", "a string", "an integer"));

    [Fact]
    public async Task A_query_that_is_not_a_string_is_reported_at_the_value() =>
        await VerifyAsync(Path, Rule((10, "query = 42"), (11, ""), (12, "")),
            Diagnostic(DiagnosticDescriptors.WrongKeyType).WithSpan(Path, 10, 9, 10, 11).WithArguments("rule.query", "a string", "an integer"));

    [Fact]
    public async Task A_rule_that_is_not_a_table_is_reported_at_the_value() =>
        await VerifyAsync(Path, "rule = \"query\"\n",
            Diagnostic(DiagnosticDescriptors.WrongKeyType).WithSpan(Path, 1, 8, 1, 15).WithArguments("rule", "a table", "a string"));

    // ---- rule types and languages --------------------------------------------------------------------------------

    [Fact]
    public async Task An_unknown_rule_type_is_an_error_at_the_type() =>
        await VerifyAsync(Path, Rule((8, "type = \"qurey\"")),
            Diagnostic(DiagnosticDescriptors.UnknownRuleType).WithSpan(Path, 8, 8, 8, 15)
                .WithArguments("qurey", "query, eql, esql, machine_learning, threshold, new_terms, threat_match, saved_query"));

    [Theory]
    [InlineData("esql", "ES|QL rules run inside Elasticsearch and are not compiled")]
    [InlineData("machine_learning", "machine learning rules read anomaly results from Elasticsearch and are not compiled")]
    [InlineData("threshold", "threshold rules are not compiled yet")]
    [InlineData("new_terms", "new_terms rules are not compiled yet")]
    [InlineData("threat_match", "indicator match rules are not compiled yet")]
    public async Task Rule_types_not_compiled_yet_are_an_info_at_the_type(string type, string reason) =>
        await VerifyAsync(Path, Rule((8, $"type = \"{type}\"")),
            Diagnostic(DiagnosticDescriptors.RuleTypeNotCompiled).WithSpan(Path, 8, 8, 8, 10 + type.Length).WithArguments("Test Rule", reason));

    [Fact]
    public async Task Lucene_queries_are_reported_at_the_language() =>
        await VerifyAsync(Path, Rule((9, "language = \"lucene\"")),
            Diagnostic(DiagnosticDescriptors.UnsupportedLanguage).WithSpan(Path, 9, 12, 9, 20)
                .WithArguments("query", "lucene", "Lucene query syntax is not compiled; rewrite the query in KQL (language = \"kuery\")"));

    [Fact]
    public async Task A_missing_language_is_reported_at_the_rule_table() =>
        await VerifyAsync(Path, Rule((9, "")),
            Diagnostic(DiagnosticDescriptors.MissingKey).WithSpan(Path, 1, 1, 1, 7).WithArguments("rule.language", "language = \"kuery\" to [rule]"));

    [Fact]
    public async Task Two_files_with_one_rule_id_warn_at_the_second_files_id()
    {
        var other = "rules/another_rule.toml";
        await VerifyAsync(new[] { (Path, Rule()), (other, Rule((4, "name = \"Another Rule\""))) },
            Diagnostic(DiagnosticDescriptors.DuplicateRuleId).WithSpan(Path, 6, 11, 6, 49)
                .WithArguments("00000000-0000-4000-8000-000000000001", other));
    }

    // ---- KQL syntax errors, located inside the query string -------------------------------------------------------

    [Fact]
    public async Task A_kql_error_in_a_multiline_literal_query_is_at_the_offending_token() =>
        await VerifyAsync(Path, Rule((11, "event.outcome:success and\nprocess.name:(cmd.exe or )")),
            // Line 12 is "process.name:(cmd.exe or )": a value is expected where ')' is.
            Diagnostic(DiagnosticDescriptors.KqlSyntax).WithSpan(Path, 12, 26, 12, 27)
                .WithArguments("expected \"(\", NOT or value but found \")\""));

    [Fact]
    public async Task A_kql_error_after_escapes_in_a_basic_query_string_spans_the_escape() =>
        // The query reads process.name:"cmd.exe" and ) once TOML's escapes are decoded; the ')' is written \u0029.
        await VerifyAsync(Path, Rule((10, "query = \"process.name:\\\"cmd.exe\\\" and \\u0029\""), (11, ""), (12, "")),
            Diagnostic(DiagnosticDescriptors.KqlSyntax).WithSpan(Path, 10, 39, 10, 45)
                .WithArguments("expected \"(\", NOT, field name or value but found \")\""));

    [Fact]
    public async Task A_kql_error_in_a_multiline_basic_query_string_is_located_despite_escapes_before_it() =>
        await VerifyAsync(Path, Rule(
                (10, "query = \"\"\""),
                // KQL: process.executable:C\:\\Windows\\* and  (TOML doubles each backslash)
                (11, "process.executable:C\\\\:\\\\\\\\Windows\\\\\\\\* and"),
                (12, "process.name:\"unterminated\n\"\"\"")),
            Diagnostic(DiagnosticDescriptors.KqlSyntax).WithSpan(Path, 12, 14, 12, 15)
                .WithArguments("expected \"(\", \"{\" or value but found \"\"\" (the quoted string is not closed)"));

    [Fact]
    public async Task A_kql_error_at_the_end_of_the_query_points_at_the_closing_delimiter() =>
        await VerifyAsync(Path, Rule((11, "event.outcome:(success or failure")),
            Diagnostic(DiagnosticDescriptors.KqlSyntax).WithSpan(Path, 12, 1, 12, 1)
                .WithArguments("expected \")\", AND or OR but found end of query"));

    [Fact]
    public async Task A_kql_error_with_crlf_line_endings_is_on_the_right_line()
    {
        var text = Rule((11, "event.outcome:success and\nprocess.name:a:b")).Replace("\n", "\r\n");
        await VerifyAsync(Path, text, Diagnostic(DiagnosticDescriptors.KqlSyntax).WithSpan(Path, 12, 15, 12, 16)
            .WithArguments("expected AND, OR or end of query but found \":\""));
    }

    // ---- lints ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task The_published_seed_query_warns_at_each_quoted_value_with_a_star()
    {
        const string fixture = "azure_full_network_packet_capture_detected_quoted.toml";
        var path = "rules/" + fixture;
        await VerifyAsync(path, File.ReadAllText(Repo.Fixture(fixture)),
            Diagnostic(DiagnosticDescriptors.QuotedWildcard).WithSpan(path, 44, 1, 44, 48)
                .WithArguments("MICROSOFT.NETWORK/*/STARTPACKETCAPTURE/ACTION"),
            Diagnostic(DiagnosticDescriptors.QuotedWildcard).WithSpan(path, 45, 1, 45, 63)
                .WithArguments("MICROSOFT.NETWORK/*/VPNCONNECTIONS/STARTPACKETCAPTURE/ACTION"),
            Diagnostic(DiagnosticDescriptors.QuotedWildcard).WithSpan(path, 46, 1, 46, 43)
                .WithArguments("MICROSOFT.NETWORK/*/PACKETCAPTURES/WRITE"));
    }

    [Fact]
    public async Task A_quoted_lone_star_is_not_linted() =>
        await VerifyAsync(Path, Rule((11, "kubernetes.audit.objectRef.resource:\"*\"")));

    [Fact]
    public async Task A_value_listed_twice_is_linted_at_the_repetition() =>
        await VerifyAsync(Path, Rule((11, "event.outcome:(success or failure or success)")),
            Diagnostic(DiagnosticDescriptors.DuplicateListValue).WithSpan(Path, 11, 38, 11, 45).WithArguments("success"));

    // ---- a bad rule never stops the others ------------------------------------------------------------------------

    [Fact]
    public async Task Bad_files_report_their_own_diagnostics_beside_a_good_rule()
    {
        await VerifyAsync(new[]
            {
                ("rules/good.toml", Rule()),
                ("rules/bad_kql.toml", Rule((6, "rule_id = \"bad-kql\""), (11, "event.outcome:)"))),
                ("rules/bad_toml.toml", "[rule\nname = \"x\"\n"),
                ("rules/bad_type.toml", Rule((6, "rule_id = \"bad-type\""), (8, "type = \"sql\""))),
            },
            Diagnostic(DiagnosticDescriptors.KqlSyntax).WithSpan("rules/bad_kql.toml", 11, 15, 11, 16)
                .WithArguments("expected \"(\", \"{\" or value but found \")\""),
            Diagnostic(DiagnosticDescriptors.InvalidToml).WithSpan("rules/bad_toml.toml", 1, 6, 2, 1).WithArguments(BadTomlMessage),
            Diagnostic(DiagnosticDescriptors.UnknownRuleType).WithSpan("rules/bad_type.toml", 8, 8, 8, 13)
                .WithArguments("sql", "query, eql, esql, machine_learning, threshold, new_terms, threat_match, saved_query"));
    }
}

using System.Diagnostics;
using RuleGen.Generator;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.FieldTypes;
using RuleGen.Generator.Languages.Eql;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Sigma;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Fuzzing;

/// <summary>
/// The inputs the fuzzers found that crashed or stalled the generator, each cut down by hand to what triggers it:
/// every one is now a located error on its own file.
/// </summary>
public sealed class FuzzCrasherTests
{
    private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    private static DiagnosticInfo SingleError(string path, string text)
    {
        var models = RuleGenGenerator.ParseRules(new RuleFileInput(path, path, text), SigmaConfig.Empty);
        Assert.DoesNotContain(models.SelectMany(m => m.Diagnostics), d => d.Id == DiagnosticDescriptors.InternalError.Id);
        var error = models.SelectMany(m => m.Diagnostics).First(d => d.IsError);
        Assert.Equal(path, error.Location.Path);
        Assert.True(error.Location.Start + error.Location.Length <= text.Length);
        return error;
    }

    private static string Sigma(string detection) =>
        "title: t\nid: 0badf00d-0000-4000-8000-000000000002\nlogsource:\n    product: windows\ndetection:\n" + detection + "\nlevel: low\n";

    [Theory]
    [InlineData("(", "true", ")")]
    [InlineData("not ", "true", "")]
    [InlineData("length(", "a", ") > 1")]
    public void Eql_nested_10000_deep_is_a_located_syntax_error_not_a_stack_overflow(string open, string inner, string close)
    {
        var query = "process where " + Repeat(open, 10_000) + inner + Repeat(close, 10_000);
        var text = GeneratorHarness.ElasticRule(query, language: "eql", type: "eql");
        var error = SingleError("/rules/deep.toml", text);
        Assert.Contains("nests more than 200 levels deep", error.Message);
        // The error points into the query.
        var queryStart = text.IndexOf(query, StringComparison.Ordinal);
        Assert.InRange(error.Location.Start, queryStart, queryStart + query.Length);
    }

    [Fact]
    public void An_eql_regex_with_groups_nested_10000_deep_is_a_located_error_not_a_stack_overflow()
    {
        // Found by the suite's rule-file fuzzer: the Lucene regex translator recursed once per group.
        var query = "process where process.name regex \"" + Repeat("(", 10_000) + "a" + Repeat(")", 10_000) + "\"";
        var text = GeneratorHarness.ElasticRule(query, language: "eql", type: "eql");
        var error = SingleError("/rules/deep_regex.toml", text);
        Assert.Contains("nested more than 200 deep", error.Message);
        var queryStart = text.IndexOf(query, StringComparison.Ordinal);
        Assert.InRange(error.Location.Start, queryStart, queryStart + query.Length);
    }

    [Fact]
    public void An_eql_regex_with_groups_nested_200_deep_still_compiles()
    {
        var text = GeneratorHarness.ElasticRule("process where process.name regex \"" + Repeat("(", 200) + "a" + Repeat(")", 200) + "\"", language: "eql", type: "eql");
        var model = RuleGenGenerator.ParseRule(new RuleFileInput("/rules/ok.toml", "/rules/ok.toml", text));
        Assert.True(model.IsCompiled, string.Join("; ", model.Diagnostics.Select(d => d.Message)));
    }

    [Fact]
    public void Eql_nested_200_deep_still_compiles()
    {
        var text = GeneratorHarness.ElasticRule("process where " + Repeat("(", 199) + "process.name == \"a\"" + Repeat(")", 199), language: "eql", type: "eql");
        var model = RuleGenGenerator.ParseRule(new RuleFileInput("/rules/ok.toml", "/rules/ok.toml", text));
        Assert.True(model.IsCompiled, string.Join("; ", model.Diagnostics.Select(d => d.Message)));
    }

    [Theory]
    [InlineData("(", "selection", ")")]
    [InlineData("not ", "selection", "")]
    public void A_sigma_condition_nested_10000_deep_is_a_located_error_not_a_stack_overflow(string open, string inner, string close)
    {
        var condition = Repeat(open, 10_000) + inner + Repeat(close, 10_000);
        var text = Sigma("    selection:\n        a: 1\n    condition: " + condition);
        var error = SingleError("/rules/deep.yml", text);
        Assert.Contains("nest more than 200 levels deep", error.Message);
        var conditionStart = text.IndexOf(condition, StringComparison.Ordinal);
        Assert.InRange(error.Location.Start, conditionStart + 190 * open.Length, conditionStart + 210 * open.Length);
    }

    [Theory]
    [InlineData("{a: ", "1", "}")]
    [InlineData("[", "1", "]")]
    public void Yaml_nested_10000_deep_is_a_located_error_not_a_stack_overflow(string open, string inner, string close)
    {
        var text = Sigma("    selection:\n        a: " + Repeat(open, 10_000) + inner + Repeat(close, 10_000) + "\n    condition: selection");
        var error = SingleError("/rules/deep.yml", text);
        Assert.Contains("nest more than 200 levels deep", error.Message);
    }

    [Fact]
    public void A_yaml_alias_bomb_is_a_located_error_in_a_rule_and_in_a_config_and_takes_no_time()
    {
        var watch = Stopwatch.StartNew();
        var bomb = FuzzTarget.AliasBomb("");
        // In a correlation's rules list this expanded the bomb (10^9 nodes) and never finished.
        var correlation = bomb + "title: c\ncorrelation:\n    type: event_count\n    rules: *l9\n    timespan: 5m\n    condition: {gte: 2}\n";
        var error = SingleError("/rules/bomb.yml", correlation);
        Assert.Contains("expands the document to more than 100,000 nodes", error.Message);
        // At the alias that crosses the limit, inside the anchors' lines.
        Assert.InRange(error.Location.Start, 0, bomb.Length);

        var config = SigmaConfig.Parse("/config/bomb.yml", bomb + "placeholders:\n    Admins: *l9\n");
        Assert.Contains(config.Diagnostics, d => d.Message.Contains("alias bomb", StringComparison.Ordinal) && d.Location.Path == "/config/bomb.yml");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Aliases_within_the_limit_still_read()
    {
        var text = Sigma("    _values: &v ['a', 'b']\n    selection:\n        x: *v\n        y: *v\n    condition: selection");
        var model = RuleGenGenerator.ParseRule(new RuleFileInput("/rules/alias.yml", "/rules/alias.yml", text));
        Assert.True(model.IsCompiled, string.Join("; ", model.Diagnostics.Select(d => d.Message)));
    }

    [Fact]
    public void A_logsource_gate_value_that_is_a_map_is_a_located_config_error_not_an_invalid_cast()
    {
        const string text = "profiles:\n    flat:\n        logsources:\n            - when: { product: windows }\n              any:\n                  - { source: { nested: map } }\n";
        var config = SigmaConfig.Parse("/config/gate.yml", text);
        var error = Assert.Single(config.Diagnostics);
        Assert.Equal("/config/gate.yml", error.Location.Path);
        Assert.Equal(text.IndexOf("{ nested", StringComparison.Ordinal), error.Location.Start);
    }

    [Fact]
    public void A_field_name_pattern_megabytes_long_resolves_in_one_pass_over_it()
    {
        // Found by the long rule-file fuzz run (elastic-kql, seed 152026, iteration 1656: a 1.6 MB token in a field
        // name with a '*'): the resolver split the pattern once per known field name, thousands of times.
        var pattern = "azure." + new string('t', 4_000_000) + "properties.*.display_name";
        var watch = Stopwatch.StartNew();
        var resolved = new FieldTypeResolver(FieldTypeOverrides.None).Resolve(pattern);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Equal(FieldTypeOrigin.Unknown, resolved.Origin);
        // Patterns still resolve as before.
        Assert.Equal(FieldTypeResolver.BuiltInOnly.Resolve("source.ip").Type, FieldTypeResolver.BuiltInOnly.Resolve("source.i*").Type);
    }

    [Fact]
    public void A_kql_rule_with_a_megabytes_long_wildcard_field_name_is_parsed_named_and_emitted_in_time()
    {
        var text = GeneratorHarness.ElasticRule("event.outcome: success and azure." + new string('t', 1_600_000) + "properties.*.display_name: \"UserType\"");
        var watch = Stopwatch.StartNew();
        var problems = RuleFileFuzzer.Oracle(FuzzTarget.All(seedsPerTarget: 1)[0], "/rules/fuzz.toml", text);
        Assert.Empty(problems);
        Assert.True(watch.Elapsed < RuleFileFuzzer.HangLimit, $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("---\n")]
    [InlineData("---")]
    public void An_empty_yaml_document_at_the_end_of_the_file_is_located_inside_the_file(string end)
    {
        // Found by the rule-file fuzzer: YamlDotNet places the empty document after a final '---' one character past
        // the end of the text, so its "must be a map, not null" error pointed outside the file.
        var text = Sigma("    selection:\n        a: 1\n    condition: selection") + end;
        var models = RuleGenGenerator.ParseRules(new RuleFileInput("/rules/end.yml", "/rules/end.yml", text), SigmaConfig.Empty);
        var error = Assert.Single(models.SelectMany(m => m.Diagnostics), d => d.IsError);
        Assert.Contains("must be a map", error.Message);
        Assert.True(RuleFileFuzzer.IsInside(error.Location, "/rules/end.yml", text), $"{error.Location} [{error.Location.Start}+{error.Location.Length} of {text.Length}]");
    }

    [Theory]
    [InlineData(" and ")]
    [InlineData(" or ")]
    public void A_chain_of_20000_eql_ands_or_ors_lowers_to_one_flat_predicate_in_one_pass(string op)
    {
        // Found by the suite's short fuzz run, which timed out on its hostile 10,000 ands under load: lowering folded
        // the chain pair by pair, copying the operands so far at each step (20,000 took 8 s, now a fraction of one).
        var query = "any where " + string.Join(op, Enumerable.Range(0, 20_000).Select(i => i % 3 == 0 ? "true" : $"a == {i}"));
        var diagnostics = new List<DiagnosticInfo>();
        var watch = Stopwatch.StartNew();
        var result = EqlLowering.Compile(query, (start, length) => SourceLocation.FileStart("/rules/q.toml"), diagnostics, EqlRuleOptions.Default);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.DoesNotContain(diagnostics, d => d.IsError);
        // The category test ('any' has none) and the chain: one level, the 'true's dropped from an 'and', kept in an 'or'.
        var operands = op == " and " ? Assert.IsType<AndPredicate>(result.Condition).Operands : Assert.IsType<OrPredicate>(result.Condition).Operands;
        Assert.Equal(op == " and " ? 20_000 - 6_667 : 20_000, operands.Count);
        Assert.DoesNotContain(operands, p => p is AndPredicate or OrPredicate);
    }
}

using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RuleGen.Generator;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Emit;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Diagnostics;

/// <summary>
/// The generator never throws: garbage rule files become diagnostics on those files, and the good rules beside them
/// still compile and match.
/// </summary>
public sealed class GeneratorRobustnessTests
{
    private const string GoodEvent = """{"event":{"outcome":"success"}}""";

    private static string Garbage(int seed, int length)
    {
        var random = new Random(seed);
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return System.Text.Encoding.Latin1.GetString(bytes);
    }

    private static IEnumerable<(string Name, string Text)> BadFiles()
    {
        yield return ("binary", Garbage(1, 4096));
        yield return ("empty", "");
        yield return ("whitespace", " \n\t\r\n ");
        yield return ("huge", Garbage(2, 1 << 20));
        yield return ("deep_arrays", "[rule]\nauthor = " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        yield return ("deep_tables", "[rule]\nx = " + string.Concat(Enumerable.Repeat("{a=", 50_000)) + "1" + new string('}', 50_000) + "\n");
        yield return ("many_headers", string.Concat(Enumerable.Range(0, 5_000).Select(i => $"[t{i}]\nk = {i}\n")));
        yield return ("deep_kql", GeneratorHarness.ElasticRule(new string('(', 100_000) + "a:1" + new string(')', 100_000), ruleId: "deep-kql"));
        yield return ("bad_kql", GeneratorHarness.ElasticRule("event.outcome:(success or", ruleId: "bad-kql"));
    }

    [Fact]
    public void Garbage_files_are_diagnostics_on_themselves_and_the_good_rule_still_matches()
    {
        var files = new List<(string, string)>
        {
            ("rules/good.toml", GeneratorHarness.ElasticRule("event.outcome:success", name: "Good Rule")),
            // Valid, if odd: KQL's \ud800 is a lone surrogate, which has no UTF-8 form.
            ("rules/lone_surrogate.toml", GeneratorHarness.ElasticRule("f:\\ud800", name: "Lone Surrogate", ruleId: "lone-surrogate")),
        };
        files.AddRange(BadFiles().Select(f => ($"rules/{f.Name}.toml", f.Text)));
        using var run = GeneratorHarness.Run(files, null);

        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == DiagnosticDescriptors.InternalError.Id || d.Id.StartsWith("CS", StringComparison.Ordinal));
        Assert.Empty(run.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        foreach (var (name, _) in BadFiles())
        {
            Assert.Contains(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Location.GetLineSpan().Path == $"rules/{name}.toml");
        }
        var rule = run.RuleSet().Rules.Single(r => r.Info.Name == "Good Rule");
        Assert.True(run.Matches(TypeNames.FromText("Good Rule"), GoodEvent));
        Assert.False(run.Matches(TypeNames.FromText("Good Rule"), """{"event":{"outcome":"failure"}}"""));
        Assert.NotNull(rule);
    }

    [Fact]
    public void Random_kql_never_makes_the_parser_throw_and_every_query_that_parses_compiles()
    {
        // Random queries over an alphabet rich in KQL's specials, escapes and non-ASCII text: no RG0009 ever, and
        // the first 120 that parse are compiled together and run on a few events.
        var random = new Random(27112026);
        string[] atoms =
        {
            "a", "b.c", "x", ":", " ", "  ", "*", "?", "\\", "\\\\", "\\*", "\\:", "\\\"", "\\u00e9", "\\n", "\\t", "\"", "(", ")",
            "{", "}", "<", ">=", " or ", " and ", "not ", " OR ", "true", "null", "1", "-2.5", "é", "😀", "\u00a0", "\n", "/",
            "'", "$", "{}", "@", "10.0.0.0/8",
        };
        var compiled = new List<(string, string)>();
        for (var i = 0; i < 20_000 && compiled.Count < 120; i++)
        {
            var query = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => atoms[random.Next(atoms.Length)]));
            if (query.Contains("'''", StringComparison.Ordinal)) continue;
            var text = GeneratorHarness.ElasticRule(query, name: "Fuzz " + i, ruleId: "fuzz-" + i);
            var model = RuleGenGenerator.ParseRule(new RuleFileInput($"rules/fuzz_{i}.toml", $"rules/fuzz_{i}.toml", text));
            Assert.DoesNotContain(model.Diagnostics, d => d.Id == DiagnosticDescriptors.InternalError.Id);
            if (model.IsCompiled) compiled.Add(($"rules/fuzz_{i}.toml", text));
        }
        Assert.Equal(120, compiled.Count);

        using var run = GeneratorHarness.Run(compiled, null);
        Assert.Empty(run.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var set = run.RuleSet();
        Assert.Equal(120, set.Rules.Count);
        var matches = new int[set.Rules.Count];
        foreach (var json in new[] { "{}", """{"a":"x","b":{"c":["é",1,true,null]},"x":{"y":"*"}}""", """{"a":[{"b.c":"😀"}]}""" })
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(json);
            Assert.True(set.TryEvaluate(bytes, matches, out var count));
            foreach (var rule in set.Rules)
            {
                Assert.Equal(rule.IsMatch(bytes), matches.AsSpan(0, Math.Min(count, matches.Length)).Contains(rule.Index));
            }
        }
    }

    [Fact]
    public void A_rule_whose_code_cannot_be_emitted_is_rg0009_with_a_stand_in_and_the_rest_compiles()
    {
        var good = RuleGenGenerator.ParseRule(new RuleFileInput("rules/good.toml", "rules/good.toml",
            GeneratorHarness.ElasticRule("event.outcome:success", name: "Good Rule")));
        var broken = good with { SourcePath = "rules/broken.toml", DisplayPath = "rules/broken.toml", Condition = new UnknownPredicate() };
        var named = RuleGenGenerator.NameRules(ImmutableArray.Create(good, broken), new GeneratorOptions(GeneratorOptions.DefaultNamespace, ""));

        var emitted = named.Rules.Select(RuleGenGenerator.EmitRule).ToList();
        var error = Assert.Single(emitted, e => e.Error is not null).Error!;
        Assert.Equal(DiagnosticDescriptors.InternalError.Id, error.Id);
        Assert.Equal("rules/broken.toml", error.Location.Path);

        var plan = new RuleSetPlan(named.Namespace, named.Rules.Select(r => new RuleSetEntry(r.TypeName, r.DisplayPath, r.Rule.Metadata.Name,
            RuleFields.Of(r.Rule.Condition!))).ToEquatableArray());
        var metadata = MetadataStoreEmitter.Emit(named.Namespace, MetadataStoreEmitter.Blocks(named.Rules).Select(MetadataStoreEmitter.Compress).ToImmutableArray())!;
        var sources = emitted.Select(e => e.Source).Append(RuleSetEmitter.Emit(plan)).Append(metadata);
        var compilation = GeneratorHarness.EmptyCompilation().AddSyntaxTrees(
            sources.Select(s => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest))));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    private sealed record UnknownPredicate : Predicate;
}

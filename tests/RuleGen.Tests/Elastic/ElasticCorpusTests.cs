using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using RuleGen.Generator;
using RuleGen.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RuleGen.Tests.Elastic;

/// <summary>
/// Every active kuery rule of Elastic's prebuilt rules (../shared/corpus/elastic: 454 query, 241 new_terms,
/// 28 threshold, 6 threat_match) compiles, and editing one of them regenerates that rule alone. Generated code size
/// is reported; generator time is measured by bench/RuleGen.GeneratorBenchmarks and --compile-budget of bench/RuleGen.Benchmarks.
/// </summary>
public sealed class ElasticCorpusTests
{
    private readonly ITestOutputHelper _output;

    public ElasticCorpusTests(ITestOutputHelper output) => _output = output;

    private static readonly Regex s_kuery = new("^language = \"kuery\"", RegexOptions.Multiline);
    private static readonly Regex s_type = new("^type = \"(query|new_terms|threshold|threat_match)\"", RegexOptions.Multiline);

    /// <summary>The corpus's kuery rules (path, text), or null without ../shared.</summary>
    public static List<(string Path, string Text)>? KueryRules()
    {
        if (Repo.Shared is not { } shared) return null;
        var root = Path.Combine(shared, "corpus", "elastic");
        return Directory.EnumerateFiles(root, "*.toml", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}_deprecated{Path.DirectorySeparatorChar}"))
            .Select(p => (Path: p, Text: File.ReadAllText(p)))
            .Where(f => s_kuery.IsMatch(f.Text) && s_type.IsMatch(f.Text))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
    }

    [SkippableFact]
    public void Every_kuery_rule_of_the_corpus_compiles()
    {
        var rules = KueryRules();
        Skip.If(rules is null, Repo.SharedMissing);
        Assert.Equal(729, rules!.Count);

        var texts = rules.Select(r => (AdditionalText)new InMemoryAdditionalText(r.Path, r.Text)).ToList();
        GeneratorDriver driver = GeneratorHarness.CreateDriver(texts);
        driver = driver.RunGenerators(GeneratorHarness.EmptyCompilation());
        var result = driver.GetRunResult();
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(20)));
        var sources = result.Results.SelectMany(r => r.GeneratedSources).ToList();
        var ruleSources = sources.Where(s => s.HintName.StartsWith("Rules.", StringComparison.Ordinal)).ToList();
        Assert.Equal(729, ruleSources.Count);

        var chars = sources.Sum(s => (long)s.SourceText.Length);
        var notes = result.Diagnostics.Where(d => d.Id == "RG0100").Select(d => d.GetMessage()).Distinct().Count();
        _output.WriteLine($"729 kuery rules -> {sources.Count} generated files, {chars:N0} characters " +
                          $"({sources.Sum(s => s.SourceText.Lines.Count):N0} lines); RG0100 notes for {notes} distinct unknown fields");
    }

    [SkippableFact]
    public void Editing_one_corpus_rule_regenerates_that_rule_alone()
    {
        var rules = KueryRules();
        Skip.If(rules is null, Repo.SharedMissing);
        var texts = rules!.Select(r => (AdditionalText)new InMemoryAdditionalText(r.Path, r.Text)).ToList();
        GeneratorDriver driver = GeneratorHarness.CreateDriver(texts, trackSteps: true);
        driver = driver.RunGenerators(GeneratorHarness.EmptyCompilation());

        var edited = texts[100];
        var changed = new InMemoryAdditionalText(edited.Path, edited.GetText()!.ToString().Replace("severity = \"", "severity = \"x"));
        driver = driver.ReplaceAdditionalText(edited, changed);
        driver = driver.RunGenerators(GeneratorHarness.EmptyCompilation());
        var run = driver.GetRunResult().Results.Single();

        var parsed = run.TrackedSteps[RuleGenGenerator.Steps.ParsedRules].SelectMany(s => s.Outputs).ToList();
        Assert.Single(parsed, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.All(run.TrackedSteps[RuleGenGenerator.Steps.FieldTypes].SelectMany(s => s.Outputs),
            o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        var emitted = run.TrackedSteps[RuleGenGenerator.Steps.EmittedRules].SelectMany(s => s.Outputs).ToList();
        Assert.Single(emitted, o => o.Reason == IncrementalStepRunReason.Modified);
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RuleGen.Generator;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Generator;

/// <summary>
/// The generator's pipeline is incremental: an unrelated C# edit re-runs nothing, and editing one rule file
/// re-parses and re-emits that rule alone (the cheap steps over all rules, naming and the rule set, run again).
/// </summary>
public sealed class IncrementalityTests
{
    private static readonly string[] AllSteps =
    {
        RuleGenGenerator.Steps.Options, RuleGenGenerator.Steps.RuleFiles, RuleGenGenerator.Steps.ParsedRules,
        RuleGenGenerator.Steps.NamedRules, RuleGenGenerator.Steps.EmittedRules, RuleGenGenerator.Steps.RuleSet,
        RuleGenGenerator.Steps.MetadataBlocks, RuleGenGenerator.Steps.Metadata, RuleGenGenerator.Steps.NoRuleFiles,
        RuleGenGenerator.Steps.SigmaFilters, RuleGenGenerator.Steps.FilteredRules,
    };

    private static readonly InMemoryAdditionalText[] Files =
    {
        new("rules/a.toml", GeneratorHarness.ElasticRule("event.outcome:success", name: "Rule A", ruleId: "a")),
        new("rules/b.toml", GeneratorHarness.ElasticRule("process.name:cmd.exe", name: "Rule B", ruleId: "b")),
        new("rules/c.toml", GeneratorHarness.ElasticRule("user:{ name:admin }", name: "Rule C", ruleId: "c")),
    };

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.EmptyCompilation();
        GeneratorDriver driver = GeneratorHarness.CreateDriver(Files, trackSteps: true);
        driver = driver.RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        Assert.Null(first.Exception);
        Assert.Equal(5, first.GeneratedSources.Length); // three rules, their metadata and the rule set
        return (driver, compilation);
    }

    /// <summary>Each tracked step's outputs' reasons, in order (one per item of the step).</summary>
    private static Dictionary<string, List<IncrementalStepRunReason>> Reasons(GeneratorDriver driver)
    {
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return AllSteps.ToDictionary(step => step, step =>
        {
            Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"Step {step} was not tracked");
            return runs.SelectMany(run => run.Outputs.Select(o => o.Reason)).ToList();
        });
    }

    private static bool IsReused(IncrementalStepRunReason reason) =>
        reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged;

    [Fact]
    public void Every_step_is_named_and_tracked()
    {
        var (driver, _) = FirstRun();
        var reasons = Reasons(driver);
        foreach (var step in AllSteps) Assert.NotEmpty(reasons[step]);
    }

    [Fact]
    public void An_unrelated_csharp_edit_leaves_every_step_cached()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Consumer { internal static class Unrelated { public static int Answer => 42; } }",
            new CSharpParseOptions(LanguageVersion.Latest)));
        driver = driver.RunGenerators(edited);

        foreach (var (step, reasons) in Reasons(driver))
        {
            Assert.True(reasons.All(IsReused), $"Step {step} re-ran after an unrelated C# edit: {string.Join(", ", reasons)}");
        }
        var output = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs);
        Assert.All(output, o => Assert.True(IsReused(o.Reason), "A source output re-ran: " + o.Reason));
    }

    [Fact]
    public void Running_again_with_no_change_reuses_everything()
    {
        var (driver, compilation) = FirstRun();
        driver = driver.RunGenerators(compilation);
        foreach (var (step, reasons) in Reasons(driver)) Assert.True(reasons.All(IsReused), $"Step {step}: {string.Join(", ", reasons)}");
    }

    [Fact]
    public void Editing_one_rule_file_re_emits_that_rule_alone()
    {
        var (driver, compilation) = FirstRun();
        var edited = new InMemoryAdditionalText("rules/b.toml", GeneratorHarness.ElasticRule("process.name:powershell.exe", name: "Rule B", ruleId: "b"));
        driver = driver.ReplaceAdditionalText(Files[1], edited).RunGenerators(compilation);
        var reasons = Reasons(driver);

        // Per-file steps: only b's item changes.
        Assert.Equal(new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached },
            reasons[RuleGenGenerator.Steps.ParsedRules]);
        Assert.Equal(1, reasons[RuleGenGenerator.Steps.RuleFiles].Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(2, reasons[RuleGenGenerator.Steps.RuleFiles].Count(IsReused));
        // No filter changed, so the filter list is the same and only b is filtered again.
        Assert.All(reasons[RuleGenGenerator.Steps.SigmaFilters], r => Assert.True(IsReused(r), r.ToString()));
        Assert.Equal(1, reasons[RuleGenGenerator.Steps.FilteredRules].Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(2, reasons[RuleGenGenerator.Steps.FilteredRules].Count(IsReused));

        // Emission: b's file is regenerated, a's and c's are not.
        var emitted = reasons[RuleGenGenerator.Steps.EmittedRules];
        Assert.Equal(3, emitted.Count);
        Assert.Equal(1, emitted.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(2, emitted.Count(IsReused));
        var emittedRuns = driver.GetRunResult().Results.Single().TrackedSteps[RuleGenGenerator.Steps.EmittedRules];
        var modified = emittedRuns.SelectMany(r => r.Outputs).Single(o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Equal("Rules.RuleB.g.cs", ((RuleGenGenerator.EmittedRule)modified.Value).HintName);

        // Metadata: the three rules share one block, compressed again because b's query changed.
        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, reasons[RuleGenGenerator.Steps.MetadataBlocks]);

        // The options were not touched.
        Assert.All(reasons[RuleGenGenerator.Steps.Options], r => Assert.True(IsReused(r)));

        // And the output really changed.
        var source = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Rules.RuleB.g.cs").SourceText.ToString();
        Assert.Contains("\"powershell.exe\"u8", source);
    }

    [Fact]
    public void Editing_one_rule_compresses_only_its_metadata_block_again()
    {
        // 20 rules: two blocks of metadata (16 and 4 rules); the edited rule is in the second.
        var files = Enumerable.Range(0, 20).Select(i => new InMemoryAdditionalText($"rules/r{i:D2}.toml",
            GeneratorHarness.ElasticRule($"process.name:p{i}.exe", name: $"Rule {i:D2}", ruleId: $"r{i:D2}"))).ToArray();
        var compilation = GeneratorHarness.EmptyCompilation();
        GeneratorDriver driver = GeneratorHarness.CreateDriver(files, trackSteps: true);
        driver = driver.RunGenerators(compilation);
        var edited = new InMemoryAdditionalText("rules/r18.toml", GeneratorHarness.ElasticRule("process.name:p18.exe", name: "Rule 18 renamed", ruleId: "r18"));
        driver = driver.ReplaceAdditionalText(files[18], edited).RunGenerators(compilation);

        var blocks = Reasons(driver)[RuleGenGenerator.Steps.MetadataBlocks];
        Assert.Equal(new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Modified }, blocks);
        var metadata = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "RuleMetadata.g.cs").SourceText.ToString();
        Assert.Contains("new(16, Names, Block)", metadata);
    }

    [Fact]
    public void Editing_a_rule_file_without_changing_its_rule_re_emits_nothing()
    {
        var (driver, compilation) = FirstRun();
        // Only a comment changes: the file is re-parsed, but the model is equal (locations of the query are the same).
        var edited = new InMemoryAdditionalText("rules/a.toml", Files[0].GetText()!.ToString() + "\n# a trailing comment\n");
        driver = driver.ReplaceAdditionalText(Files[0], edited).RunGenerators(compilation);
        var reasons = Reasons(driver);

        Assert.Contains(IncrementalStepRunReason.Modified, reasons[RuleGenGenerator.Steps.RuleFiles]);
        Assert.True(reasons[RuleGenGenerator.Steps.ParsedRules].All(IsReused), string.Join(", ", reasons[RuleGenGenerator.Steps.ParsedRules]));
        foreach (var step in new[] { RuleGenGenerator.Steps.NamedRules, RuleGenGenerator.Steps.EmittedRules, RuleGenGenerator.Steps.RuleSet,
            RuleGenGenerator.Steps.MetadataBlocks, RuleGenGenerator.Steps.Metadata })
        {
            Assert.True(reasons[step].All(IsReused), $"Step {step}: {string.Join(", ", reasons[step])}");
        }
    }
}

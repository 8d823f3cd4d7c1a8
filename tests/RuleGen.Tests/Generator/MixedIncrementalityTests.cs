using Microsoft.CodeAnalysis;
using RuleGen.Generator;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Generator;

/// <summary>
/// Editing one rule file re-emits that rule alone also in a project that mixes every kind of rule file: KQL, an EQL
/// single-event query, an EQL sequence, Sigma rules and a Sigma configuration file.
/// </summary>
public sealed class MixedIncrementalityTests
{
    private const string SigmaConfigPath = "/config/sigma.yml";

    private static string Sigma(string title, string id, string image) => $"""
        title: {title}
        id: {id}
        status: test
        level: high
        logsource:
            product: windows
            category: process_creation
        detection:
            selection:
                Image|endswith: '{image}'
            condition: selection
        """;

    [Theory]
    [InlineData("kql")]
    [InlineData("eql")]
    [InlineData("sequence")]
    [InlineData("sigma")]
    [InlineData("config")]
    public void Editing_one_rule_file_re_emits_that_rule_alone_in_a_mixed_project(string with)
    {
        var files = new List<InMemoryAdditionalText>
        {
            new("/rules/a.toml", GeneratorHarness.ElasticRule("event.outcome:success", name: "Rule A", ruleId: "a")),
            new("/rules/b.toml", GeneratorHarness.ElasticRule("process.name:cmd.exe", name: "Rule B", ruleId: "b")),
        };
        if (with is "eql" or "config") files.Add(new("/rules/c.toml", GeneratorHarness.ElasticRule("process where process.name == \"x.exe\"", name: "Rule C", ruleId: "c", type: "eql", language: "eql")));
        if (with is "sequence" or "config") files.Add(new("/rules/d.toml", GeneratorHarness.ElasticRule("sequence by host.id [process where true] [network where true]", name: "Rule D", ruleId: "d", type: "eql", language: "eql")));
        if (with is "sigma" or "config")
        {
            files.Add(new("/rules/e.yml", Sigma("Rule E", "00000000-0000-4000-8000-00000000000e", "\\e.exe")));
            files.Add(new("/rules/f.yml", Sigma("Rule F", "00000000-0000-4000-8000-00000000000f", "\\f.exe")));
        }
        var perFile = new Dictionary<string, Dictionary<string, string>>();
        if (with is "config")
        {
            files.Add(new(SigmaConfigPath, "placeholders:\n  Admins: ['root']\n"));
            perFile[SigmaConfigPath] = new() { ["build_metadata.AdditionalFiles.RuleGenKind"] = "SigmaConfig" };
        }
        var compilation = GeneratorHarness.EmptyCompilation();
        GeneratorDriver driver = GeneratorHarness.CreateDriver(files, new TestOptionsProvider(new(), perFile), trackSteps: true);
        driver = driver.RunGenerators(compilation);

        var edited = new InMemoryAdditionalText("/rules/b.toml", GeneratorHarness.ElasticRule("process.name:powershell.exe", name: "Rule B", ruleId: "b"));
        driver = driver.ReplaceAdditionalText(files[1], edited).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        var reasons = result.TrackedSteps[RuleGenGenerator.Steps.EmittedRules].SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
        var parsed = result.TrackedSteps[RuleGenGenerator.Steps.ParsedRules].SelectMany(r => r.Outputs).Select(o => o.Reason).ToList();
        Assert.True(reasons.Count(r => r == IncrementalStepRunReason.Modified) == 1,
            $"emitted: {string.Join(", ", reasons)}; parsed: {string.Join(", ", parsed)}");
    }
}

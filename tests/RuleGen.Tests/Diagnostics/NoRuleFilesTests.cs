using Microsoft.CodeAnalysis;
using RuleGen.Generator.Diagnostics;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Diagnostics;

/// <summary>A project with no rule files builds, and is told (RG0016, info) where RuleGen looks for them.</summary>
public sealed class NoRuleFilesTests
{
    [Fact]
    public void A_project_without_rule_files_gets_an_info_diagnostic_naming_the_rule_folder()
    {
        var project = Path.Combine(Path.GetTempPath(), "consumer") + Path.DirectorySeparatorChar;
        using var run = GeneratorHarness.Run([], new Dictionary<string, string> { ["build_property.ProjectDir"] = project });
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("RG0016", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        var folder = Path.Combine(project, "rules");
        Assert.Contains($"under '{folder}'", diagnostic.GetMessage());
        Assert.Contains("RuleGenRules", diagnostic.GetMessage());
        // Located, as every RuleGen diagnostic is: the rule folder, line 1, column 1.
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(folder, span.Path);
        Assert.Equal(0, span.StartLinePosition.Line);
        Assert.Equal(0, span.StartLinePosition.Character);
        Assert.Empty(run.CompileDiagnostics);
    }

    [Fact]
    public void A_project_with_a_rule_file_gets_no_such_diagnostic()
    {
        using var run = GeneratorHarness.Run(("rules/a.toml", GeneratorHarness.ElasticRule("event.outcome:success")));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == DiagnosticDescriptors.NoRuleFiles.Id);
    }

    [Fact]
    public void A_sigma_config_alone_is_not_a_rule_file()
    {
        var config = "placeholders:\n  admins: [alice]\n";
        using var run = GeneratorHarness.Run([("sigma-config.yml", config)], null,
            new Dictionary<string, Dictionary<string, string>> { ["sigma-config.yml"] = new() { ["build_metadata.AdditionalFiles.RuleGenKind"] = "SigmaConfig" } });
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == DiagnosticDescriptors.NoRuleFiles.Id);
    }
}

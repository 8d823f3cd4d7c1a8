using RuleGen.Generator.Planning;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>Rule names that differ only in case (a Sigma and an Elastic rule of the same title) get distinct generated files.</summary>
public sealed class SigmaTypeNameTests
{
    [Fact]
    public void Names_differing_only_in_case_get_distinct_type_and_file_names()
    {
        var names = TypeNames.Assign(new[] { ("Potential SAP NetWeaver WebShell Creation", "aaaaaaaa-1", "/a.toml"), ("Potential SAP NetWeaver Webshell Creation", "bbbbbbbb-2", "/b.yml") },
            new HashSet<string> { "Rules", "RuleSet" });
        Assert.NotEqual(names[0], names[1], StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_sigma_and_an_elastic_rule_whose_names_differ_in_case_compile_together()
    {
        var sigma = "title: Webshell Creation\nlogsource:\n    product: windows\n    category: file_event\ndetection:\n    selection:\n        TargetFilename|endswith: '.jsp'\n    condition: selection\n";
        using var run = GeneratorHarness.Run(("/rules/a.yml", sigma), ("/rules/b.toml", GeneratorHarness.ElasticRule("file.name:x", name: "WebShell Creation")));
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error || d.Id == "CS8785"));
        Assert.Equal(2, run.RuleSet().Rules.Count);
    }
}

using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Elastic;

/// <summary>Compiles one Elastic rule from a query (plus optional extra [rule] TOML and field-type files) for a test.</summary>
internal static class ElasticRuleFixture
{
    public static GeneratorRun Compile(string query, string extraRuleToml = "", string type = "query", params (string Path, string Text)[] otherFiles)
    {
        var rule = GeneratorHarness.ElasticRule(query, type: type) + "\n" + extraRuleToml;
        var files = new List<(string, string)> { ("/rules/test_rule.toml", rule) };
        files.AddRange(otherFiles);
        return GeneratorHarness.Run(files.ToArray());
    }

    /// <summary>Compiles and asserts that the rule compiled (no error diagnostics).</summary>
    public static GeneratorRun CompileOk(string query, string extraRuleToml = "", string type = "query", params (string Path, string Text)[] otherFiles)
    {
        var run = Compile(query, extraRuleToml, type, otherFiles);
        var errors = run.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "Unexpected errors:\n" + string.Join("\n", errors));
        Assert.True(run.Assembly is not null, "Generated code did not compile:\n" + string.Join("\n", run.CompileDiagnostics));
        return run;
    }
}

using System.Text;
using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Engine;

/// <summary>
/// Named rule sets: a rule folder's <c>RuleSet</c> metadata (<c>RuleGenRuleSet</c> on its files) puts its rules into
/// generated rule set classes of those names; files that name none stay in <c>RuleSet</c>.
/// </summary>
public sealed class NamedRuleSetTests
{
    private static (string, string) Rule(string path, string name, string id, string query) =>
        (path, GeneratorHarness.ElasticRule(query, name, id));

    private static Dictionary<string, string> Sets(string value) => new() { ["build_metadata.AdditionalFiles.RuleGenRuleSet"] = value };

    [Fact]
    public void Each_named_rule_set_holds_the_rules_of_the_folders_that_name_it()
    {
        var files = new[]
        {
            Rule("/rules/win/a.toml", "Windows A", "00000000-0000-4000-8000-00000000000a", "process.name:cmd.exe"),
            Rule("/rules/cloud/b.toml", "Cloud B", "00000000-0000-4000-8000-00000000000b", "cloud.provider:aws"),
            Rule("/rules/other/c.toml", "Other C", "00000000-0000-4000-8000-00000000000c", "event.kind:alert"),
        };
        var perFile = new Dictionary<string, Dictionary<string, string>>
        {
            ["/rules/win/a.toml"] = Sets("Windows,Everything"),
            ["/rules/cloud/b.toml"] = Sets("Cloud, Everything"),
        };
        using var run = GeneratorHarness.Run(files, null, perFile);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));

        string[] Names(string set) => Set(run, set).Rules.Select(r => r.Info.Name).ToArray();
        Assert.Equal(new[] { "Windows A" }, Names("Windows"));
        Assert.Equal(new[] { "Cloud B" }, Names("Cloud"));
        Assert.Equal(new[] { "Cloud B", "Windows A" }, Names("Everything"));
        Assert.Equal(new[] { "Other C" }, Names("RuleSet"));

        // Each set evaluates its own rules, with its own indexes.
        var matches = new int[4];
        var cmd = Encoding.UTF8.GetBytes("""{"process":{"name":"cmd.exe"},"cloud":{"provider":"aws"}}""");
        Assert.True(Set(run, "Everything").TryEvaluate(cmd, matches, out var count));
        Assert.Equal(new[] { 0, 1 }, matches[..count]);
        Assert.True(Set(run, "Windows").TryEvaluate(cmd, matches, out count));
        Assert.Equal(new[] { 0 }, matches[..count]);
        Assert.True(Set(run, "RuleSet").TryEvaluate(cmd, matches, out count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void Without_names_there_is_only_RuleSet()
    {
        using var run = GeneratorHarness.Run(Rule("/rules/a.toml", "A", "00000000-0000-4000-8000-00000000000a", "a:b"));
        Assert.Equal(new[] { "RuleSet.g.cs" }, run.Sources.Keys.Where(k => !k.StartsWith("Rules.", StringComparison.Ordinal) && k != "RuleMetadata.g.cs").ToArray());
        Assert.Single(run.RuleSet().Rules);
    }

    [Theory]
    [InlineData("not-valid")]
    [InlineData("Rules")]
    [InlineData("class")]
    public void A_name_that_is_not_a_class_name_is_an_error_naming_it(string name)
    {
        var files = new[] { Rule("/rules/a.toml", "A", "00000000-0000-4000-8000-00000000000a", "a:b") };
        using var run = GeneratorHarness.Run(files, null, new() { ["/rules/a.toml"] = Sets(name) });
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0401");
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains($"'{name}'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("/rules/a.toml", diagnostic.Location.GetLineSpan().Path);
    }

    private static IRuleSet Set(GeneratorRun run, string name)
    {
        Assert.True(run.Assembly is not null, string.Join("\n", run.CompileDiagnostics));
        var type = run.Assembly!.GetType("RuleGen.Generated." + name, throwOnError: true)!;
        return (IRuleSet)type.GetProperty("Instance")!.GetValue(null)!;
    }
}

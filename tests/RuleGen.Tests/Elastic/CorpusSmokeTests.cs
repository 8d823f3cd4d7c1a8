using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using RuleGen.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RuleGen.Tests.Elastic;

/// <summary>
/// Every <c>type = "query"</c> rule of Elastic's prebuilt rules (../shared/corpus/elastic) compiles without an error
/// diagnostic, and the generated code compiles. Skipped when ../shared is absent.
/// </summary>
public sealed class CorpusSmokeTests
{
    private static readonly Regex QueryType = new(@"^type\s*=\s*""query""\s*$", RegexOptions.Multiline);

    private readonly ITestOutputHelper _output;

    public CorpusSmokeTests(ITestOutputHelper output) => _output = output;

    private static (string Root, List<(string Path, string Text)> Files) QueryRules()
    {
        var root = Path.Combine(Repo.Shared!, "corpus", "elastic");
        var files = Directory.EnumerateFiles(root, "*.toml", SearchOption.AllDirectories)
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (Path: p, Text: File.ReadAllText(p)))
            .Where(f => QueryType.IsMatch(f.Text))
            .ToList();
        return (root, files);
    }

    [SkippableFact]
    public void Every_query_rule_of_the_elastic_corpus_compiles()
    {
        Skip.If(Repo.Shared is null, Repo.SharedMissing);
        var (root, files) = QueryRules();
        Assert.NotEmpty(files);

        // The generated code is type-checked, not emitted: 454 rules make megabytes of C#.
        using var run = GeneratorHarness.Run(files, new Dictionary<string, string> { ["build_property.ProjectDir"] = root }, null, load: false);
        var errors = run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} error(s):\n" + string.Join("\n", errors.Take(20)));
        var compileErrors = run.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(compileErrors.Count == 0, $"The generated code does not compile:\n" + string.Join("\n", compileErrors.Take(20)));
        Assert.Equal(files.Count, run.Sources.Keys.Count(k => k.StartsWith("Rules.", StringComparison.Ordinal)));

        var byId = run.GeneratorDiagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key).Select(g => $"{g.Key} x{g.Count()}");
        _output.WriteLine($"{files.Count} query rules compiled; other diagnostics: {string.Join(", ", byId)}");
        _output.WriteLine($"Generated code: {run.Sources.Count} files, {run.Sources.Values.Sum(s => (long)s.Length) / 1024} KiB");
    }

    [SkippableFact]
    public void Generator_time_on_the_corpus_query_rules_is_reported()
    {
        Skip.If(Repo.Shared is null, Repo.SharedMissing);
        var (root, files) = QueryRules();
        var texts = files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToList();
        var options = new TestOptionsProvider(new Dictionary<string, string> { ["build_property.ProjectDir"] = root });
        var compilation = GeneratorHarness.EmptyCompilation();

        // Generator only (parse, lower, plan, emit), not compiling its output: a first run in this process, then a
        // fresh driver again (warm JIT), as a build server would see it.
        var times = new List<TimeSpan>();
        for (var i = 0; i < 2; i++)
        {
            GeneratorDriver driver = GeneratorHarness.CreateDriver(texts, options);
            var watch = Stopwatch.StartNew();
            driver = driver.RunGenerators(compilation);
            watch.Stop();
            Assert.Null(driver.GetRunResult().Results.Single().Exception);
            times.Add(watch.Elapsed);
        }
        _output.WriteLine($"Generator on {files.Count} corpus query rules: first run {times[0].TotalMilliseconds:F0} ms, " +
            $"then {times[1].TotalMilliseconds:F0} ms (a fresh driver in a warm process)");
    }
}

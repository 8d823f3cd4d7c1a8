using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RuleGen.Generator;
using RuleGen.Runtime;

namespace RuleGen.Benchmarks;

/// <summary>
/// The compile-time budget (<c>--compile-budget</c>): RuleGen's generator run in process, as the compiler runs it,
/// over the whole SigmaHQ corpus plus every Elastic rule: how long the generator takes, how much code it writes,
/// how long the C# compiler takes over that code, and how long the generator takes again after one rule file is
/// edited (the incremental pipeline re-parses and re-emits that rule only).
/// </summary>
/// <remarks>
/// Wall-clock times of one run each, on a warmed-up process (the generator is run once on a small input first), with
/// the driver as the compiler creates it: without step tracking. Roslyn's step tracking (GeneratorDriverOptions.trackIncrementalGeneratorSteps)
/// records every step's inputs and outputs and costs tens of seconds at this size, so the step report comes from a
/// second driver with tracking, run after the timed ones.
/// </remarks>
public static class CompileBudget
{
    public static int Run(TextWriter output)
    {
        var elastic = Path.Combine(Catalog.SharedFolder, "corpus", "elastic");
        var sigma = Path.Combine(Catalog.SharedFolder, "corpus", "sigma");
        if (!Directory.Exists(elastic) || !Directory.Exists(sigma))
        {
            output.WriteLine($"compile budget: the corpora are missing under {Catalog.SharedFolder}");
            return 1;
        }
        var config = Path.Combine(Catalog.RepositoryRoot, "tests", "RuleGen.Conformance", "sigma-config.yml");
        var texts = new List<AdditionalText>();
        var perFile = new Dictionary<string, Dictionary<string, string>>();
        foreach (var root in new[] { elastic, sigma })
        {
            foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(RuleGenGenerator.IsRuleFile).Order(StringComparer.Ordinal))
            {
                texts.Add(new FileText(path, File.ReadAllText(path)));
                perFile[path] = new() { ["build_metadata.AdditionalFiles.RuleGenRoot"] = root };
            }
        }
        var rules = texts.Count;
        if (File.Exists(config))
        {
            texts.Add(new FileText(config, File.ReadAllText(config)));
            perFile[config] = new() { ["build_metadata.AdditionalFiles.RuleGenKind"] = "SigmaConfig" };
        }
        var options = new Options(new() { ["build_property.RuleGenNamespace"] = "Budget.Compiled" }, perFile);

        // Warm up the generator's code (JIT) on a handful of files.
        RunOnce(texts.Take(20).Concat(texts.Skip(rules)).ToList(), options, track: false, out _, out _);

        var watch = Stopwatch.StartNew();
        var driver = RunOnce(texts, options, track: false, out var compilation, out var generated);
        var generatorTime = watch.Elapsed;
        var firstTiming = driver.GetTimingInfo().ElapsedTime;
        var result = driver.GetRunResult();
        var sources = result.Results.SelectMany(r => r.GeneratedSources).ToList();
        var bytes = sources.Sum(s => (long)System.Text.Encoding.UTF8.GetByteCount(s.SourceText.ToString()));
        var lines = sources.Sum(s => (long)s.SourceText.Lines.Count);
        var errors = result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var ruleSet = sources.FirstOrDefault(s => s.HintName == "RuleSet.g.cs").SourceText?.ToString() ?? "";

        watch.Restart();
        using var stream = new MemoryStream();
        var emit = generated.Emit(stream);
        var compileTime = watch.Elapsed;

        // Edit one rule file (its description) and run the same driver again.
        var edited = texts.First(t => t.Path.EndsWith(".toml", StringComparison.Ordinal));
        // Inside the description's opening quote(s): most corpus rules write description = """...""", and an edit that
        // broke the TOML would drop the rule, shift every later rule's position and re-emit them all.
        var description = new System.Text.RegularExpressions.Regex("description = (\"\"\"|\")");
        var changed = new FileText(edited.Path, description.Replace(edited.GetText()!.ToString(), "$0Edited. ", 1));
        watch.Restart();
        driver = driver.ReplaceAdditionalText(edited, changed).RunGeneratorsAndUpdateCompilation(compilation, out _, out _);
        var incrementalTime = watch.Elapsed;
        var incrementalTiming = driver.GetTimingInfo().ElapsedTime;
        var editErrors = driver.GetRunResult().Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);

        // The same cold run and edit with step tracking, for the step report (and to show what tracking costs).
        watch.Restart();
        var tracked = RunOnce(texts, options, track: true, out var trackedCompilation, out _);
        var trackedFirstTime = watch.Elapsed;
        watch.Restart();
        tracked = tracked.ReplaceAdditionalText(edited, changed).RunGeneratorsAndUpdateCompilation(trackedCompilation, out _, out _);
        var trackedEditTime = watch.Elapsed;
        var incremental = tracked.GetRunResult().Results[0];

        output.WriteLine($"compile budget: {rules} rule files (Elastic and Sigma corpora), {sources.Count - 1} rules compiled, {errors} error diagnostics");
        output.WriteLine($"  generator, first run:        {generatorTime.TotalSeconds:F1} s");
        output.WriteLine($"  generated code:              {sources.Count} files, {bytes / 1e6:F1} MB, {lines:N0} lines (RuleSet.g.cs {ruleSet.Length / 1e6:F1} MB)");
        output.WriteLine($"  C# compile of it (emit):     {compileTime.TotalSeconds:F1} s ({(emit.Success ? "succeeded" : "FAILED: " + string.Join("; ", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(3)))}), assembly {stream.Length / 1e6:F1} MB");
        output.WriteLine($"  generator, first run, as the driver reports it: {firstTiming.TotalSeconds:F1} s");
        output.WriteLine($"  after editing one rule file: {incrementalTime.TotalSeconds:F2} s ({incrementalTiming.TotalSeconds:F2} s in the generator), {editErrors} error diagnostics");
        output.WriteLine($"  with step tracking (not how the compiler runs): first run {trackedFirstTime.TotalSeconds:F1} s, the edit {trackedEditTime.TotalSeconds:F2} s; steps of the edit:");
        foreach (var (name, steps) in incremental.TrackedSteps.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var outputs = steps.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Count()} {g.Key}");
            output.WriteLine($"    {name,-14} {steps.Sum(s => s.ElapsedTime.TotalMilliseconds),8:F0} ms  outputs: {string.Join(", ", outputs)}");
        }
        return emit.Success ? 0 : 1;
    }

    private static GeneratorDriver RunOnce(List<AdditionalText> texts, AnalyzerConfigOptionsProvider options, bool track, out CSharpCompilation compilation, out Compilation generated)
    {
        compilation = CSharpCompilation.Create("Budget",
            [CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Program { } }", new CSharpParseOptions(LanguageVersion.Latest))],
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new RuleGenGenerator().AsSourceGenerator()], texts,
            new CSharpParseOptions(LanguageVersion.Latest), options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out generated, out _);
        return driver;
    }

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .ToList();
        paths.Add(typeof(IRuleSet).Assembly.Location);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    private sealed class FileText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text, System.Text.Encoding.UTF8);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class Options(Dictionary<string, string> global, Dictionary<string, Dictionary<string, string>> perFile) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Values.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            perFile.TryGetValue(textFile.Path, out var values) ? new Values(values) : Values.Empty;

        private sealed class Values(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public static readonly Values Empty = new(new());

            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}

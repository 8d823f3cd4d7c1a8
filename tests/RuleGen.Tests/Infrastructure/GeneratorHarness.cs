using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RuleGen.Generator;
using RuleGen.Runtime;

namespace RuleGen.Tests.Infrastructure;

/// <summary>An in-memory rule file for the generator.</summary>
public sealed class InMemoryAdditionalText : AdditionalText
{
    private readonly SourceText _text;

    public InMemoryAdditionalText(string path, string text)
    {
        Path = path;
        _text = SourceText.From(text, System.Text.Encoding.UTF8);
    }

    public override string Path { get; }

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>Global and per-file MSBuild options as the generator reads them.</summary>
public sealed class TestOptionsProvider : AnalyzerConfigOptionsProvider
{
    private readonly TestOptions _global;
    private readonly Dictionary<string, TestOptions> _perFile;

    public TestOptionsProvider(Dictionary<string, string> global, Dictionary<string, Dictionary<string, string>>? perFile = null)
    {
        _global = new TestOptions(global);
        _perFile = (perFile ?? new()).ToDictionary(kv => kv.Key, kv => new TestOptions(kv.Value));
    }

    public override AnalyzerConfigOptions GlobalOptions => _global;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => TestOptions.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        _perFile.TryGetValue(textFile.Path, out var options) ? options : TestOptions.Empty;

    private sealed class TestOptions : AnalyzerConfigOptions
    {
        public static readonly TestOptions Empty = new(new Dictionary<string, string>());
        private readonly Dictionary<string, string> _values;

        public TestOptions(Dictionary<string, string> values) => _values = values;

        public override bool TryGetValue(string key, out string value) => _values.TryGetValue(key, out value!);
    }
}

/// <summary>The outcome of running the generator over some rule files and compiling the result.</summary>
public sealed class GeneratorRun : IDisposable
{
    private readonly AssemblyLoadContext? _context;

    internal GeneratorRun(ImmutableArray<Diagnostic> generatorDiagnostics, ImmutableArray<Diagnostic> compileDiagnostics,
        IReadOnlyDictionary<string, string> sources, Assembly? assembly, AssemblyLoadContext? context)
    {
        GeneratorDiagnostics = generatorDiagnostics;
        CompileDiagnostics = compileDiagnostics;
        Sources = sources;
        Assembly = assembly;
        _context = context;
    }

    /// <summary>What the generator reported about the rule files.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>Errors and warnings from compiling the generated code.</summary>
    public ImmutableArray<Diagnostic> CompileDiagnostics { get; }

    /// <summary>Generated files by hint name.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    public Assembly? Assembly { get; }

    /// <summary>The compiled rule set (namespace RuleGen.Generated unless set otherwise).</summary>
    public IRuleSet RuleSet(string ns = GeneratorOptions.DefaultNamespace)
    {
        Assert.True(Assembly is not null, "The generated code did not compile:\n" + string.Join("\n", CompileDiagnostics));
        var type = Assembly!.GetType(ns + ".RuleSet", throwOnError: true)!;
        return (IRuleSet)type.GetProperty("Instance")!.GetValue(null)!;
    }

    /// <summary>The compiled rule whose generated type is <paramref name="typeName"/> (nested in Rules).</summary>
    public CompiledRule Rule(string typeName, string ns = GeneratorOptions.DefaultNamespace)
    {
        var set = RuleSet(ns);
        var type = Assembly!.GetType($"{ns}.Rules+{typeName}", throwOnError: true)!;
        var info = type.GetProperty("Info")!.GetValue(null);
        return set.Rules.Single(r => ReferenceEquals(r.Info, info));
    }

    /// <summary>The only compiled rule.</summary>
    public CompiledRule SingleRule() => RuleSet().Rules.Single();

    /// <summary>Whether the only compiled rule matches <paramref name="json"/>, asked both ways (alone and through the rule set).</summary>
    public bool Matches(string json, MatchScope scope = MatchScope.Full)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var alone = SingleRule().IsMatch(bytes, scope);
        var matches = new int[4];
        var inSet = RuleSet().TryEvaluate(bytes, matches, out var count, scope) && count == 1;
        Assert.True(alone == inSet, $"The rule alone says {alone}, the rule set says {inSet}, for {json}");
        return alone;
    }

    /// <summary>
    /// Whether the rule whose generated type is <paramref name="typeName"/> matches <paramref name="json"/>, asked both
    /// ways: the rule alone (its own schema) and through the rule set (one scan with every rule's fields). Fails the
    /// test when the two disagree.
    /// </summary>
    public bool Matches(string typeName, string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var rule = Rule(typeName);
        var set = RuleSet();
        var alone = rule.IsMatch(bytes);
        var matches = new int[set.Rules.Count];
        var inSet = set.TryEvaluate(bytes, matches, out var count) && matches.AsSpan(0, count).Contains(rule.Index);
        Assert.True(alone == inSet, $"{typeName} alone says {alone}, the rule set says {inSet}, for {json}");
        return alone;
    }

    public void Dispose() => _context?.Unload();
}

/// <summary>
/// Runs RuleGen's generator in memory (CSharpGeneratorDriver), compiles the generated code against the running
/// framework and RuleGen.Runtime, and loads it into a collectible context so tests can call the matchers.
/// </summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .ToList();
        paths.Add(typeof(IRuleSet).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static CSharpCompilation EmptyCompilation(string assemblyName = "RuleGenTestRules") =>
        CSharpCompilation.Create(assemblyName,
            new[] { CSharpSyntaxTree.ParseText("namespace Consumer { internal static class Program { } }", new CSharpParseOptions(LanguageVersion.Latest)) },
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release,
                // Every warning wave on, as a consumer with AnalysisLevel=latest(-all) compiles: generated code must
                // compile without a warning under any setting (tests assert CompileDiagnostics empty).
                warningLevel: 9999));

    public static CSharpGeneratorDriver CreateDriver(IEnumerable<AdditionalText> files, AnalyzerConfigOptionsProvider? options = null, bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new RuleGenGenerator().AsSourceGenerator() },
            additionalTexts: files,
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            optionsProvider: options ?? new TestOptionsProvider(new Dictionary<string, string>()),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    public static GeneratorRun Run(params (string Path, string Text)[] files) => Run(files, null);

    public static GeneratorRun Run(IEnumerable<(string Path, string Text)> files, Dictionary<string, string>? globalOptions,
        Dictionary<string, Dictionary<string, string>>? perFileOptions = null) => Run(files, globalOptions, perFileOptions, load: true);

    /// <summary>
    /// Runs the generator and compiles its output. With <paramref name="load"/> false the generated code is only
    /// checked (compiler diagnostics, no IL emitted, nothing loaded): cheaper for large rule sets.
    /// </summary>
    public static GeneratorRun Run(IEnumerable<(string Path, string Text)> files, Dictionary<string, string>? globalOptions,
        Dictionary<string, Dictionary<string, string>>? perFileOptions, bool load)
    {
        var texts = files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToList();
        var driver = CreateDriver(texts, new TestOptionsProvider(globalOptions ?? new(), perFileOptions));
        var ran = driver.RunGeneratorsAndUpdateCompilation(EmptyCompilation(), out var output, out var generatorDiagnostics);
        var runResult = ran.GetRunResult();
        var sources = runResult.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        var allGeneratorDiagnostics = generatorDiagnostics.AddRange(runResult.Diagnostics).Distinct().ToImmutableArray();

        if (!load)
        {
            var checkedDiagnostics = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
            return new GeneratorRun(allGeneratorDiagnostics, checkedDiagnostics, sources, null, null);
        }

        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        var compileDiagnostics = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
        if (!emit.Success) return new GeneratorRun(allGeneratorDiagnostics, compileDiagnostics, sources, null, null);
        stream.Position = 0;
        var context = new AssemblyLoadContext("rulegen-test-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        context.Resolving += (ctx, name) => name.Name == "RuleGen.Runtime" ? typeof(IRuleSet).Assembly : null;
        var assembly = context.LoadFromStream(stream);
        return new GeneratorRun(allGeneratorDiagnostics, compileDiagnostics, sources, assembly, context);
    }

    /// <summary>Compiles one Elastic KQL rule from just its query, with defaults for the other keys.</summary>
    public static string ElasticRule(string query, string name = "Test Rule", string ruleId = "00000000-0000-4000-8000-000000000001", string type = "query", string language = "kuery") =>
        $"""
        [metadata]
        creation_date = "2026/11/27"
        maturity = "production"

        [rule]
        author = ["RuleGen tests"]
        description = "A rule made for a test."
        name = "{name}"
        risk_score = 21
        rule_id = "{ruleId}"
        severity = "low"
        type = "{type}"
        language = "{language}"
        query = '''
        {query}
        '''
        """;
}

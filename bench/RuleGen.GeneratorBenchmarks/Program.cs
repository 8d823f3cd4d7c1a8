using System.Collections.Immutable;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Running;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using RuleGen.Generator;

BenchmarkRunner.Run<ElasticCorpusGeneration>(args: args);

/// <summary>
/// The generator over the 729 active kuery rules of ../shared/corpus/elastic: a cold run (every rule parsed,
/// lowered and emitted) and an incremental run after one rule file changed (that rule alone is redone).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class ElasticCorpusGeneration
{
    private List<AdditionalText> _rules = new();
    private CSharpCompilation _compilation = null!;
    private GeneratorDriver _warm = null!;
    private AdditionalText _edited = null!;
    private AdditionalText _editedVersion = null!;

    [GlobalSetup]
    public void Setup()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RuleGen.sln"))) dir = dir.Parent;
        var corpus = Path.Combine(dir!.FullName, "..", "shared", "corpus", "elastic");
        var kuery = new Regex("^language = \"kuery\"", RegexOptions.Multiline);
        var type = new Regex("^type = \"(query|new_terms|threshold|threat_match)\"", RegexOptions.Multiline);
        _rules = Directory.EnumerateFiles(corpus, "*.toml", SearchOption.AllDirectories)
            .Select(p => (Path: p, Text: File.ReadAllText(p)))
            .Where(f => kuery.IsMatch(f.Text) && type.IsMatch(f.Text))
            .Select(f => (AdditionalText)new Rule(f.Path, f.Text))
            .ToList();
        if (_rules.Count != 729) throw new InvalidOperationException($"Expected 729 kuery rules, found {_rules.Count}");
        _compilation = CSharpCompilation.Create("Bench", new[] { CSharpSyntaxTree.ParseText("class C { }") },
            new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) });
        _warm = Driver().RunGenerators(_compilation);
        _edited = _rules[100];
        _editedVersion = new Rule(_edited.Path, _edited.GetText()!.ToString().Replace("severity = \"", "severity = \"x"));
        var sources = _warm.GetRunResult().Results.SelectMany(r => r.GeneratedSources).ToList();
        Console.WriteLine($"// generated: {sources.Count} files, {sources.Sum(s => (long)s.SourceText.Length):N0} characters");
        var errors = _warm.GetRunResult().Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (sources.Count != 730 || errors.Count > 0)
            throw new InvalidOperationException($"The rules did not all compile ({errors.Count} errors), e.g. {errors.FirstOrDefault()}");
    }

    private GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        new[] { new RuleGenGenerator().AsSourceGenerator() }, additionalTexts: _rules,
        parseOptions: new CSharpParseOptions(LanguageVersion.Latest));

    [Benchmark(Description = "cold: 729 kuery rules")]
    public GeneratorDriver Cold() => Driver().RunGenerators(_compilation);

    [Benchmark(Description = "incremental: one rule edited")]
    public GeneratorDriver OneRuleEdited() => _warm.ReplaceAdditionalText(_edited, _editedVersion).RunGenerators(_compilation);

    private sealed class Rule : AdditionalText
    {
        private readonly SourceText _text;
        public Rule(string path, string text) { Path = path; _text = SourceText.From(text); }
        public override string Path { get; }
        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }
}

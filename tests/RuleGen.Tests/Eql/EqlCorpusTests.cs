using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Elastic;
using RuleGen.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RuleGen.Tests.Eql;

/// <summary>Every active EQL rule of Elastic's prebuilt rules (../shared/corpus/elastic) compiles.</summary>
public sealed class EqlCorpusTests
{
    private readonly ITestOutputHelper _output;

    public EqlCorpusTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public void Every_eql_rule_of_the_elastic_corpus_compiles_without_errors()
    {
        Skip.If(Repo.Shared is null, Repo.SharedMissing);
        var root = Path.Combine(Repo.Shared!, "corpus", "elastic");
        var eql = 0;
        var sequences = 0;
        var samples = 0;
        var failures = new List<string>();
        foreach (var path in Directory.EnumerateFiles(root, "*.toml", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
        {
            var text = File.ReadAllText(path);
            if (!text.Contains("type = \"eql\"", StringComparison.Ordinal)) continue;
            var model = ElasticRuleParser.Parse(path, text);
            if (model.Metadata.Type != "eql") continue;
            eql++;
            if (model.Sequence?.Kind == SequenceKind.Sequence) sequences++;
            if (model.Sequence?.Kind == SequenceKind.Sample) samples++;
            foreach (var d in model.Diagnostics.Where(d => d.IsError)) failures.Add($"{d.Location}: {d.Id} {d.Message}");
            if (!model.IsCompiled && !model.Diagnostics.Any(d => d.IsError)) failures.Add($"{path}: not compiled, no error");
        }
        foreach (var f in failures.Take(200)) _output.WriteLine(f);
        _output.WriteLine($"{eql} EQL rules, {sequences} sequences, {samples} samples, {failures.Count} errors");
        Assert.Equal(1024, eql);
        Assert.Equal(198, sequences);
        Assert.Equal(3, samples);
        Assert.Empty(failures);
    }
}

using System.Diagnostics;
using RuleGen.Generator;
using RuleGen.Generator.Emit;
using RuleGen.Generator.RuleFormats.Sigma;
using RuleGen.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RuleGen.Tests.Sigma;

/// <summary>
/// Every rule of SigmaHQ's corpus (../shared/corpus/sigma) parses, lowers and emits without an error diagnostic, with
/// the conformance project's placeholder values. Compiling the emitted C# is the conformance project's build.
/// </summary>
public sealed class SigmaCorpusTests
{
    private readonly ITestOutputHelper _output;

    public SigmaCorpusTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public void Every_sigma_corpus_rule_compiles_without_error_in_both_profiles()
    {
        Skip.If(Repo.Shared is null, Repo.SharedMissing);
        var root = Path.Combine(Repo.Shared!, "corpus", "sigma");
        var configPath = Path.Combine(Repo.Root, "tests", "RuleGen.Conformance", "sigma-config.yml");
        var config = SigmaConfig.Parse(configPath, File.ReadAllText(configPath));
        Assert.Empty(config.Diagnostics);
        var files = Directory.GetFiles(root, "*.yml", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.Equal(3780, files.Count);
        foreach (var profile in new[] { "flat", "ecs" })
        {
            var watch = Stopwatch.StartNew();
            var errors = new List<string>();
            var notCompiled = new List<string>();
            var ids = new Dictionary<string, int>();
            long emitted = 0;
            var compiled = 0;
            foreach (var file in files)
            {
                var input = new RuleFileInput(file, Path.GetRelativePath(root, file), File.ReadAllText(file), profile);
                foreach (var model in RuleGenGenerator.ParseRules(input, config))
                {
                    foreach (var d in model.Diagnostics.Where(d => d.IsError || d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Warning))
                        errors.Add($"{d.Location}: {d.Id} {d.Message}");
                    foreach (var d in model.Diagnostics) ids[d.Id] = ids.TryGetValue(d.Id, out var n) ? n + 1 : 1;
                    if (!model.IsCompiled)
                    {
                        notCompiled.Add(file);
                        continue;
                    }
                    compiled++;
                    emitted += RuleEmitter.Emit(new RuleEmitInput(model, "R" + compiled, "Corpus", model.DisplayPath)).Length;
                }
            }
            watch.Stop();
            _output.WriteLine($"{profile}: {compiled}/{files.Count} rules compiled, parse+lower+emit {watch.ElapsedMilliseconds} ms (one pass, not a benchmark), " +
                $"{emitted / 1024} KiB of rule code; diagnostics by id: {string.Join(", ", ids.OrderBy(i => i.Key).Select(i => i.Key + "=" + i.Value))}");
            foreach (var e in errors.Take(50)) _output.WriteLine(e);
            Assert.Empty(errors);
            Assert.Empty(notCompiled);
        }
    }
}

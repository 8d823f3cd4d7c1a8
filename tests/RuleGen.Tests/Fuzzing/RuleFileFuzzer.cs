using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using RuleGen.Generator;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Emit;
using RuleGen.Generator.FieldTypes;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;
using RuleGen.Generator.RuleFormats.Sigma;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Fuzzing;

/// <summary>What went wrong with one fuzzed file.</summary>
public sealed record FuzzFailure(string Target, string Kind, string Detail, string SavedAs);

/// <summary>
/// Feeds rule files to the generator's pure steps (parse, name, emit: what the incremental pipeline runs, without
/// Roslyn) and checks the oracle: no exception, no RG0009, no file taking over 5 s, every diagnostic located inside the
/// file it is about. A sample of the files that parse without error also goes through the real generator and the
/// compiler, whose generated code must compile.
/// </summary>
public sealed class RuleFileFuzzer
{
    /// <summary>
    /// A file that takes longer is a hang: over this much CPU time of the process (which also counts its GC threads, so
    /// it overstates the file's own), or over <see cref="WallLimit"/> of wall time whatever the CPU.
    /// </summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a file may take in wall time while the process has used less than <see cref="HangLimit"/> of CPU: on
    /// the shared 2-core machine, with parallel builds and the run at nice 15, a file of 1 s of CPU could take 5 s.
    /// </summary>
    public static readonly TimeSpan WallLimit = TimeSpan.FromSeconds(60);

    private const string SeedSigmaRule =
        "title: Config Probe\nid: c0ff1600-0000-4000-8000-000000000001\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    selection:\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains: 'whoami'\n        User|expand: '%Admins%'\n    condition: selection\nlevel: low\n";

    private static readonly string SeedElasticRules = GeneratorHarness.ElasticRule("my.addr:10.0.0.0/8 and my.name:Admin and event.code > 4000 and my.when >= now-1d and my.text:hello");

    private static readonly string SeedEqlRule = GeneratorHarness.ElasticRule("process where my.addr == \"10.1.2.3\" and my.name : \"adm*\" and event.code > 4000", ruleId: "eql-probe", language: "eql", type: "eql");

    private readonly string _failureFolder;
    private readonly List<(FuzzTarget Target, string Path, string Text)> _compileQueue = new();

    public RuleFileFuzzer(string failureFolder) => _failureFolder = failureFolder;

    public Dictionary<string, long> FilesPerTarget { get; } = new(StringComparer.Ordinal);

    public List<FuzzFailure> Failures { get; } = new();

    public long Files => FilesPerTarget.Values.Sum();

    public long Crashes => Failures.Count(f => f.Kind is "exception" or "RG0009" or "compile-error");

    public long Hangs => Failures.Count(f => f.Kind == "hang");

    public long Unlocated => Failures.Count(f => f.Kind == "unlocated");

    public long Compiled { get; private set; }

    public TimeSpan Slowest { get; private set; }

    public string SlowestWhat { get; private set; } = "";

    /// <summary>Files that took over a second of wall time (under the hang limit, but worth a look), with their times.</summary>
    public List<string> SlowFiles { get; } = new();

    /// <summary>Fuzzes one file; a hang stops the caller's run (its thread cannot be stopped and keeps a core).</summary>
    public bool Check(FuzzTarget target, string text, string what)
    {
        FilesPerTarget[target.Name] = FilesPerTarget.GetValueOrDefault(target.Name) + 1;
        var path = "/rules/fuzz" + target.Extension;
        var watch = Stopwatch.StartNew();
        var cpuBefore = ProcessCpu();
        var task = Task.Run(() => Oracle(target, path, text));
        if (!task.Wait(HangLimit))
        {
            // Wall time is not the file's alone on a loaded machine: it hangs when it also used the limit in CPU time.
            while (!task.Wait(TimeSpan.FromMilliseconds(200)))
            {
                var cpu = ProcessCpu() - cpuBefore;
                if (cpu > HangLimit || watch.Elapsed > WallLimit)
                {
                    Fail(target, "hang", $"over {HangLimit.TotalSeconds} s ({cpu.TotalSeconds:N1} s of CPU time, {watch.Elapsed.TotalSeconds:N1} s of wall time): {what}", text);
                    return false;
                }
            }
        }
        var cpuTime = ProcessCpu() - cpuBefore;
        if (cpuTime > Slowest) (Slowest, SlowestWhat) = (cpuTime, $"{target.Name}: {what}; {watch.Elapsed.TotalMilliseconds:N0} ms of wall time");
        if (watch.Elapsed > TimeSpan.FromSeconds(1)) SlowFiles.Add($"{watch.Elapsed.TotalMilliseconds:N0} ms ({cpuTime.TotalMilliseconds:N0} ms of CPU): {target.Name}: {what}");
        foreach (var (kind, detail) in task.Result) Fail(target, kind, detail + " (" + what + ")", text);
        if (task.Result.Count == 0 && Compilable(target, path, text)) _compileQueue.Add((target, path, text));
        return true;
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private void Fail(FuzzTarget target, string kind, string detail, string text)
    {
        Directory.CreateDirectory(_failureFolder);
        var saved = Path.Combine(_failureFolder, $"{target.Name}-{Failures.Count:D4}-{kind}{target.Extension}");
        // A mutated file may hold lone surrogates, which strict UTF-8 refuses; the saved copy has U+FFFD for them.
        File.WriteAllText(saved, text, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false));
        Failures.Add(new FuzzFailure(target.Name, kind, detail, saved));
    }

    /// <summary>The oracle over the pure pipeline steps; the problems found, as (kind, detail).</summary>
    public static List<(string Kind, string Detail)> Oracle(FuzzTarget target, string path, string text)
    {
        var problems = new List<(string, string)>();
        try
        {
            var diagnostics = new List<DiagnosticInfo>();
            switch (target.Kind)
            {
                case FuzzFileKind.RuleFile:
                    diagnostics.AddRange(Pipeline(new RuleFileInput(path, path, text), SigmaConfig.Empty));
                    break;
                case FuzzFileKind.SigmaConfig:
                    var config = SigmaConfig.Parse(path, text);
                    diagnostics.AddRange(config.Diagnostics);
                    // The config's profiles and placeholders shape how a rule compiles: run a rule through each profile.
                    foreach (var profile in config.Profiles.Select(p => p.Name).Append("").Distinct().Take(4))
                        diagnostics.AddRange(Pipeline(new RuleFileInput("/rules/probe.yml", "/rules/probe.yml", SeedSigmaRule, profile), config).Where(d => d.Location.Path != "/rules/probe.yml"));
                    break;
                case FuzzFileKind.FieldTypes:
                    var types = FieldTypeOverrides.Parse(new[] { (path, text) }, null);
                    diagnostics.AddRange(types.Diagnostics);
                    diagnostics.AddRange(Pipeline(new RuleFileInput("/rules/probe.toml", "/rules/probe.toml", SeedElasticRules) { FieldTypes = types }, SigmaConfig.Empty).Where(d => d.Location.Path != "/rules/probe.toml"));
                    diagnostics.AddRange(Pipeline(new RuleFileInput("/rules/probe_eql.toml", "/rules/probe_eql.toml", SeedEqlRule) { FieldTypes = types }, SigmaConfig.Empty).Where(d => d.Location.Path != "/rules/probe_eql.toml"));
                    break;
            }
            // Once per file, not per diagnostic: a file of 4,000 correlations has thousands, and counting its lines
            // for each made the oracle itself quadratic.
            var lastLine = LastLine(path, text);
            foreach (var d in diagnostics)
            {
                if (d.Id == DiagnosticDescriptors.InternalError.Id) problems.Add(("RG0009", d.Message));
                else if (!IsInside(d.Location, path, text, lastLine)) problems.Add(("unlocated", $"{d.Id} at {d.Location} [{d.Location.Start}+{d.Location.Length} of {text.Length}]: {d.Message}"));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problems.Add(("exception", ex.GetType().Name + ": " + ex.Message + " " + TopFrame(ex)));
        }
        return problems;
    }

    /// <summary>Parse, name, emit each rule and the rule sets, as the incremental pipeline does; the diagnostics of all steps.</summary>
    private static IEnumerable<DiagnosticInfo> Pipeline(RuleFileInput file, SigmaConfig config)
    {
        var models = RuleGenGenerator.ParseRules(file, config);
        var named = RuleGenGenerator.NameRules(models, new GeneratorOptions(GeneratorOptions.DefaultNamespace, ""), config);
        var emitted = named.Rules.Select(RuleGenGenerator.EmitRule).Where(e => e.Error is not null).Select(e => e.Error!).ToList();
        foreach (var plan in RuleSetPlan.ForEachName(named.Namespace, named.Rules, named.Correlations)) _ = RuleSetEmitter.Emit(plan);
        return models.SelectMany(m => m.Diagnostics).Concat(named.Diagnostics).Concat(emitted).ToList();
    }

    /// <summary>Whether a diagnostic names the file and a span and line inside it (a file-start location counts).</summary>
    public static bool IsInside(SourceLocation location, string path, string text) => IsInside(location, path, text, LastLine(path, text));

    private static bool IsInside(SourceLocation location, string path, string text, int lastLine)
    {
        if (location.Path != path) return false;
        if (location.Start < 0 || location.Length < 0 || location.Start + location.Length > text.Length) return false;
        return location.StartLine >= 0 && location.StartLine <= location.EndLine && location.EndLine <= lastLine;
    }

    /// <summary>The file's last line (0-based), as the generator counts lines (<c>\r</c>, <c>\n</c> and <c>\r\n</c> each end one).</summary>
    private static int LastLine(string path, string text) => new LineMap(path, text).Position(text.Length).Line;

    private static string TopFrame(Exception ex)
    {
        var frame = new StackTrace(ex, fNeedFileInfo: false).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("RuleGen", StringComparison.Ordinal) == true);
        var method = frame?.GetMethod();
        return method is null ? "" : $"at {method.DeclaringType?.FullName}.{method.Name}";
    }

    private static bool Compilable(FuzzTarget target, string path, string text)
    {
        if (target.Kind != FuzzFileKind.RuleFile) return true;
        var models = RuleGenGenerator.ParseRules(new RuleFileInput(path, path, text), SigmaConfig.Empty);
        return models.Any(m => m.IsCompiled) && !models.Any(m => m.Diagnostics.Any(d => d.IsError));
    }

    /// <summary>
    /// Runs every <paramref name="every"/>th queued file through the real generator and the compiler, in batches;
    /// each batch must have no generator failure, no unlocated diagnostic and generated code without errors.
    /// </summary>
    public void CompileSample(int every, int batchSize, TimeSpan budget)
    {
        var watch = Stopwatch.StartNew();
        var sample = _compileQueue.Where((_, i) => i % every == 0).ToList();
        _compileQueue.Clear();
        foreach (var batch in sample.Chunk(batchSize))
        {
            if (watch.Elapsed > budget) break;
            var files = new List<(string Path, string Text)>();
            var perFile = new Dictionary<string, Dictionary<string, string>>();
            var texts = new Dictionary<string, string>();
            for (var i = 0; i < batch.Length; i++)
            {
                var (target, _, text) = batch[i];
                var path = target.Kind switch
                {
                    FuzzFileKind.SigmaConfig => $"/config/c{i}.yml",
                    FuzzFileKind.FieldTypes => $"/types/t{i}.fieldtypes.tsv",
                    _ => $"/rules/{target.Name}_{i}{target.Extension}",
                };
                if (target.Kind == FuzzFileKind.SigmaConfig) perFile[path] = new() { ["build_metadata.AdditionalFiles.RuleGenKind"] = "SigmaConfig" };
                files.Add((path, text));
                texts[path] = text;
            }
            // Configs and declarations need rules to act on.
            if (batch.Any(b => b.Target.Kind == FuzzFileKind.SigmaConfig)) files.Add(("/rules/probe.yml", SeedSigmaRule));
            if (batch.Any(b => b.Target.Kind == FuzzFileKind.FieldTypes)) files.Add(("/rules/probe.toml", SeedElasticRules));
            using var run = GeneratorHarness.Run(files, null, perFile, load: false);
            Compiled += batch.Length;
            var targetOf = batch.Select((b, i) => (b.Target, Path: files[i].Path)).ToDictionary(x => x.Path, x => x.Target);
            foreach (var d in run.GeneratorDiagnostics)
            {
                var where = d.Location.GetLineSpan().Path;
                var target = targetOf.GetValueOrDefault(where) ?? batch[0].Target;
                var text = texts.GetValueOrDefault(where) ?? string.Join("\n---- next file ----\n", batch.Select(b => b.Text));
                if (d.Id == DiagnosticDescriptors.InternalError.Id || d.Id.StartsWith("CS", StringComparison.Ordinal))
                    Fail(target, "RG0009", "generator: " + d, text);
                else if (d.Location.Kind == LocationKind.None || !files.Any(f => f.Path == where))
                    Fail(target, "unlocated", "generator: " + d, text);
            }
            foreach (var d in run.CompileDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(3))
                Fail(batch[0].Target, "compile-error", d.ToString(), string.Join("\n---- next file ----\n", batch.Select(b => b.Path + "\n" + b.Text)));
        }
    }

    /// <summary>The totals line the long run prints and the README quotes.</summary>
    public string Totals(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture,
        $"rule files fuzzed: {Files:N0} ({string.Join(", ", FilesPerTarget.Select(kv => $"{kv.Key} {kv.Value:N0}"))}), crashes: {Crashes}, hangs over 5 s: {Hangs}, unlocated diagnostics: {Unlocated}; compiled with the real generator and compiler: {Compiled:N0}; slowest file {Slowest.TotalMilliseconds:N0} ms of CPU time ({SlowestWhat}); {elapsed.TotalSeconds:N0} s");

    /// <summary>
    /// The file the run with <paramref name="seed"/> fed to <paramref name="targetName"/> at <paramref name="iteration"/>,
    /// made again: the same random sequence, replayed without checking the files before it.
    /// </summary>
    public static (string Text, string What) Regenerate(IReadOnlyList<FuzzTarget> targets, int seed, long iteration, string targetName)
    {
        var random = new Random(seed);
        var mutator = new TextMutator(random);
        for (long i = 0; ; i++)
        {
            foreach (var target in targets)
            {
                var seedIndex = random.Next(target.Seeds.Count);
                var text = mutator.Mutate(target.Seeds[seedIndex], target.Specials);
                if (i == iteration && target.Name == targetName)
                    return (text, $"seed {seed}, iteration {i}, seed file {seedIndex}, {string.Join("+", mutator.Applied)}");
            }
        }
    }

    /// <summary>
    /// The fuzz run: every hostile file of every target once, then <paramref name="mutationsPerTarget"/> mutations
    /// of seeds per target (round robin, so a time limit cuts all targets alike), then the compile sample.
    /// </summary>
    public void Run(IReadOnlyList<FuzzTarget> targets, int seed, long mutationsPerTarget, TimeSpan timeLimit, int compileEvery, TimeSpan compileBudget)
    {
        var watch = Stopwatch.StartNew();
        foreach (var target in targets)
        {
            foreach (var (what, text) in target.HostileFiles())
            {
                if (!Check(target, text, "hostile: " + what)) return;
            }
        }
        var random = new Random(seed);
        var mutator = new TextMutator(random);
        for (long i = 0; i < mutationsPerTarget && watch.Elapsed < timeLimit; i++)
        {
            foreach (var target in targets)
            {
                var seedIndex = random.Next(target.Seeds.Count);
                var text = mutator.Mutate(target.Seeds[seedIndex], target.Specials);
                if (!Check(target, text, $"seed {seed}, iteration {i}, seed file {seedIndex}, {string.Join("+", mutator.Applied)}")) return;
            }
        }
        CompileSample(compileEvery, 16, compileBudget);
    }
}

using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RuleGen.Benchmarks;
using RuleGen.Runtime;

// dotnet run -c Release --project bench/RuleGen.Benchmarks [-- options]; see Usage.
const string Usage = """
    RuleGen benchmarks: the floor, the baseline interpreter and the generated rule sets over the same events.

    options:
      --rows TEXT     only rows whose name contains TEXT (several --rows: any of them); names look like
                      ecs:floor, ecs:RuleGen:ElasticRules, structured_windows:Interpreter:SigmaRules
      --no-interpreter  leave out the baseline interpreter rows (they take minutes)
      --quick         a short job (fewer, shorter iterations): for trying things, not for reporting
      --no-verify     skip the check that each interpreter agrees with its rule set before measuring
      --list          list the rows and exit
      --profile ROW [SECONDS]  instead of benchmarks: run one row's pass in a loop (default 20 s), for a
                      sampling profiler (perf record with DOTNET_PerfMapEnabled=1)
      --compile-budget  instead of benchmarks: run the generator over the whole Elastic and Sigma corpora
                      (generator time, generated code size, C# compile time, one-rule edit)
      --redos         instead of the rows: the ReDoS probes over a 50 KB value (RedosBenchmarks), one event
                      per operation; with --quick, BenchmarkDotNet's short job
      --evtx          instead of the rows: the EVTX reader over ../shared/real-logs/evtx on one core, reading
                      and rendering every record for the scanner (EvtxBenchmarks); MB/s of .evtx after the table
      --timeout-precision  instead of benchmarks: how precisely regex match timeouts of 1 to 50 ms fire here
      --floor FILE...  instead of benchmarks: the floor as a whole process (read every token of every line of the
                      NDJSON files, nothing else), for end-to-end ratios against rulegen scan over the same files
      --regex-timeout MS  the match timeout of regexes that need backtracking (default 10; see RegexText)
    The table is printed at the end and written to BenchmarkDotNet.Artifacts/results/rulegen-performance.md.
    """;

var filters = new List<string>();
bool quick = false, verify = true, list = false, interpreter = true, budget = false, redos = false, evtx = false;
string? profile = null;
var profileSeconds = 20.0;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows" when i + 1 < args.Length: filters.Add(args[++i]); break;
        case "--quick": quick = true; break;
        case "--no-verify": verify = false; break;
        case "--no-interpreter": interpreter = false; break;
        case "--list": list = true; break;
        case "--compile-budget": budget = true; break;
        case "--redos": redos = true; break;
        case "--evtx": evtx = true; break;
        case "--timeout-precision": return TimeoutPrecision.Run(Console.Out);
        case "--floor": return FloorProgram.Run(args.Skip(i + 1).ToList(), Console.Out);
        case "--regex-timeout" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0:
            RegexText.MatchTimeout = TimeSpan.FromMilliseconds(milliseconds);
            i++;
            break;
        case "--profile" when i + 1 < args.Length:
            profile = args[++i];
            if (i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var seconds))
            {
                profileSeconds = seconds;
                i++;
            }
            break;
        case "-h" or "--help": Console.WriteLine(Usage); return 0;
        default: Console.Error.WriteLine($"unknown argument '{args[i]}'\n{Usage}"); return 2;
    }
}

if (budget) return CompileBudget.Run(Console.Out);
if (evtx)
{
    var evtxJob = quick ? Job.ShortRun.WithId("short") : Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1).WithId("rulegen");
    var evtxConfig = ManualConfig.CreateEmpty()
        .AddJob(evtxJob.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddLogger(ConsoleLogger.Default)
        .AddExporter(MarkdownExporter.GitHub)
        .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
        .WithOptions(ConfigOptions.DisableLogFile);
    var evtxSummary = BenchmarkRunner.Run<EvtxBenchmarks>(evtxConfig);
    foreach (var report in evtxSummary.Reports)
    {
        if (report.ResultStatistics is not { } statistics) continue;
        var set = (string)report.BenchmarkCase.Parameters["Set"];
        var bytes = EvtxBenchmarks.Load(set).Sum(f => (long)f.Length);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "evtx {0}: {1:N1} MB of .evtx in {2:N2} ms: {3:N1} MB/s (one core)",
            set, bytes / 1e6, statistics.Mean / 1e6, bytes / 1e6 / (statistics.Mean / 1e9)));
    }
    return 0;
}
if (redos)
{
    var redosJob = quick ? Job.ShortRun.WithId("short") : Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1).WithId("rulegen");
    var redosConfig = ManualConfig.CreateEmpty()
        .AddJob(redosJob.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddLogger(ConsoleLogger.Default)
        .AddExporter(MarkdownExporter.GitHub)
        .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
        .WithOptions(ConfigOptions.DisableLogFile);
    Console.WriteLine($"regex match timeout (backtracking patterns): {RegexText.MatchTimeout.TotalMilliseconds:N0} ms");
    BenchmarkRunner.Run<RedosBenchmarks>(redosConfig);
    return 0;
}
if (profile is not null)
{
    var row = Catalog.All().FirstOrDefault(r => r.ToString() == profile);
    if (row is null || Catalog.Missing(row) is not null)
    {
        Console.Error.WriteLine($"no such row (or it cannot run): {profile}");
        return 1;
    }
    if (row.Engine == Engine.RuleGen && Catalog.RuleSet(row.RuleSet) is IIndexedRuleSet indexed)
        Console.WriteLine(CandidateFacts.Describe(indexed, Catalog.Stream(row.Stream), row.Scope));
    var bench = new EngineBenchmarks { Workload = row };
    bench.Setup();
    var watch = System.Diagnostics.Stopwatch.StartNew();
    long passes = 0;
    while (watch.Elapsed.TotalSeconds < profileSeconds)
    {
        bench.Pass();
        passes++;
    }
    var events = passes * Catalog.Stream(row.Stream).Count;
    Console.WriteLine($"{row}: {passes} passes, {watch.Elapsed.TotalNanoseconds / events:F0} ns/event (wall clock, no warm-up excluded)");
    return 0;
}

var rows = Catalog.All()
    .Where(w => filters.Count == 0 || filters.Any(f => w.ToString().Contains(f, StringComparison.Ordinal)))
    .Where(w => interpreter || w.Engine != Engine.Interpreter)
    .ToList();
// A row needs the floor of its stream in the same run for its ratio.
foreach (var stream in rows.Select(r => r.Stream).Distinct().ToList())
{
    if (!rows.Any(r => r.Stream == stream && r.Engine == Engine.Floor)) rows.Insert(0, Catalog.All().First(r => r.Stream == stream && r.Engine == Engine.Floor));
}
foreach (var row in rows.ToList())
{
    if (Catalog.Missing(row) is { } why)
    {
        Console.WriteLine($"skipped {row}: {why}");
        rows.Remove(row);
    }
}
if (list)
{
    foreach (var row in rows) Console.WriteLine(row);
    return 0;
}
if (rows.Count == 0)
{
    Console.Error.WriteLine("nothing to run");
    return 1;
}

var facts = RuleSetFacts.Describe(rows);
Console.WriteLine(facts);
if (verify && !InterpreterCheck.Run(rows, Console.Out)) return 1;

// Rows whose pass takes minutes (the interpreter over the whole Sigma corpus) get a short job of their own, with a
// longer in-process time limit: a first pass (BenchmarkDotNet's jitting run) and two measured passes.
var slow = rows.Where(Catalog.IsSlow).ToList();
var summaries = new List<BenchmarkDotNet.Reports.Summary>();
foreach (var (selected, job) in new[]
{
    (rows.Except(slow).ToList(), (quick ? Job.ShortRun.WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(100))
        : Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1)).WithId(quick ? "quick" : "rulegen")),
    (slow, Job.Default.WithWarmupCount(0).WithIterationCount(quick ? 1 : 2).WithInvocationCount(1).WithUnrollFactor(1).WithLaunchCount(1).WithId("slow")),
})
{
    if (selected.Count == 0) continue;
    Catalog.Selected = selected;
    var config = ManualConfig.CreateEmpty()
        .AddJob(job.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true)))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddLogger(ConsoleLogger.Default)
        .AddExporter(MarkdownExporter.GitHub)
        .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
        .WithOptions(ConfigOptions.DisableLogFile);
    summaries.Add(BenchmarkRunner.Run<EngineBenchmarks>(config));
}

var table = ResultTable.Build(summaries, rows);
Console.WriteLine();
Console.WriteLine(table);
var output = Path.Combine(summaries[0].ResultsDirectoryPath, "rulegen-performance.md");
File.WriteAllText(output, table + Environment.NewLine + facts);
Console.WriteLine($"(written to {output})");
return 0;

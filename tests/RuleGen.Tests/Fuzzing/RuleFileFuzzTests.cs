using System.Diagnostics;
using Xunit.Abstractions;

namespace RuleGen.Tests.Fuzzing;

/// <summary>
/// Fuzzes every rule-file parser (Elastic TOML with KQL, EQL and its other languages; Sigma YAML with detections and
/// conditions; Sigma correlations; Sigma configs; field-type declarations): a short fixed-seed run in the suite and,
/// with RULEGEN_FUZZ_ITERATIONS set, the long run the README quotes.
/// </summary>
public sealed class RuleFileFuzzTests(ITestOutputHelper output)
{
    private static string FailureFolder => Path.Combine(Path.GetTempPath(), "rulegen-fuzz", "rule-files");

    private void Report(RuleFileFuzzer fuzzer, TimeSpan elapsed)
    {
        var totals = fuzzer.Totals(elapsed);
        output.WriteLine(totals);
        Console.WriteLine(totals);
        foreach (var slow in fuzzer.SlowFiles.Take(40)) output.WriteLine("slow: " + slow);
        foreach (var f in fuzzer.Failures.Take(40)) output.WriteLine($"{f.Target} {f.Kind}: {f.Detail} (saved as {f.SavedAs})");
    }

    [Fact]
    public void Mutated_rule_files_never_crash_hang_or_get_unlocated_diagnostics_and_what_parses_compiles()
    {
        var watch = Stopwatch.StartNew();
        var fuzzer = new RuleFileFuzzer(FailureFolder);
        fuzzer.Run(FuzzTarget.All(seedsPerTarget: 40), seed: 15_2026, mutationsPerTarget: 250, timeLimit: TimeSpan.FromSeconds(25), compileEvery: 40, compileBudget: TimeSpan.FromSeconds(10));
        Report(fuzzer, watch.Elapsed);
        Assert.Empty(fuzzer.Failures.Select(f => $"{f.Target} {f.Kind}: {f.Detail} (saved as {f.SavedAs})"));
    }

    /// <summary>
    /// Runs one failing file again, with its time: RULEGEN_FUZZ_REPLAY is a saved file (its target is the start of its
    /// name, as the fuzzer saves it) or <c>TARGET:SEED:ITERATION</c>, which makes the file again (the long run's seed
    /// corpus, 400 files per target; RULEGEN_FUZZ_SEEDS_PER_TARGET for the suite's 40).
    /// </summary>
    [SkippableFact]
    public void Replay_one_rule_file()
    {
        var replay = Environment.GetEnvironmentVariable("RULEGEN_FUZZ_REPLAY");
        Skip.If(string.IsNullOrEmpty(replay), "set RULEGEN_FUZZ_REPLAY to a saved file or to TARGET:SEED:ITERATION");
        var seedsPerTarget = Environment.GetEnvironmentVariable("RULEGEN_FUZZ_SEEDS_PER_TARGET") is { Length: > 0 } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 400;
        var targets = FuzzTarget.All(seedsPerTarget);
        string text, what;
        FuzzTarget target;
        if (File.Exists(replay))
        {
            var name = Path.GetFileName(replay!);
            target = targets.Where(t => name.StartsWith(t.Name + "-", StringComparison.Ordinal)).OrderByDescending(t => t.Name.Length).First();
            // As saved: a leading BOM is part of the fuzzed text (File.ReadAllText would drop it).
            (text, what) = (System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(replay!)), "saved file " + replay);
        }
        else
        {
            var parts = replay!.Split(':');
            target = targets.Single(t => t.Name == parts[0]);
            (text, what) = RuleFileFuzzer.Regenerate(targets, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), target.Name);
        }
        // RULEGEN_FUZZ_REPLAY_SAVE: a file to write the text to, for a closer look.
        if (Environment.GetEnvironmentVariable("RULEGEN_FUZZ_REPLAY_SAVE") is { Length: > 0 } save)
            File.WriteAllText(save, text, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false));
        var watch = Stopwatch.StartNew();
        // On a thread-pool thread, as the fuzz run checks a file (its stack is smaller than the test thread's).
        var problems = Task.Run(() => RuleFileFuzzer.Oracle(target, "/rules/fuzz" + target.Extension, text)).GetAwaiter().GetResult();
        output.WriteLine($"{target.Name}, {text.Length:N0} characters, {what}: {watch.Elapsed.TotalMilliseconds:N0} ms");
        foreach (var (kind, detail) in problems) output.WriteLine($"{kind}: {detail}");
        Assert.Empty(problems);
        Assert.True(watch.Elapsed < RuleFileFuzzer.HangLimit, $"took {watch.Elapsed}");
    }

    [SkippableFact]
    public void Long_run_over_rule_files()
    {
        var iterations = Environment.GetEnvironmentVariable("RULEGEN_FUZZ_ITERATIONS");
        Skip.If(string.IsNullOrEmpty(iterations), "set RULEGEN_FUZZ_ITERATIONS (mutations per parser) for the long run");
        var seconds = Environment.GetEnvironmentVariable("RULEGEN_FUZZ_SECONDS") is { Length: > 0 } s ? double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 3600;
        var seed = Environment.GetEnvironmentVariable("RULEGEN_FUZZ_SEED") is { Length: > 0 } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : 15_2026;
        var watch = Stopwatch.StartNew();
        var fuzzer = new RuleFileFuzzer(FailureFolder);
        fuzzer.Run(FuzzTarget.All(seedsPerTarget: 400), seed, long.Parse(iterations!, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(seconds),
            compileEvery: 50, compileBudget: TimeSpan.FromSeconds(Math.Max(30, seconds / 10)));
        Report(fuzzer, watch.Elapsed);
        Assert.Empty(fuzzer.Failures.Select(f => $"{f.Target} {f.Kind}: {f.Detail} (saved as {f.SavedAs})"));
    }
}

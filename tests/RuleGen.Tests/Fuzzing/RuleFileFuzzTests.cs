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

using System.Diagnostics;
using System.Globalization;
using RuleGen.Tests.Host;
using Xunit.Abstractions;

namespace RuleGen.Tests.Fuzzing;

/// <summary>
/// Fuzzes the event scanner and <c>rulegen scan</c> with mutated event lines: a short fixed-seed run in the suite and,
/// with RULEGEN_FUZZ_EVENTS set, the long run the README quotes.
/// </summary>
public sealed class EventLineFuzzTests(ITestOutputHelper output)
{
    private void Report(EventLineFuzzer fuzzer, TimeSpan elapsed)
    {
        var totals = fuzzer.Totals(elapsed);
        output.WriteLine(totals);
        Console.WriteLine(totals);
        foreach (var f in fuzzer.Failures.Take(40)) output.WriteLine(f);
    }

    [Fact]
    public void Mutated_event_lines_never_crash_the_scanner_or_the_host_and_the_counts_add_up()
    {
        var watch = Stopwatch.StartNew();
        var fuzzer = new EventLineFuzzer(new Random(15_2026));
        fuzzer.Run(HostHarness.HostRules, lines: 30_000, hostBatch: 5_000, timeLimit: TimeSpan.FromSeconds(15));
        Report(fuzzer, watch.Elapsed);
        Assert.Empty(fuzzer.Failures);
    }

    [SkippableFact]
    public void Long_run_over_event_lines()
    {
        var lines = Environment.GetEnvironmentVariable("RULEGEN_FUZZ_EVENTS");
        Skip.If(string.IsNullOrEmpty(lines), "set RULEGEN_FUZZ_EVENTS (event lines) for the long run");
        var seconds = Environment.GetEnvironmentVariable("RULEGEN_FUZZ_SECONDS") is { Length: > 0 } s ? double.Parse(s, CultureInfo.InvariantCulture) : 3600;
        var seed = Environment.GetEnvironmentVariable("RULEGEN_FUZZ_SEED") is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : 15_2026;
        var watch = Stopwatch.StartNew();
        var fuzzer = new EventLineFuzzer(new Random(seed));
        fuzzer.Run(HostHarness.HostRules, long.Parse(lines!, CultureInfo.InvariantCulture), hostBatch: 50_000, TimeSpan.FromSeconds(seconds));
        Report(fuzzer, watch.Elapsed);
        Assert.Empty(fuzzer.Failures);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using RuleGen.Runtime;

namespace RuleGen.Benchmarks;

/// <summary>
/// How precisely a regex match timeout fires on this machine: the lookbehind probe's pattern (exponential for the
/// backtracking engine) over the 50 KB hostile value, through <see cref="RegexText"/> as generated code calls it, timed
/// from the call to its "no match" for several timeouts. .NET compares a match's time with
/// <see cref="Environment.TickCount64"/>, which on Linux moves in steps of the kernel tick, so the spread is about one
/// step whatever the timeout.
/// </summary>
public static class TimeoutPrecision
{
    public static int Run(TextWriter output, int samples = 40)
    {
        var value = System.Text.Encoding.UTF8.GetBytes(new string('a', RedosBenchmarks.ValueLength) + "!");
        output.WriteLine($"Environment.TickCount64 step: {TickStep()} ms (smallest change seen over 200 ms)");
        output.WriteLine("| timeout ms | samples | min ms | median ms | p90 ms | max ms | timeouts counted |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var milliseconds in new[] { 1, 2, 5, 10, 20, 50 })
        {
            var rule = "precision:" + milliseconds.ToString(CultureInfo.InvariantCulture);
            var regex = new ThreadRegex(@"(?<!x)(a+)+$", RegexOptions.CultureInvariant | RegexOptions.Compiled, rule, TimeSpan.FromMilliseconds(milliseconds));
            RegexText.IsMatch(regex, value); // builds and compiles the engine
            var times = new List<double>();
            for (var i = 0; i < samples; i++)
            {
                var started = Stopwatch.GetTimestamp();
                if (RegexText.IsMatch(regex, value)) throw new InvalidOperationException("the probe matched");
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            times.Sort();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {milliseconds} | {samples} | {times[0]:F2} | {times[samples / 2]:F2} | {times[samples * 9 / 10]:F2} | {times[^1]:F2} | {RegexTimeouts.Of(rule)} |"));
        }
        return 0;
    }

    private static long TickStep()
    {
        var watch = Stopwatch.StartNew();
        var last = Environment.TickCount64;
        var step = long.MaxValue;
        while (watch.ElapsedMilliseconds < 200)
        {
            var now = Environment.TickCount64;
            if (now != last) step = Math.Min(step, now - last);
            last = now;
        }
        return step;
    }
}

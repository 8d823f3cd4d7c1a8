using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RuleGen.Host;
using RuleGen.Host.Detection;
using Xunit.Abstractions;
using static RuleGen.Tests.Host.HostHarness;

namespace RuleGen.Tests.Host;

/// <summary>
/// <c>--state</c> survives crashes: a damaged state file stops the scan with a message that names it and says what to
/// do (never a stack trace, never a silently empty state), and a scan killed with SIGKILL at random moments and
/// started again writes exactly the alerts of an uninterrupted scan (<see cref="KillTest"/>).
/// </summary>
public sealed class CrashSafeStateTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A real state file: the sample scanned with --state (pending events, a checkpoint, counts).</summary>
    private (string Directory, byte[] Bytes) RealState()
    {
        var directory = Path.Combine(_folder.Path, "state");
        var result = Run(["scan", "--state", directory, "-o", _folder.File("alerts.ndjson"), SamplePath]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return (directory, File.ReadAllBytes(Path.Combine(directory, ScanDetection.StateFileName)));
    }

    private HostResult ScanWithState(string directory, byte[] stateBytes)
    {
        var path = Path.Combine(directory, ScanDetection.StateFileName);
        File.WriteAllBytes(path, stateBytes);
        var result = Run(["scan", "--state", directory, "-o", _folder.File("alerts.ndjson"), SamplePath]);
        // Whatever happened, the state file is as it was.
        Assert.Equal(stateBytes, File.ReadAllBytes(path));
        return result;
    }

    private static void AssertRefused(HostResult result, string directory)
    {
        Assert.True(result.ExitCode == ExitCodes.StateError, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Contains($"rulegen: cannot use the state file '{Path.Combine(directory, ScanDetection.StateFileName)}': ", result.Stderr);
        Assert.Contains("Nothing was scanned and the file is left as it is: restore it from a backup, or move it away", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
    }

    [Fact]
    public void A_truncated_state_file_is_refused_at_every_offset()
    {
        var (directory, bytes) = RealState();
        // Every offset of the end (where the checksum is), then a spread over the rest.
        var offsets = Enumerable.Range(0, 120).Select(i => bytes.Length - 1 - i)
            .Concat(Enumerable.Range(0, 60).Select(i => (int)((long)bytes.Length * i / 60)))
            .Where(n => n >= 0 && n < bytes.Length - 1).Distinct();
        foreach (var length in offsets) AssertRefused(ScanWithState(directory, bytes[..length]), directory);
    }

    [Fact]
    public void A_state_file_with_a_flipped_byte_is_refused()
    {
        var (directory, bytes) = RealState();
        var random = new Random(4);
        for (var n = 0; n < 150; n++)
        {
            var damaged = (byte[])bytes.Clone();
            var at = n < 100 ? random.Next(bytes.Length - 1) : bytes.Length - 2 - (n - 100);
            damaged[at] ^= (byte)(1 << random.Next(8));
            AssertRefused(ScanWithState(directory, damaged), directory);
        }
    }

    [Fact]
    public void A_state_file_that_is_not_json_or_empty_is_refused()
    {
        var (directory, _) = RealState();
        AssertRefused(ScanWithState(directory, []), directory);
        AssertRefused(ScanWithState(directory, Encoding.UTF8.GetBytes("not a state")), directory);
        AssertRefused(ScanWithState(directory, Encoding.UTF8.GetBytes("{\"format\":\"rulegen-state/1\",\"engine\":[1,2]}")), directory);
    }

    [Fact]
    public void The_state_is_written_by_renaming_a_temporary_file_that_is_then_gone()
    {
        var (directory, bytes) = RealState();
        Assert.Equal(new[] { ScanDetection.StateFileName }, Directory.GetFiles(directory).Select(Path.GetFileName));
        Assert.EndsWith("\"}\n", Encoding.UTF8.GetString(bytes));
        Assert.Contains(",\"sha256\":\"", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void The_same_command_again_after_it_finished_scans_nothing_and_keeps_the_alerts()
    {
        var directory = Path.Combine(_folder.Path, "state");
        var alerts = _folder.File("alerts.ndjson");
        var first = Run(["scan", "--state", directory, "-o", alerts, SamplePath]);
        var written = File.ReadAllText(alerts);
        var again = Run(["scan", "--state", directory, "-o", alerts, SamplePath]);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already covers these inputs to their end: nothing is left to scan", again.Stderr);
        Assert.Equal(written, File.ReadAllText(alerts));
        Assert.Contains("scanned 12 events", again.Stderr);
        Assert.Contains("alerts: 3", first.Stderr);
        Assert.Contains("alerts: 3", again.Stderr);
    }

    [Fact]
    public void A_checkpoint_of_these_inputs_needs_the_same_alerts_file_and_all_of_it()
    {
        var directory = Path.Combine(_folder.Path, "state");
        var alerts = _folder.File("alerts.ndjson");
        Assert.Equal(0, Run(["scan", "--state", directory, "-o", alerts, SamplePath]).ExitCode);
        var elsewhere = Run(["scan", "--state", directory, "-o", _folder.File("other.ndjson"), SamplePath]);
        Assert.Equal(ExitCodes.StateError, elsewhere.ExitCode);
        Assert.Contains($"whose alerts go to '{alerts}'", elsewhere.Stderr);
        File.WriteAllText(alerts, "");
        var shorter = Run(["scan", "--state", directory, "-o", alerts, SamplePath]);
        Assert.Equal(ExitCodes.StateError, shorter.ExitCode);
        Assert.Contains("fewer than the", shorter.Stderr);
    }

    [Fact]
    public void A_scan_killed_at_random_moments_and_started_again_writes_each_alert_once()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("RULEGEN_KILL_RUNS"), CultureInfo.InvariantCulture, out var n) ? n : 3;
        var figures = KillTest.Run(_folder.Path, runs, output.WriteLine);
        output.WriteLine(figures.ToString());
        Assert.True(figures.Kills > 0, "no run was killed");
        Assert.Equal(0, figures.Lost);
        Assert.Equal(0, figures.Duplicated);
    }
}

/// <summary>
/// The kill test: the built <c>rulegen</c> scans a stream of many events that raise many alerts (the seed rule over
/// made-up Azure packet-capture events) with <c>--state</c>, <c>-o</c> and a checkpoint after every batch; it is
/// killed (SIGKILL) at random moments and started again with the same command until it finishes. Its alerts are
/// then compared with those of an uninterrupted scan, by <c>kibana.alert.uuid</c>.
/// </summary>
public static class KillTest
{
    public sealed record Figures(int Runs, int Kills, int Resumed, int Lost, int Duplicated, long AlertsPerRun)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Runs} runs, {Lost} lost, {Duplicated} duplicated ({Kills} kills, {Resumed} restarts resumed from a checkpoint; {AlertsPerRun:N0} alerts per run)");
    }

    /// <summary>Events every 2 s, every second one matching: 75 alerts per 5-minute execution, under max_signals.</summary>
    private static void WriteEvents(string path, int count)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        var start = new DateTime(2026, 11, 2, 8, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < count; i++)
        {
            var time = start.AddSeconds(2 * i).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var outcome = i % 2 == 0 ? "Success" : "failure";
            writer.Write($"{{\"@timestamp\":\"{time}\",\"event\":{{\"dataset\":\"azure.activitylogs\",\"ingested\":\"{time}\",\"outcome\":\"{outcome}\"}},");
            writer.Write($"\"azure\":{{\"activitylogs\":{{\"operation_name\":\"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE\"}}}},\"n\":{i}}}\n");
        }
    }

    public static Figures Run(string folder, int runs, Action<string> log, int events = 80_000)
    {
        var input = Path.Combine(folder, "kill-events.ndjson");
        WriteEvents(input, events);
        var baseline = Path.Combine(folder, "baseline.ndjson");
        var clock = Stopwatch.StartNew();
        var (code, stderr) = Scan(Path.Combine(folder, "baseline-state"), baseline, input, killAfter: null);
        if (code != 0) throw new InvalidOperationException($"the uninterrupted scan failed ({code}): {stderr}");
        var uninterrupted = clock.Elapsed;
        var expected = Uuids(baseline);
        var random = new Random(Environment.TickCount);
        int kills = 0, resumed = 0, lost = 0, duplicated = 0;
        for (var run = 0; run < runs; run++)
        {
            var state = Path.Combine(folder, "state-" + run.ToString(CultureInfo.InvariantCulture));
            var alerts = Path.Combine(folder, "alerts-" + run.ToString(CultureInfo.InvariantCulture) + ".ndjson");
            // One to three kills at random moments of a run, then a run to the end. A scan that ends before its kill
            // is started over from nothing, with the estimate of a whole scan's time lowered to what it took.
            var killsThisRun = 1 + random.Next(3);
            var attempts = 0;
            var killed = 0;
            while (true)
            {
                var started = Stopwatch.StartNew();
                // Kills land anywhere from the process's start to near the end of a whole scan's time.
                TimeSpan? killAfter = killed < killsThisRun ? uninterrupted * 0.9 * random.NextDouble() : null;
                (code, stderr) = Scan(state, alerts, input, killAfter);
                attempts++;
                if (stderr.Contains("rulegen: resuming the scan of these inputs after", StringComparison.Ordinal)) resumed++;
                if (killAfter is not null && code == -1)
                {
                    killed++;
                    continue;
                }
                if (code != 0) throw new InvalidOperationException($"the scan failed ({code}): {stderr}");
                if (killed > 0) break;
                uninterrupted = started.Elapsed;
                Directory.Delete(state, recursive: true);
                File.Delete(alerts);
            }
            kills += killed;
            var actual = Uuids(alerts);
            var runLost = expected.Keys.Sum(k => Math.Max(0, expected[k] - actual.GetValueOrDefault(k)));
            var runDuplicated = actual.Keys.Sum(k => Math.Max(0, actual[k] - expected.GetValueOrDefault(k)));
            lost += runLost;
            duplicated += runDuplicated;
            log(string.Create(CultureInfo.InvariantCulture, $"run {run + 1}: {attempts} starts, {actual.Values.Sum():N0} alerts, {runLost} lost, {runDuplicated} duplicated"));
        }
        return new Figures(runs, kills, resumed, lost, duplicated, expected.Values.Sum());
    }

    private static Dictionary<string, int> Uuids(string alerts)
    {
        var counts = new Dictionary<string, int>();
        foreach (var line in File.ReadLines(alerts))
        {
            using var document = JsonDocument.Parse(line);
            var uuid = document.RootElement.GetProperty("kibana.alert.uuid").GetString()!;
            counts[uuid] = counts.GetValueOrDefault(uuid) + 1;
        }
        return counts;
    }

    /// <summary>Runs the built rulegen; kills it (SIGKILL) after <paramref name="killAfter"/> unless it ended first.</summary>
    private static (int Code, string Stderr) Scan(string state, string alerts, string input, TimeSpan? killAfter)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "rulegen.dll"), "scan", "--state", state, "--final", "--checkpoint", "0", "-o", alerts, input })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        if (killAfter is { } delay && !process.WaitForExit(delay))
        {
            process.Kill();
            process.WaitForExit();
            return (-1, "killed: " + stderr.Result);
        }
        if (!process.WaitForExit(120_000)) throw new TimeoutException("rulegen did not finish within two minutes");
        return (process.ExitCode, stderr.Result);
    }
}

using RuleGen.Host;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using static RuleGen.Tests.Host.HostHarness;

namespace RuleGen.Tests.Host;

/// <summary>
/// The built <c>rulegen</c> executable run as a process (it is copied beside the tests): real exit codes, a real
/// piped stdin, and stderr that is not a terminal. Most host behaviour is tested in process (ScanInputTests).
/// </summary>
public sealed class RulegenProcessTests
{
    private static (int ExitCode, string Stdout, string Stderr) Rulegen(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Infrastructure.Repo.Root,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rulegen.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(60_000), "rulegen did not finish within a minute");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Rulegen_scans_piped_stdin_reports_a_malformed_line_and_exits_0()
    {
        var input = File.ReadAllText(SamplePath) + "{not json}\n";
        var (code, stdout, stderr) = Rulegen(input, "scan", "-");
        Assert.Equal(0, code);
        var alerts = HostResult.ParseNdjson(stdout);
        Assert.Equal(new long[] { 1, 3, 5, 11 }, alerts.Where(a => a.GetProperty("kibana.alert.rule.rule_id").GetString() == SeedRuleId)
            .Select(a => a.GetProperty("rulegen.input.line").GetInt64()));
        Assert.Contains("rulegen: <stdin>:13: malformed line skipped", stderr);
        Assert.Contains("rulegen: scanned 12 events", stderr);
        Assert.Contains("malformed lines: 1 (skipped: <stdin>:13)", stderr);
        Assert.DoesNotContain('\r', stderr);
    }

    [Fact]
    public void Rulegen_exits_1_for_a_missing_input_file()
    {
        var (code, stdout, stderr) = Rulegen(null, "scan", "samples/no-such-file.ndjson");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("rulegen: input file not found: samples/no-such-file.ndjson", stderr);
    }

    [Fact]
    public void Rulegen_exits_2_for_a_wrong_command_line()
    {
        var (code, _, stderr) = Rulegen(null, "scan");
        Assert.Equal(2, code);
        Assert.Contains("scan needs at least one INPUT", stderr);
    }

    [Fact]
    public void Rulegen_version_prints_the_version_and_exits_0()
    {
        var (code, stdout, _) = Rulegen(null, "--version");
        Assert.Equal(0, code);
        Assert.StartsWith(typeof(ExitCodes).Assembly.GetName().Version!.ToString(3), stdout);
    }

    [Fact]
    public void Rulegen_rules_lists_the_seed_rule()
    {
        var (code, stdout, _) = Rulegen(null, "rules");
        Assert.Equal(0, code);
        Assert.Contains("3ad77ed4-4dcf-4c51-8bfc-e3f7ce316b2f\tquery\tkuery\tmedium\tAzure Full Network Packet Capture Detected\telastic/azure_full_network_packet_capture_detected.toml\n", stdout);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [SkippableFact]
    public void Sigint_then_sigterm_stop_a_scan_with_its_alerts_flushed_and_a_partial_summary()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "sends POSIX signals with libc kill");
        using var temp = new TempFolder();
        var alertsFile = temp.File("alerts.ndjson");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Infrastructure.Repo.Root,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "rulegen.dll"), "scan", "--threads", "2", "-o", alertsFile, "-" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();

        // A large input that does not end before the signal: the sample's events, fed until the process stops reading.
        var sample = File.ReadAllText(SamplePath);
        long fed = 0;
        var feeder = Task.Run(() =>
        {
            try
            {
                while (!process.HasExited)
                {
                    process.StandardInput.Write(sample);
                    fed++;
                }
            }
            catch (IOException)
            {
                // The process has stopped reading.
            }
        });
        var watch = Stopwatch.StartNew();
        while (Interlocked.Read(ref fed) < 2000 && watch.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(20);
        Assert.True(Interlocked.Read(ref fed) >= 2000, "rulegen did not read its input");
        Assert.Equal(0, kill(process.Id, 2)); // SIGINT
        Thread.Sleep(100);
        if (!process.HasExited) kill(process.Id, 15); // SIGTERM, while it may still be stopping
        Assert.True(process.WaitForExit(30_000), "rulegen did not stop within 30 s of SIGINT and SIGTERM");
        feeder.Wait(TimeSpan.FromSeconds(10));

        Assert.Equal(ExitCodes.Stopped, process.ExitCode);
        var messages = stderr.Result;
        Assert.Contains("rulegen: stopped by a signal (Ctrl-C or SIGTERM) after ", messages);
        Assert.Contains("Partial summary:", messages);
        Assert.DoesNotContain('\r', messages);
        // The events the partial summary counts are fewer than those fed: the stop came before the end of the input.
        var scanned = long.Parse(Regex.Match(messages, @"scanned ([\d,]+) events").Groups[1].Value.Replace(",", ""));
        Assert.InRange(scanned, 1, Interlocked.Read(ref fed) * 12);

        // Every alert written is one whole, valid JSON document on its line, and the summary counts exactly those.
        var text = File.ReadAllText(alertsFile);
        Assert.True(text.Length == 0 || text.EndsWith('\n'), "the alerts file ends with a whole line");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
        {
            using var alert = JsonDocument.Parse(line);
            Assert.Equal(SeedRuleId, alert.RootElement.GetProperty("kibana.alert.rule.rule_id").GetString());
        }
        var summarized = long.Parse(Regex.Match(messages, @"\n  alerts: ([\d,]+)").Groups[1].Value.Replace(",", ""));
        Assert.Equal(summarized, lines.Length);
        Assert.True(lines.Length > 0, "some alerts were written before the stop");
    }
}

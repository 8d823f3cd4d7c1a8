using System.Diagnostics;
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
    public void Rulegen_rules_lists_the_seed_rule()
    {
        var (code, stdout, _) = Rulegen(null, "rules");
        Assert.Equal(0, code);
        Assert.Contains("3ad77ed4-4dcf-4c51-8bfc-e3f7ce316b2f\tquery\tkuery\tmedium\tAzure Full Network Packet Capture Detected\telastic/azure_full_network_packet_capture_detected.toml\n", stdout);
    }
}

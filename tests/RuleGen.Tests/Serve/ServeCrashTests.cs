using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using RuleGen.Host;
using RuleGen.Host.Serve;
using RuleGen.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RuleGen.Tests.Serve;

/// <summary>
/// The crash test of issue 19: events that raise known alerts from the seed rule, a threshold rule, an EQL sequence
/// and a Sigma correlation (tests/RuleGen.ServeHost) are published; two rulegen serve processes run them, one is
/// killed with SIGKILL at a random moment three times and started again each time; the alerts stream must then hold
/// exactly the kibana.alert.uuid set that an uninterrupted rulegen scan of the same file writes: none lost, none twice.
/// RULEGEN_SERVE_CRASH_EVENTS sets the event count (default 200,000); RULEGEN_SERVE_CRASH_SEED the kill times' seed.
/// </summary>
public sealed class ServeCrashTests(ITestOutputHelper output)
{
    private static string HostDll
    {
        get
        {
            var configuration = typeof(ServeCrashTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            return Path.Combine(Repo.Root, "tests", "RuleGen.ServeHost", "bin", configuration, "net10.0", "rulegen-serve-test.dll");
        }
    }

    private static Process Start(string logPath, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        start.ArgumentList.Add(HostDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var log = TextWriter.Synchronized(new StreamWriter(logPath, append: true) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Run(string logPath, params string[] args)
    {
        using var process = Start(logPath, args);
        Assert.True(process.WaitForExit(120_000), $"rulegen-serve-test {args[0]} did not finish");
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"rulegen-serve-test {string.Join(' ', args)} exited with {process.ExitCode}: {File.ReadAllText(logPath)}");
    }

    [SkippableFact]
    public async Task Two_instances_one_killed_three_times_publish_exactly_the_alerts_of_an_uninterrupted_scan()
    {
        Skip.If(NatsServer.Binary is null, NatsServer.Missing);
        Assert.True(File.Exists(HostDll), $"{HostDll} is missing: the test project builds tests/RuleGen.ServeHost first (project reference).");
        var count = int.TryParse(Environment.GetEnvironmentVariable("RULEGEN_SERVE_CRASH_EVENTS"), out var n) ? n : 200_000;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RULEGEN_SERVE_CRASH_SEED"), out var s) ? s : Environment.TickCount;
        output.WriteLine($"events {count:N0}, kill seed {seed} (RULEGEN_SERVE_CRASH_SEED={seed} repeats the kill times)");
        var random = new Random(seed);

        await using var server = await NatsServer.StartAsync();
        var folder = server.Folder;
        var events = Path.Combine(folder, "events.ndjson");
        var log = Path.Combine(folder, "rulegen.log");
        var clock = Stopwatch.StartNew();
        Run(log, "generate-events", events, count.ToString(CultureInfo.InvariantCulture));

        // The reference: one uninterrupted scan of the same file.
        var scanned = Path.Combine(folder, "scan.ndjson");
        Run(log, "scan", "--no-progress", events, "-o", scanned);
        var expected = File.ReadLines(scanned).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kibana.alert.uuid").GetString()!).ToList();
        var byRule = File.ReadLines(scanned).GroupBy(l => JsonDocument.Parse(l).RootElement.GetProperty("kibana.alert.rule.rule_id").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"scan: {expected.Count} alerts ({string.Join(", ", byRule.Select(r => $"{r.Key}: {r.Value}"))}) at {clock.Elapsed.TotalSeconds:0.0}s");
        // Every kind of alert the test is about is there (the seed rule, threshold, EQL sequence, Sigma correlation).
        foreach (var rule in new[] { Host.HostHarness.SeedRuleId, "5e000000-0000-4000-8000-000000000001", "5e000000-0000-4000-8000-000000000002", "5e000000-0000-4000-8000-000000000003" })
            Assert.True(byRule.GetValueOrDefault(rule) > 0, $"the scan raised no alert of rule {rule}");

        var publish = new PublishOptions { Inputs = [events], Subject = "events.{host.name}", Stream = "EVENTS", Connection = new NatsConnectOptions { Url = server.Url }, Quiet = true };
        Assert.Equal(0, await PublishCommand.RunAsync(publish, new HostConsole(Stream.Null, Stream.Null, TextWriter.Null, false, TimeProvider.System)));
        var published = File.ReadLines(events).Count();
        output.WriteLine($"published {published:N0} at {clock.Elapsed.TotalSeconds:0.0}s");

        string[] Serve(string id) =>
        [
            "serve", "--nats", server.Url, "--stream", "EVENTS", "--subjects", "events.*", "--alerts-subject", "alerts.rulegen",
            "--lease-ttl", "2s", "--checkpoint", "300ms", "--batch", "500", "--instance-id", id,
        ];
        var options = new ServeOptions { Stream = "EVENTS", Subjects = "events.*", AlertsSubject = "alerts.rulegen" };
        var steady = Start(log, Serve("steady"));
        var victimLog = Path.Combine(folder, "victim-0.log");
        var victim = Start(victimLog, Serve("victim"));
        try
        {
            for (var kill = 1; kill <= 3; kill++)
            {
                // Once the victim owns partitions (its log says so), a random moment while they are being processed.
                var owning = DateTime.UtcNow.AddSeconds(30);
                while (!File.ReadAllText(victimLog).Contains("claimed partition"))
                {
                    Assert.True(DateTime.UtcNow < owning, "the victim claimed no partition within 30s");
                    await Task.Delay(50);
                }
                var delay = TimeSpan.FromMilliseconds(random.Next(50, 1500));
                await Task.Delay(delay);
                var covered = await ServeTests.CheckpointedEvents(server, options);
                victim.Kill();
                await victim.WaitForExitAsync();
                victim.Dispose();
                output.WriteLine($"SIGKILL {kill} {delay.TotalMilliseconds:0} ms after the victim claimed partitions ({covered:N0} of {published:N0} events checkpointed) at {clock.Elapsed.TotalSeconds:0.0}s");
                Assert.True(covered < published, "the kill came after every event was processed: it tests nothing");
                victimLog = Path.Combine(folder, $"victim-{kill}.log");
                victim = Start(victimLog, Serve("victim"));
            }
            var deadline = DateTime.UtcNow.AddSeconds(150);
            long done;
            while ((done = await ServeTests.CheckpointedEvents(server, options)) < published)
            {
                Assert.True(DateTime.UtcNow < deadline, $"only {done:N0} of {published:N0} events were checkpointed in time; log: {log}");
                Assert.False(steady.HasExited, "the steady instance exited");
                await Task.Delay(200);
            }
            Assert.Equal(published, done);
            output.WriteLine($"every event checkpointed at {clock.Elapsed.TotalSeconds:0.0}s");
        }
        finally
        {
            foreach (var process in new[] { steady, victim })
            {
                if (!process.HasExited) process.Kill();
                process.WaitForExit();
                process.Dispose();
            }
        }

        var alerts = await server.AlertUuidsAsync();
        var duplicated = alerts.GroupBy(a => a).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var lost = expected.Except(alerts).ToList();
        var extra = alerts.Except(expected).ToList();
        output.WriteLine($"alerts stream: {alerts.Count} alerts; lost {lost.Count}, duplicated {duplicated.Count}, not in the scan {extra.Count}");
        Assert.Empty(lost);
        Assert.Empty(duplicated);
        Assert.Empty(extra);
        Assert.Equal(expected.Count, alerts.Count);
        // The malformed lines of the input: dead-lettered once each.
        Assert.Equal(3, (await server.ReadStreamAsync("RULEGEN_DEADLETTER")).Count);
        // Partitions moved: checkpoints were restored (by the steady instance after a kill, by the victim after a restart).
        Assert.Contains("restored the checkpoint", File.ReadAllText(log) + string.Concat(Directory.GetFiles(folder, "victim-*.log").Select(File.ReadAllText)));
    }
}

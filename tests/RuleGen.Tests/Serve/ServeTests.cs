using System.Text;
using System.Text.Json;
using NATS.Client.KeyValueStore;
using NATS.Net;
using RuleGen.Host;
using RuleGen.Host.Serve;
using RuleGen.Tests.Host;

namespace RuleGen.Tests.Serve;

/// <summary>
/// rulegen publish and rulegen serve in process against a real nats-server: the alerts a scan of the same file
/// gives, dead letters with their reason, checkpoints that a restarted instance continues from, metrics.
/// </summary>
public sealed class ServeTests
{
    private static HostConsole Console(StringWriter stderr) => new(Stream.Null, Stream.Null, stderr, false, TimeProvider.System);

    private static ServeOptions Options(NatsServer server, string durable = "rulegen") => new()
    {
        Connection = new NatsConnectOptions { Url = server.Url },
        Stream = "EVENTS",
        Subjects = "events.*",
        AlertsSubject = "alerts.rulegen",
        Durable = durable,
        LeaseTtl = TimeSpan.FromSeconds(2),
        CheckpointInterval = TimeSpan.FromMilliseconds(200),
    };

    private static async Task WaitUntil(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>The events each partition's checkpoint covers, summed over the group's checkpoint bucket.</summary>
    internal static async Task<long> CheckpointedEvents(NatsServer server, ServeOptions options)
    {
        await using var nats = server.Connect();
        var kv = nats.CreateKeyValueStoreContext();
        INatsKVStore store;
        try
        {
            store = await kv.GetStoreAsync(ServeInstance.BucketNames(options).Checkpoints);
        }
        catch (Exception ex) when (ex is NatsKVException or NATS.Client.JetStream.NatsJSApiException)
        {
            // Not created yet.
            return 0;
        }
        long total = 0;
        await foreach (var key in store.GetKeysAsync())
        {
            var entry = await store.GetEntryAsync<byte[]>(key);
            using var document = JsonDocument.Parse(entry.Value!);
            total += document.RootElement.GetProperty("events").GetInt64();
        }
        return total;
    }

    [SkippableFact]
    public async Task Serve_publishes_the_alerts_of_a_scan_dead_letters_a_malformed_message_and_a_restart_continues_from_the_checkpoint()
    {
        await using var server = await NatsServer.StartAsync();
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("activity.ndjson", File.ReadAllText(HostHarness.SamplePath) + "{\"user\":{\"name\":\"eve\"}, not json}\n");
        // A stream does not end: serve's alerts are those of a scan whose input continues (--state), not one that ends it.
        var expected = HostHarness.Run(["scan", "--no-progress", "--state", temp.File("state"), input]).Alerts.Select(a => a.GetProperty("kibana.alert.uuid").GetString()!).ToList();
        Assert.NotEmpty(expected);

        // Partitioned by dataset: the sample's events are one partition (each partition runs on its own event time; the
        // crash test covers many), the malformed line another (_, it has no dataset).
        var stderr = new StringWriter();
        var publish = new PublishOptions { Inputs = [input], Subject = "events.{event.dataset}", Stream = "EVENTS", Connection = new NatsConnectOptions { Url = server.Url } };
        Assert.Equal(0, await PublishCommand.RunAsync(publish, Console(stderr)));
        var published = File.ReadAllLines(input).Count(l => l.Trim().Length > 0);
        Assert.Contains($"published {published} events", stderr.ToString());

        var options = Options(server);
        using var metrics = new ServeMetrics();
        using (var stop = new CancellationTokenSource())
        {
            var serve = ServeCommand.RunAsync(options, Console(new StringWriter()), HostHarness.HostRules, stop.Token, metrics);
            await WaitUntil(async () => await CheckpointedEvents(server, options) == published || serve.IsCompleted, "the checkpoints to cover every event");
            stop.Cancel();
            Assert.Equal(0, await serve);
        }
        var alerts = await server.AlertUuidsAsync();
        Assert.Equal(expected.Order(), alerts.Order());

        // The malformed line: in the dead-letter stream with the reason and where it came from.
        var dead = Assert.Single(await server.ReadStreamAsync("RULEGEN_DEADLETTER"));
        Assert.Contains("invalid start of a property name", dead.Headers!["Rulegen-Reason"].ToString());
        Assert.Equal(input, dead.Headers!["Rulegen-Input"].ToString());
        Assert.Equal(published.ToString(System.Globalization.CultureInfo.InvariantCulture), dead.Headers!["Rulegen-Line"].ToString());
        Assert.Equal("events._", dead.Headers!["Rulegen-Subject"].ToString());

        var text = await metrics.ExportAsync();
        Assert.Contains("rulegen_serve_malformed_total{partition=\"_\"} 1", text);
        Assert.Contains($"rulegen_serve_alerts_total{{rule_id=\"{HostHarness.SeedRuleId}\"", text);

        // Publishing the file again adds nothing (message ids); a new instance restores the checkpoints and adds no alert.
        var again = new StringWriter();
        Assert.Equal(0, await PublishCommand.RunAsync(publish, Console(again)));
        Assert.Contains($"{published} already in the stream", again.ToString());
        var log = new StringWriter();
        using (var stop = new CancellationTokenSource())
        {
            var serve = ServeCommand.RunAsync(options, Console(log), HostHarness.HostRules, stop.Token);
            await WaitUntil(() => Task.FromResult(log.ToString().Contains("restored the checkpoint")), "a restored checkpoint");
            await Task.Delay(1000);
            stop.Cancel();
            Assert.Equal(0, await serve);
        }
        Assert.Equal(expected.Count, (await server.AlertUuidsAsync()).Count);
        Assert.Equal(published, await CheckpointedEvents(server, options));
    }

    [SkippableFact]
    public async Task Serve_replays_from_a_sequence_in_a_new_group()
    {
        await using var server = await NatsServer.StartAsync();
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("activity.ndjson", File.ReadAllText(HostHarness.SamplePath));
        var publish = new PublishOptions { Inputs = [input], Subject = "events.one", Stream = "EVENTS", Connection = new NatsConnectOptions { Url = server.Url } };
        Assert.Equal(0, await PublishCommand.RunAsync(publish, Console(new StringWriter())));
        var lines = File.ReadAllLines(input).Length;
        // From sequence 6: the events before it are not processed at all.
        var options = Options(server, "replay") with { ReplayFromSequence = 6 };
        using var stop = new CancellationTokenSource();
        var serve = ServeCommand.RunAsync(options, Console(new StringWriter()), HostHarness.HostRules, stop.Token);
        await WaitUntil(async () => await CheckpointedEvents(server, options) == lines - 5, "the replay to reach the end");
        stop.Cancel();
        Assert.Equal(0, await serve);
        var expected = HostHarness.Run(["scan", "--no-progress", "--state", temp.File("state"), input]).Alerts
            .Where(a => a.GetProperty("rulegen.input.line").GetInt64() >= 6).Select(a => a.GetProperty("kibana.alert.uuid").GetString()!);
        Assert.Equal(expected.Order(), (await server.AlertUuidsAsync()).Order());
    }
}

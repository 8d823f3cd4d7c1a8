using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace RuleGen.Tests.Serve;

/// <summary>
/// A real nats-server (Debian's package; <c>.ci/run</c> installs it) with JetStream, on a free loopback port, its
/// storage in a temporary folder. Tests skip with <see cref="Missing"/> when the binary is not installed.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    public const string Missing = "nats-server is not installed (apt-get install nats-server; .ci/run installs it): the rulegen serve tests need a real NATS server.";

    private readonly Process _process;

    private NatsServer(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    public string Folder { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>The nats-server binary on PATH (or Debian's /usr/sbin), or null.</summary>
    public static string? Binary { get; } = FindBinary();

    private static string? FindBinary()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin");
        return path.Select(p => Path.Combine(p, "nats-server")).FirstOrDefault(File.Exists);
    }

    public static async Task<NatsServer> StartAsync()
    {
        Skip.If(Binary is null, Missing);
        var folder = Path.Combine(Path.GetTempPath(), "rulegen-nats-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var start = new ProcessStartInfo(Binary!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-js", "-sd", Path.Combine(folder, "js"), "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new NatsServer(process, port, folder);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
        return server;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public NatsConnection Connect() => new(NatsOpts.Default with { Url = Url });

    /// <summary>Every message of a stream, in order, with its headers.</summary>
    public async Task<List<(string Subject, NatsHeaders? Headers, byte[] Data)>> ReadStreamAsync(string stream)
    {
        await using var nats = Connect();
        var js = nats.CreateJetStreamContext();
        var info = await js.GetStreamAsync(stream);
        var total = (long)info.Info.State.Messages;
        var messages = new List<(string, NatsHeaders?, byte[])>();
        if (total == 0) return messages;
        var consumer = await js.CreateOrderedConsumerAsync(stream);
        await foreach (var message in consumer.ConsumeAsync<byte[]>())
        {
            messages.Add((message.Subject, message.Headers, message.Data ?? []));
            if (messages.Count >= total) break;
        }
        return messages;
    }

    /// <summary>The alerts of an alerts stream: each message's kibana.alert.uuid (from its JSON) and Nats-Msg-Id.</summary>
    public async Task<List<string>> AlertUuidsAsync(string stream = "RULEGEN_ALERTS")
    {
        var uuids = new List<string>();
        foreach (var (_, headers, data) in await ReadStreamAsync(stream))
        {
            if (headers is not null && headers.ContainsKey("Rulegen-Alert-Update")) continue;
            using var document = JsonDocument.Parse(data);
            var uuid = document.RootElement.GetProperty("kibana.alert.uuid").GetString()!;
            Assert.Equal(uuid, headers?["Nats-Msg-Id"].ToString());
            uuids.Add(uuid);
        }
        return uuids;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

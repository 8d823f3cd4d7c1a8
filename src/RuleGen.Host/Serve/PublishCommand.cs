using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using RuleGen.Host.Scanning;

namespace RuleGen.Host.Serve;

/// <summary>
/// <c>rulegen publish</c>: reads events as <c>rulegen scan</c> reads them (NDJSON, gzip, EVTX, through the same
/// batch readers) and publishes each to JetStream, with its input and line in headers and a message id made from
/// them. Acknowledgements are awaited in a window of <see cref="PublishOptions.InFlight"/>; the command ends when
/// every message is acknowledged. Malformed lines are published too (rulegen serve dead-letters them with the reason:
/// nothing is dropped on the way); blank lines are skipped, overlong lines and damaged EVTX data reported and skipped.
/// </summary>
public static class PublishCommand
{
    public const string InputHeader = "Rulegen-Input";
    public const string LineHeader = "Rulegen-Line";

    public static int Run(string[] args, HostConsole console)
    {
        var parsed = PublishOptions.TryParse(args, console.Stderr, out var options);
        if (parsed is null)
        {
            console.Stderr.Write(PublishOptions.Usage + NatsConnectOptions.Usage);
            return ExitCodes.Success;
        }
        if (parsed == false) return ExitCodes.UsageError;
        try
        {
            return RunAsync(options!, console).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is NatsException or NatsJSException or TimeoutException or OperationCanceledException)
        {
            console.Stderr.WriteLine($"rulegen: publish to {options!.Connection} failed: {ex.Message}");
            return ExitCodes.InputOutputError;
        }
    }

    public static async Task<int> RunAsync(PublishOptions options, HostConsole console)
    {
        var stderr = console.Stderr;
        foreach (var input in options.Inputs)
        {
            if (ScanInput.Problem(input) is { } problem)
            {
                stderr.WriteLine($"rulegen: {problem}");
                return ExitCodes.InputOutputError;
            }
        }
        await using var nats = new NatsConnection(options.Connection.ToNatsOpts("rulegen-publish"));
        await nats.ConnectAsync();
        var js = nats.CreateJetStreamContext();
        if (options.Stream is { } streamName)
        {
            try
            {
                await js.GetStreamAsync(streamName);
            }
            catch (NatsJSApiException ex) when (ex.Error.Code == 404)
            {
                await js.CreateStreamAsync(new StreamConfig(streamName, [options.StreamSubjects]));
            }
        }
        var started = console.Time.GetTimestamp();
        long published = 0, skipped = 0, duplicates = 0;
        var window = new Queue<Task<PubAckResponse>>();
        async Task DrainOne()
        {
            var ack = await window.Dequeue();
            if (ack.Duplicate) duplicates++;
            else ack.EnsureSuccess();
        }
        var batch = new LineBatch(ScanPipeline.BatchBytes);
        var exitCode = ExitCodes.Success;
        foreach (var input in options.Inputs)
        {
            var display = ScanInput.DisplayName(input);
            var stream = ScanInput.Open(input, console.Stdin, out var format);
            using (stream)
            {
                IBatchSource source = format == InputFormat.Evtx
                    ? new EvtxBatchReader(stream, false, options.MaxLineBytes)
                    : new BatchReader(stream, false, options.MaxLineBytes);
                while (true)
                {
                    bool more;
                    try
                    {
                        more = source.Fill(batch);
                    }
                    catch (Exception ex) when (ex is IOException or InvalidDataException)
                    {
                        stderr.WriteLine($"rulegen: {display}: read error: {ex.Message}");
                        exitCode = ExitCodes.InputOutputError;
                        break;
                    }
                    for (var i = 0; i < batch.Count; i++)
                    {
                        if (batch.IsOverlong(i) || batch.IsCorrupt(i))
                        {
                            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rulegen: {display}:{batch.LineNumber(i)}: {(batch.IsOverlong(i) ? "overlong line" : "damaged EVTX data")} not published"));
                            skipped++;
                            continue;
                        }
                        var line = batch.Line(i);
                        if (line.IndexOfAnyExcept(" \t\r"u8) < 0) continue;
                        var lineNumber = batch.LineNumber(i).ToString(CultureInfo.InvariantCulture);
                        var headers = new NatsHeaders
                        {
                            [InputHeader] = display,
                            [LineHeader] = lineNumber,
                            ["Nats-Msg-Id"] = MessageId(display, lineNumber),
                        };
                        var subject = PublishSubject.Render(options.Subject, line);
                        window.Enqueue(js.PublishAsync(subject, line.ToArray(), headers: headers).AsTask());
                        published++;
                        if (window.Count >= options.InFlight) await DrainOne();
                    }
                    if (batch.ReadError is { } error)
                    {
                        stderr.WriteLine($"rulegen: {display}: read error: {error.Message}");
                        exitCode = ExitCodes.InputOutputError;
                        break;
                    }
                    if (!more) break;
                }
            }
        }
        while (window.Count > 0) await DrainOne();
        if (!options.Quiet)
        {
            var elapsed = console.Time.GetElapsedTime(started).TotalSeconds;
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rulegen: published {published:N0} events to {options.Subject} in {elapsed:0.00}s ({published / Math.Max(elapsed, 1e-9):N0} events/s); {duplicates:N0} already in the stream (duplicate ids), {skipped:N0} skipped"));
        }
        return exitCode;
    }

    /// <summary>The message id of an event: its input and line, hashed (so the same file published again is deduplicated).</summary>
    public static string MessageId(string input, string line) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input + "\n" + line)))[..32];
}

using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Host.Serve;

/// <summary>
/// Runs one partition while its instance owns it: restores the partition's checkpoint (its detection state and the
/// stream sequence it covers), re-creates the partition's durable pull consumer to start just after that sequence,
/// and then, batch after batch, feeds the events to a <see cref="ServeDetection"/>, publishes their alerts (and
/// dead letters) and waits for JetStream's acknowledgements, and every checkpoint interval saves the state with the
/// last sequence processed and only then acknowledges the events up to it (AckAll).
/// </summary>
/// <remarks>
/// A crash at any point loses nothing: events after the checkpoint are not acknowledged, and the next owner replays
/// them from the checkpoint's sequence into the checkpoint's state, which raises the same alerts with the same
/// <c>kibana.alert.uuid</c> (event time, the input and line in the headers); JetStream drops those already published
/// through <c>Nats-Msg-Id</c>. Checkpoints are written with a compare-and-set on the revision the worker read or
/// wrote last, and a new owner rewrites the checkpoint it restores before anything else: an instance that lost a
/// partition without knowing it (paused, partitioned away) cannot overwrite the new owner's checkpoint.
/// </remarks>
public sealed class PartitionWorker
{
    public sealed record Context(ServeOptions Options, IRuleSet RuleSet, DetectionOptions DetectionOptions, INatsJSContext Js,
        INatsKVStore Checkpoints, ServeMetrics Metrics, Action<string> Log);

    /// <summary>Events processed since the last checkpoint at which one is written whatever the interval (bounds the unacknowledged window).</summary>
    public const int MaxUncheckpointed = 50_000;

    private readonly Context _context;
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _stopRequested;

    private PartitionWorker(Context context, string partition, ulong leaseRevision)
    {
        _context = context;
        Partition = partition;
        LeaseRevision = leaseRevision;
        Subject = ServePartitions.SubjectOf(context.Options.Subjects, partition);
    }

    public string Partition { get; }

    public string Subject { get; }

    /// <summary>The revision of this instance's lease of the partition (renewed by the instance).</summary>
    public ulong LeaseRevision { get; set; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public static PartitionWorker Start(Context context, string partition, ulong leaseRevision)
    {
        var worker = new PartitionWorker(context, partition, leaseRevision);
        worker.Completion = Task.Run(worker.RunAsync);
        return worker;
    }

    /// <summary>Stops after the current batch with a last checkpoint (its events acknowledged).</summary>
    public async Task StopAsync()
    {
        _stopRequested = true;
        await Completion;
    }

    /// <summary>Stops now, without a checkpoint (the lease is lost: the state is someone else's now).</summary>
    public void Abort()
    {
        _stopRequested = true;
        _abort.Cancel();
    }

    /// <summary>The consumer's name of a partition: the group's name and the partition.</summary>
    public static string ConsumerName(string durable, string partition) => $"{durable}_{partition}";

    private async Task RunAsync()
    {
        var options = _context.Options;
        var js = _context.Js;
        var token = _abort.Token;
        var metrics = _context.Metrics;
        var partitionLabel = Partition;
        var detection = new ServeDetection(_context.RuleSet, _context.DetectionOptions);

        // The checkpoint: restored, then written back at once (a compare-and-set that fences a previous owner).
        ulong covered = 0;
        long events = 0;
        ulong revision;
        var entry = await _context.Checkpoints.TryGetEntryAsync<byte[]>(Partition, cancellationToken: token);
        if (entry.Success && entry.Value.Value is { Length: > 0 } saved)
        {
            (covered, events) = detection.Load(saved);
            var fenced = await _context.Checkpoints.TryUpdateAsync(Partition, saved, entry.Value.Revision, cancellationToken: token);
            if (!fenced.Success) throw new InvalidOperationException("another instance wrote the partition's checkpoint while it was being restored");
            revision = fenced.Value;
            _context.Log($"partition {Partition}: restored the checkpoint at stream sequence {ServeInstance.Describe(covered)} ({events:N0} events); replaying from {ServeInstance.Describe(covered + 1)}");
        }
        else
        {
            var created = await _context.Checkpoints.TryCreateAsync(Partition, detection.Save(0, 0), cancellationToken: token);
            if (!created.Success) throw new InvalidOperationException("another instance created the partition's checkpoint at the same time");
            revision = created.Value;
        }

        // The partition's durable consumer, re-created to start after the checkpoint (a previous owner's deliveries
        // and acknowledgements do not matter: the checkpoint says what is covered).
        var name = ConsumerName(options.Durable, Partition);
        try
        {
            await js.DeleteConsumerAsync(options.Stream, name, token);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
        }
        var config = new ConsumerConfig(name)
        {
            DurableName = name,
            FilterSubject = Subject,
            AckPolicy = ConsumerConfigAckPolicy.All,
            AckWait = TimeSpan.FromMinutes(5),
            MaxAckPending = MaxUncheckpointed * 4,
            MaxDeliver = -1,
        };
        if (covered > 0)
        {
            config.DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence;
            config.OptStartSeq = covered + 1;
        }
        else if (options.ReplayFromSequence is { } from)
        {
            config.DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence;
            config.OptStartSeq = from;
        }
        else if (options.ReplayFromTime is { } time)
        {
            config.DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartTime;
            config.OptStartTime = time;
        }
        else
        {
            config.DeliverPolicy = ConsumerConfigDeliverPolicy.All;
        }
        var consumer = await js.CreateOrUpdateConsumerAsync(options.Stream, config, token);

        var processed = covered;
        var uncheckpointed = 0;
        INatsJSMsg<NatsMemoryOwner<byte>>? last = null;
        var lastCheckpoint = Stopwatch.GetTimestamp();
        var pending = new List<Task<PubAckResponse>>();
        var json = new ArrayBufferWriter<byte>(1 << 14);
        var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var fetch = new NatsJSFetchOpts { MaxMsgs = options.Batch, Expires = TimeSpan.FromSeconds(1) };
        var sourceName = "nats:" + options.Stream;

        async Task CheckpointAsync()
        {
            var bytes = detection.Save(processed, events);
            var written = await _context.Checkpoints.TryUpdateAsync(Partition, bytes, revision, cancellationToken: token);
            if (!written.Success) throw new InvalidOperationException("the partition's checkpoint was written by another instance: this instance no longer owns it");
            revision = written.Value;
            if (last is { } message)
            {
                await message.AckAsync(cancellationToken: token);
                // The messages of the partition the consumer has not delivered yet, as of the last one processed.
                metrics.Lag.WithLabels(partitionLabel).Set(message.Metadata?.NumPending ?? 0);
            }
            last = null;
            uncheckpointed = 0;
            lastCheckpoint = Stopwatch.GetTimestamp();
            metrics.Checkpoints.WithLabels(partitionLabel).Inc();
            metrics.CheckpointAge.WithLabels(partitionLabel).Set(0);
        }

        try
        {
            while (!_stopRequested)
            {
                var fetched = 0;
                var counted = 0;
                await foreach (var message in consumer.FetchAsync<NatsMemoryOwner<byte>>(fetch, cancellationToken: token))
                {
                    fetched++;
                    using var data = message.Data;
                    var sequence = message.Metadata?.Sequence.Stream ?? 0;
                    // Redelivered or replayed below what this worker has processed: already counted.
                    if (sequence <= processed) continue;
                    var source = SourceOf(message.Headers, sourceName, sequence);
                    var span = data.Memory.Span;
                    if (!detection.OnEvent(span, source))
                    {
                        metrics.Malformed.WithLabels(partitionLabel).Inc();
                        pending.Add(DeadLetterAsync(message, span, sequence));
                    }
                    processed = sequence;
                    last = message;
                    counted++;
                    events++;
                    uncheckpointed++;
                }
                if (counted > 0) metrics.Events.WithLabels(partitionLabel).Inc(counted);

                // The batch's alerts, then their acknowledgements (an error ends the worker: nothing after the checkpoint is acked).
                foreach (var (alert, update) in detection.Alerts)
                {
                    json.ResetWrittenCount();
                    writer.Reset(json);
                    alert.WriteTo(writer);
                    writer.Flush();
                    var headers = new NatsHeaders
                    {
                        ["Nats-Msg-Id"] = update ? alert.Uuid + "-final" : alert.Uuid,
                        ["Rulegen-Rule-Id"] = alert.Rule.Info.Id,
                        ["Rulegen-Partition"] = Partition,
                    };
                    if (update) headers["Rulegen-Alert-Update"] = "true";
                    pending.Add(js.PublishAsync(options.AlertsSubject, json.WrittenSpan.ToArray(), headers: headers, cancellationToken: token).AsTask());
                    if (!update) metrics.Alerts.WithLabels(alert.Rule.Info.Id, alert.Rule.Info.Name).Inc();
                }
                detection.Alerts.Clear();
                if (pending.Count > 0)
                {
                    // A duplicate is an alert a previous owner published before it stopped: JetStream kept the first.
                    foreach (var ack in await Task.WhenAll(pending))
                    {
                        if (!ack.Duplicate) ack.EnsureSuccess();
                    }
                    pending.Clear();
                }

                var age = Stopwatch.GetElapsedTime(lastCheckpoint);
                metrics.CheckpointAge.WithLabels(partitionLabel).Set(age.TotalSeconds);
                if (uncheckpointed > 0 && (age >= options.CheckpointInterval || uncheckpointed >= MaxUncheckpointed || fetched == 0))
                    await CheckpointAsync();
            }
            if (!token.IsCancellationRequested && uncheckpointed > 0) await CheckpointAsync();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Aborted: the lease is gone; the events after the last checkpoint belong to the next owner.
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>The event's source: its input and line from the headers rulegen publish writes, else the stream and its sequence.</summary>
    private static EventSource SourceOf(NatsHeaders? headers, string streamSource, ulong sequence)
    {
        if (headers is not null && headers.TryGetValue(PublishCommand.InputHeader, out var input) && headers.TryGetValue(PublishCommand.LineHeader, out var line)
            && long.TryParse(line.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return new EventSource(input.ToString(), number);
        return new EventSource(streamSource, (long)sequence);
    }

    private Task<PubAckResponse> DeadLetterAsync(INatsJSMsg<NatsMemoryOwner<byte>> message, ReadOnlySpan<byte> payload, ulong sequence)
    {
        var options = _context.Options;
        var reason = payload.IndexOfAnyExcept(" \t\r\n"u8) < 0 ? "an empty message is not an event" : ScanCommand.Describe(payload);
        var headers = new NatsHeaders
        {
            ["Nats-Msg-Id"] = $"{options.Stream}:{sequence.ToString(CultureInfo.InvariantCulture)}",
            ["Rulegen-Reason"] = reason,
            ["Rulegen-Stream"] = options.Stream,
            ["Rulegen-Sequence"] = sequence.ToString(CultureInfo.InvariantCulture),
            ["Rulegen-Subject"] = message.Subject,
        };
        if (message.Headers is { } original)
        {
            if (original.TryGetValue(PublishCommand.InputHeader, out var input)) headers[PublishCommand.InputHeader] = input;
            if (original.TryGetValue(PublishCommand.LineHeader, out var line)) headers[PublishCommand.LineHeader] = line;
        }
        _context.Log($"partition {Partition}: message {sequence} ({message.Subject}) is not an event, sent to {options.DeadLetterSubject}: {reason}");
        return _context.Js.PublishAsync(options.DeadLetterSubject, payload.ToArray(), headers: headers, cancellationToken: _abort.Token).AsTask();
    }
}

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
    /// <summary>Batches the client keeps requested ahead of the one being processed (the consumer's prefetch).</summary>
    public const int PrefetchBatches = 4;

    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _stopSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
        _stopSignal.TrySetResult();
        await Completion;
    }

    /// <summary>Stops now, without a checkpoint (the lease is lost: the state is someone else's now).</summary>
    public void Abort()
    {
        _stopRequested = true;
        _stopSignal.TrySetResult();
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
        // A pipelined pull: the client keeps up to PrefetchBatches batches requested ahead, and asks for more when
        // half of them are delivered, so the worker does not wait a round trip per batch.
        var batch = Math.Max(1, options.Batch);
        var consume = new NatsJSConsumeOpts { MaxMsgs = batch * PrefetchBatches };
        var sourceName = "nats:" + options.Stream;
        var eventsCounter = metrics.Events.WithLabels(partitionLabel);
        var checkpointAge = metrics.CheckpointAge.WithLabels(partitionLabel);

        // A checkpoint is taken in two parts. On the worker, at once: the state's bytes and the range they cover
        // (the alerts published for it, its last message). Then in the background, while the worker goes on with
        // the next events: JetStream's acknowledgements of those alerts, the checkpoint's write, and only then the
        // range's acknowledgement (AckAll on its last message). One commit is in flight at a time (the writes are
        // compare-and-sets on the revision the one before returned); the next checkpoint, the stop and the end of
        // the worker wait for it, and its error (a lost partition, an alert JetStream refused) ends the worker.
        Task committing = Task.CompletedTask;

        async Task CommitAsync(List<Task<PubAckResponse>> alerts, byte[] bytes, INatsJSMsg<NatsMemoryOwner<byte>>? through)
        {
            var clock = ServeProfile.Start();
            if (alerts.Count > 0)
            {
                // A duplicate is an alert a previous owner published before it stopped: JetStream kept the first.
                foreach (var ack in await Task.WhenAll(alerts))
                {
                    if (!ack.Duplicate) ack.EnsureSuccess();
                }
            }
            clock = ServeProfile.Add(ServeProfile.Phase.AlertAcks, clock);
            var written = await _context.Checkpoints.TryUpdateAsync(Partition, bytes, revision, cancellationToken: token);
            if (!written.Success) throw new InvalidOperationException("the partition's checkpoint was written by another instance: this instance no longer owns it");
            revision = written.Value;
            clock = ServeProfile.Add(ServeProfile.Phase.CheckpointWrite, clock);
            if (through is { } message)
            {
                await message.AckAsync(cancellationToken: token);
                // The messages of the partition the consumer has not delivered yet, as of the last one processed.
                metrics.Lag.WithLabels(partitionLabel).Set(message.Metadata?.NumPending ?? 0);
            }
            ServeProfile.Add(ServeProfile.Phase.Ack, clock);
            metrics.Checkpoints.WithLabels(partitionLabel).Inc();
        }

        async Task CheckpointAsync()
        {
            await committing;
            var clock = ServeProfile.Start();
            var bytes = detection.Save(processed, events);
            ServeProfile.Add(ServeProfile.Phase.Save, clock);
            var alerts = pending;
            pending = new List<Task<PubAckResponse>>();
            committing = CommitAsync(alerts, bytes, last);
            last = null;
            uncheckpointed = 0;
            lastCheckpoint = Stopwatch.GetTimestamp();
            checkpointAge.Set(0);
        }

        // The consume loop ends on stop (after the current batch) or abort; its own token stops the client's pulls.
        using var consuming = CancellationTokenSource.CreateLinkedTokenSource(token);
        var messages = consumer.ConsumeAsync<NatsMemoryOwner<byte>>(opts: consume, cancellationToken: consuming.Token)
            .GetAsyncEnumerator(consuming.Token);
        var next = messages.MoveNextAsync();
        var ended = false;
        var finished = false;
        try
        {
            while (!_stopRequested && !ended)
            {
                // A batch: the messages already delivered, up to the batch size, without waiting for more.
                var counted = 0;
                var clock = ServeProfile.Start();
                for (var taken = 0; taken < batch && next.IsCompleted; taken++)
                {
                    // Each MoveNextAsync is awaited once: next holds a completed default while this one is read.
                    var current = next;
                    next = default;
                    if (!await current)
                    {
                        ended = true;
                        break;
                    }
                    var message = messages.Current;
                    next = messages.MoveNextAsync();
                    using var data = message.Data;
                    var sequence = message.Metadata?.Sequence.Stream ?? 0;
                    // Redelivered or replayed below what this worker has processed: already counted.
                    if (sequence <= processed) continue;
                    var source = SourceOf(message.Headers, sourceName, sequence);
                    clock = ServeProfile.Add(ServeProfile.Phase.Message, clock);
                    var span = data.Memory.Span;
                    if (!detection.OnEvent(span, source))
                    {
                        metrics.Malformed.WithLabels(partitionLabel).Inc();
                        pending.Add(DeadLetterAsync(message, span, sequence));
                    }
                    clock = ServeProfile.Start();
                    processed = sequence;
                    last = message;
                    counted++;
                    events++;
                    uncheckpointed++;
                }
                if (counted > 0) eventsCounter.Inc(counted);

                // The batch's alerts go out now; their acknowledgements are awaited before the next checkpoint (an
                // error then ends the worker: nothing after the last checkpoint is acked).
                clock = ServeProfile.Start();
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
                ServeProfile.Add(ServeProfile.Phase.Publish, clock);

                var age = Stopwatch.GetElapsedTime(lastCheckpoint);
                checkpointAge.Set(age.TotalSeconds);
                if (uncheckpointed > 0 && (age >= options.CheckpointInterval || uncheckpointed >= MaxUncheckpointed))
                {
                    await CheckpointAsync();
                    age = TimeSpan.Zero;
                }
                if (ended || _stopRequested || next.IsCompleted) continue;

                // Nothing delivered yet: wait for messages, a stop, or (with events not checkpointed) the checkpoint
                // interval, so an idle partition's last events are checkpointed and acknowledged.
                clock = ServeProfile.Start();
                var arrived = next.AsTask();
                next = new ValueTask<bool>(arrived);
                var wait = uncheckpointed > 0 ? options.CheckpointInterval - age : TimeSpan.FromSeconds(1);
                if (wait < TimeSpan.FromMilliseconds(1)) wait = TimeSpan.FromMilliseconds(1);
                // A commit in flight wakes it too: when it fails (a lost partition), the worker ends now, not at the
                // next checkpoint, which an idle partition would not reach.
                var delay = Task.Delay(wait, token);
                await (committing.IsCompleted ? Task.WhenAny(arrived, _stopSignal.Task, delay) : Task.WhenAny(arrived, _stopSignal.Task, delay, committing));
                ServeProfile.Add(ServeProfile.Phase.Wait, clock);
                token.ThrowIfCancellationRequested();
                if (committing.IsFaulted) await committing;
            }
            if (!token.IsCancellationRequested && uncheckpointed > 0) await CheckpointAsync();
            await committing;
            finished = true;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Aborted: the lease is gone; the events after the last checkpoint belong to the next owner.
        }
        finally
        {
            writer.Dispose();
            if (!finished)
            {
                // Aborted or failed, perhaps with a commit in flight: it is observed, and the abort or the worker's
                // own error is what is reported (its events are not acknowledged unless its checkpoint was written).
                try
                {
                    await committing;
                }
                catch (Exception)
                {
                }
            }
            // The messages delivered and not processed are not acknowledged: the next owner replays them.
            consuming.Cancel();
            try
            {
                await next;
                await messages.DisposeAsync();
            }
            catch (Exception ex) when (ex is OperationCanceledException or NatsException or NatsJSException)
            {
                // The pull being cancelled (or the connection's error, which the worker's own exception reports).
            }
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

using System.Globalization;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using NATS.Net;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Host.Serve;

/// <summary>
/// One rulegen serve instance: shares the stream's partitions with the other instances of the same consumer group
/// (<see cref="ServeOptions.Durable"/>) through leases in a key-value bucket, and runs a <see cref="PartitionWorker"/>
/// for each partition it owns.
/// </summary>
/// <remarks>
/// Every <c>lease-ttl / 3</c> the instance: renews its heartbeat (a key in the instances bucket, whose entries expire
/// after the lease TTL) and its leases (a compare-and-set on the revision it holds: a lease it lost fails, and its
/// worker is stopped); lists the partitions (the stream's subjects matching the pattern); and claims free partitions
/// (a create that fails when the key exists) up to its fair share, <c>ceil(partitions / live instances)</c>, or gives
/// one up (checkpointed first) when it holds more. A lease that is not renewed expires with the bucket's max age, so
/// the partitions of a killed instance are free after at most the lease TTL.
/// </remarks>
public sealed class ServeInstance : IAsyncDisposable
{
    private readonly ServeOptions _options;
    private readonly TextWriter _log;
    private readonly IRuleSet _ruleSet;
    private readonly ServeMetrics _metrics;
    private readonly NatsConnection _nats;
    private readonly INatsJSContext _js;
    private readonly Dictionary<string, PartitionWorker> _workers = new(StringComparer.Ordinal);
    private readonly object _logLock = new();
    private INatsKVStore _leases = null!;
    private INatsKVStore _instances = null!;
    private INatsKVStore _checkpoints = null!;

    private ServeInstance(ServeOptions options, TextWriter log, IRuleSet ruleSet, ServeMetrics metrics, NatsConnection nats)
    {
        _options = options;
        _log = log;
        _ruleSet = ruleSet;
        _metrics = metrics;
        _nats = nats;
        _js = nats.CreateJetStreamContext();
        InstanceId = options.InstanceId ?? $"{PublishSubject.Token(Environment.MachineName)}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
    }

    public string InstanceId { get; }

    /// <summary>The buckets of a consumer group of a stream.</summary>
    public static (string Checkpoints, string Leases, string Instances) BucketNames(ServeOptions options)
    {
        var stem = $"rulegen_{PublishSubject.Token(options.Stream)}_{options.Durable}";
        return (stem + "_checkpoints", stem + "_leases", stem + "_instances");
    }

    public static async Task<ServeInstance> ConnectAsync(ServeOptions options, TextWriter log, IRuleSet ruleSet, ServeMetrics metrics)
    {
        var nats = new NatsConnection(options.Connection.ToNatsOpts("rulegen-serve"));
        try
        {
            await nats.ConnectAsync();
            var instance = new ServeInstance(options, log, ruleSet, metrics, nats);
            await instance.SetUpAsync();
            return instance;
        }
        catch
        {
            await nats.DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        await EnsureStreamAsync(_options.Stream, _options.Subjects, null);
        await EnsureStreamAsync(_options.AlertsStream, _options.AlertsSubject, _options.DuplicateWindow);
        await EnsureStreamAsync(_options.DeadLetterStream, _options.DeadLetterSubject, _options.DuplicateWindow);
        var kv = _js.CreateKeyValueStoreContext();
        var (checkpoints, leases, instances) = BucketNames(_options);
        _checkpoints = await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(checkpoints) { History = 1, Description = "rulegen serve: partition checkpoints" });
        _leases = await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(leases) { History = 1, MaxAge = _options.LeaseTtl, Description = "rulegen serve: partition leases" });
        _instances = await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(instances) { History = 1, MaxAge = _options.LeaseTtl, Description = "rulegen serve: live instances" });
        Log($"instance {InstanceId} connected to {_options.Connection}; stream {_options.Stream} ({_options.Subjects}), alerts to {_options.AlertsSubject} ({_options.AlertsStream}), group {_options.Durable}");
    }

    private async Task EnsureStreamAsync(string name, string subject, TimeSpan? duplicateWindow)
    {
        try
        {
            await _js.GetStreamAsync(name);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            var config = new StreamConfig(name, [subject]);
            if (duplicateWindow is { } window) config.DuplicateWindow = window;
            try
            {
                await _js.CreateStreamAsync(config);
                Log($"created stream {name} over {subject}");
            }
            catch (NatsJSApiException again) when (again.Error.ErrCode == 10058)
            {
                // Another instance created it at the same moment.
            }
        }
    }

    internal void Log(string message)
    {
        if (_options.Quiet) return;
        lock (_logLock) _log.WriteLine($"rulegen serve: {DateTimeOffset.UtcNow:HH:mm:ss.fff} {message}");
    }

    /// <summary>Runs until <paramref name="stop"/>; then stops every worker gracefully and gives up the leases.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var round = TimeSpan.FromTicks(Math.Max(_options.LeaseTtl.Ticks / 3, TimeSpan.FromMilliseconds(200).Ticks));
        var detectionOptions = new DetectionOptions
        {
            AllowedLateness = _options.AllowedLateness,
            EndOfInputEndsStream = false,
            SigmaMaxSignals = _options.SigmaMaxSignals,
            Selects = _options.Selection.IsFiltered ? _options.Selection.Selects : null,
        };
        var context = new PartitionWorker.Context(_options, _ruleSet, detectionOptions, _js, _checkpoints, _metrics, Log);
        // Announce this instance, then let instances started at the same time announce themselves before anyone
        // claims: each then takes its fair share at once instead of handing partitions over one round at a time.
        try
        {
            await _instances.PutAsync(InstanceId, Encoding.UTF8.GetBytes(InstanceId), cancellationToken: stop);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, round.TotalMilliseconds)), stop);
        }
        catch (OperationCanceledException)
        {
        }
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(context, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping: the workers are released below.
            }
            catch (Exception ex) when (ex is NatsException or NatsJSException or NatsKVException or TimeoutException && !stop.IsCancellationRequested)
            {
                Log($"coordination round failed (retrying): {ex.Message}");
            }
            try
            {
                await Task.Delay(round, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
        Log($"stopping: checkpointing {_workers.Count} partitions");
        await Task.WhenAll(_workers.Values.Select(w => ReleaseAsync(w)));
        _workers.Clear();
        _metrics.Owned.Set(0);
        await _instances.TryDeleteAsync(InstanceId);
        Log("stopped");
        if (ServeProfile.Enabled)
            lock (_logLock) _log.WriteLine($"rulegen serve: instance {InstanceId} {ServeProfile.Report()}");
    }

    private async Task RoundAsync(PartitionWorker.Context context, CancellationToken stop)
    {
        await _instances.PutAsync(InstanceId, Encoding.UTF8.GetBytes(InstanceId), cancellationToken: stop);

        // Workers that ended on their own (an error, a lost checkpoint race): their leases go.
        foreach (var (partition, worker) in _workers.Where(w => w.Value.Completion.IsCompleted).ToList())
        {
            _workers.Remove(partition);
            if (worker.Completion.Exception?.GetBaseException() is { } error) Log($"partition {partition} stopped: {error.Message}");
            await _leases.TryDeleteAsync(partition, new NatsKVDeleteOpts { Revision = worker.LeaseRevision });
        }

        // Renew the leases held; a failed compare-and-set means another instance owns the partition now.
        foreach (var (partition, worker) in _workers.ToList())
        {
            var renewed = await _leases.TryUpdateAsync(partition, Encoding.UTF8.GetBytes(InstanceId), worker.LeaseRevision, cancellationToken: stop);
            if (renewed.Success)
            {
                worker.LeaseRevision = renewed.Value;
                continue;
            }
            Log($"lost the lease of partition {partition}: stopping its worker without a checkpoint");
            _workers.Remove(partition);
            worker.Abort();
        }

        var partitions = await ListPartitionsAsync(stop);
        var live = 0;
        await foreach (var _ in _instances.GetKeysAsync(cancellationToken: stop)) live++;
        live = Math.Max(1, live);
        var fair = partitions.Count == 0 ? 0 : (partitions.Count + live - 1) / live;

        if (_workers.Count > fair)
        {
            // Give one up per round, checkpointed, so that a new instance gets its share without a burst of moves.
            var give = _workers.Keys.Order(StringComparer.Ordinal).Last();
            var worker = _workers[give];
            _workers.Remove(give);
            Log($"giving up partition {give} ({_workers.Count + 1} owned, fair share {fair} of {partitions.Count} over {live} instances)");
            await ReleaseAsync(worker);
        }
        else
        {
            // Claim free partitions up to the fair share, in an order of this instance's own (so instances do not race for the same ones).
            foreach (var partition in partitions.Where(p => !_workers.ContainsKey(p)).OrderBy(p => Hash(p + InstanceId)))
            {
                if (_workers.Count >= fair || stop.IsCancellationRequested) break;
                var claimed = await _leases.TryCreateAsync(partition, Encoding.UTF8.GetBytes(InstanceId), cancellationToken: stop);
                if (!claimed.Success) continue;
                Log($"claimed partition {partition}");
                _workers[partition] = PartitionWorker.Start(context, partition, claimed.Value);
            }
        }
        _metrics.Owned.Set(_workers.Count);
    }

    private async Task ReleaseAsync(PartitionWorker worker)
    {
        try
        {
            await worker.StopAsync();
        }
        catch (Exception ex)
        {
            Log($"partition {worker.Partition}: final checkpoint failed ({ex.Message}); its events after the last checkpoint will be processed again");
        }
        await _leases.TryDeleteAsync(worker.Partition, new NatsKVDeleteOpts { Revision = worker.LeaseRevision });
    }

    private async Task<List<string>> ListPartitionsAsync(CancellationToken stop)
    {
        var stream = await _js.GetStreamAsync(_options.Stream, new StreamInfoRequest { SubjectsFilter = _options.Subjects }, stop);
        var subjects = stream.Info.State.Subjects;
        if (subjects is null) return new List<string>();
        return subjects.Keys.Select(s => ServePartitions.Of(_options.Subjects, s)).Distinct(StringComparer.Ordinal).ToList();
    }

    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers.Values) worker.Abort();
        await _nats.DisposeAsync();
    }

    internal static string Describe(ulong sequence) => sequence.ToString("N0", CultureInfo.InvariantCulture);
}

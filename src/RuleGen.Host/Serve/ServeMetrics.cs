using Prometheus;

namespace RuleGen.Host.Serve;

/// <summary>
/// rulegen serve's Prometheus metrics (prometheus-net), in a registry of their own: events and malformed messages
/// processed (events/s is their rate), alerts per rule, consumer lag and checkpoint age per partition, partitions
/// owned. <see cref="Start"/> serves them on <c>http://ADDRESS:PORT/metrics</c>.
/// </summary>
public sealed class ServeMetrics : IDisposable
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private MetricServer? _server;

    public ServeMetrics()
    {
        var factory = Metrics.WithCustomRegistry(_registry);
        Events = factory.CreateCounter("rulegen_serve_events_total", "Events processed (rate: events/s).", "partition");
        Malformed = factory.CreateCounter("rulegen_serve_malformed_total", "Messages that are not events, sent to the dead-letter subject.", "partition");
        Alerts = factory.CreateCounter("rulegen_serve_alerts_total", "Alerts published, per rule.", "rule_id", "rule_name");
        Lag = factory.CreateGauge("rulegen_serve_consumer_lag", "Messages of the partition not yet delivered to its consumer.", "partition");
        CheckpointAge = factory.CreateGauge("rulegen_serve_checkpoint_age_seconds", "Seconds since the partition's last checkpoint.", "partition");
        Checkpoints = factory.CreateCounter("rulegen_serve_checkpoints_total", "Checkpoints written.", "partition");
        Owned = factory.CreateGauge("rulegen_serve_partitions_owned", "Partitions this instance owns.");
    }

    public Counter Events { get; }
    public Counter Malformed { get; }
    public Counter Alerts { get; }
    public Gauge Lag { get; }
    public Gauge CheckpointAge { get; }
    public Counter Checkpoints { get; }
    public Gauge Owned { get; }

    public void Start(System.Net.IPEndPoint endpoint)
    {
        var host = endpoint.Address.Equals(System.Net.IPAddress.Any) ? "+" : endpoint.Address.ToString();
        _server = new MetricServer(host, endpoint.Port, "metrics/", _registry);
        _server.Start();
    }

    /// <summary>The metrics as Prometheus text (tests read them without the endpoint).</summary>
    public async Task<string> ExportAsync()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public void Dispose() => _server?.Dispose();
}

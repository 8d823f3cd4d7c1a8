using System.Globalization;
using System.Net;
using RuleGen.Host.Detection;

namespace RuleGen.Host.Serve;

/// <summary>
/// Options of <c>rulegen serve --nats URL --stream NAME --subjects PATTERN --alerts-subject SUBJECT [--durable NAME]</c>.
/// Parsed here, apart from the rest of the command line, by <see cref="TryParse"/>.
/// </summary>
public sealed record ServeOptions
{
    public NatsConnectOptions Connection { get; init; } = new();

    /// <summary>The events stream (created over <see cref="Subjects"/> when missing).</summary>
    public required string Stream { get; init; }

    /// <summary>The events' subjects: a pattern whose first <c>*</c> token is the partition (<c>events.*</c>), or one subject.</summary>
    public required string Subjects { get; init; }

    public required string AlertsSubject { get; init; }

    /// <summary>The stream alerts are published to, created over <see cref="AlertsSubject"/> when missing.</summary>
    public string AlertsStream { get; init; } = "RULEGEN_ALERTS";

    /// <summary>The alerts stream's duplicate window, when rulegen creates it.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where messages that are not events go, with the reason (a stream over it is created when missing).</summary>
    public string DeadLetterSubject { get; init; } = "rulegen.deadletter";

    public string DeadLetterStream { get; init; } = "RULEGEN_DEADLETTER";

    /// <summary>The consumer group's name: partition consumers, checkpoints and leases are kept under it.</summary>
    public string Durable { get; init; } = "rulegen";

    /// <summary><c>--replay-from</c>: where a partition without a checkpoint starts (null: the stream's first message).</summary>
    public ulong? ReplayFromSequence { get; init; }

    public DateTimeOffset? ReplayFromTime { get; init; }

    /// <summary>How often each partition's state is checkpointed (and its events acknowledged).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a partition lease lasts without renewal (an instance that stops renewing loses its partitions then).</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages fetched per pull request.</summary>
    public int Batch { get; init; } = 1000;

    /// <summary><c>--metrics ADDRESS:PORT</c>: the Prometheus endpoint (null: none). Loopback unless an address is given.</summary>
    public IPEndPoint? Metrics { get; init; }

    public TimeSpan AllowedLateness { get; init; } = new DetectionOptions().AllowedLateness;

    public int? SigmaMaxSignals { get; init; }

    public RuleSelection Selection { get; init; } = RuleSelection.All;

    /// <summary>An id for this instance (leases name it); default host name, process id and a random part.</summary>
    public string? InstanceId { get; init; }

    public bool Quiet { get; init; }

    public const string Usage = """
        rulegen serve --stream NAME --subjects PATTERN --alerts-subject SUBJECT [options]: run the compiled rules
        continuously over a NATS JetStream stream, one JSON event per message, with the semantics of rulegen scan.
        Events are partitioned by the first * token of PATTERN (events.* : per host when published to events.{host.name});
        each partition has its own detection state, checkpointed to a key-value bucket with the stream sequence it
        covers, and is owned by one instance at a time (leases); instances share the partitions and take over those of
        an instance that stops. Alerts go to SUBJECT with Nats-Msg-Id = kibana.alert.uuid; an event is acknowledged only
        after its alerts are acknowledged and a checkpoint covers it. Malformed messages go to the dead-letter subject.

          --durable NAME         the consumer group (default rulegen): its consumers, checkpoints and leases
          --alerts-stream NAME   the alerts stream, created over SUBJECT if missing (default RULEGEN_ALERTS)
          --duplicate-window D   the duplicate window of a created alerts stream (default 10m)
          --dead-letter-subject S  where malformed messages go, with the reason (default rulegen.deadletter)
          --dead-letter-stream NAME  the stream created over it if missing (default RULEGEN_DEADLETTER)
          --replay-from SEQ|TIME where partitions without a checkpoint start: a stream sequence or an ISO 8601 time
                                 (default: the first message); use a new --durable to process a stream again
          --checkpoint D         how often each partition's state is checkpointed and its events acked (default 1s)
          --lease-ttl D          how long a partition stays owned without renewal (default 10s): the takeover time
          --batch N              messages per pull (default 1000)
          --metrics [ADDR:]PORT  serve Prometheus metrics on http://ADDR:PORT/metrics (ADDR defaults to 127.0.0.1)
          --instance-id ID       this instance's name in leases (default host, pid and a random part)
          --lateness D, --sigma-max-signals N, rule filters: as for rulegen scan
          -q, --quiet            no log lines on stderr
        """;

    /// <summary>Reads the options; true when valid, false after reporting why not, null for --help.</summary>
    public static bool? TryParse(string[] args, TextWriter stderr, out ServeOptions? options)
    {
        options = null;
        var connection = new NatsConnectOptions();
        var selection = RuleSelection.All;
        string? stream = null, subjects = null, alertsSubject = null;
        var o = new ServeOptions { Stream = "", Subjects = "", AlertsSubject = "" };
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (NatsConnectOptions.TryParseOption(args, ref i, ref connection, stderr))
            {
                case true:
                    continue;
                case null:
                    return false;
            }
            switch (RuleSelection.TryParseOption(args, ref i, ref selection, stderr))
            {
                case true:
                    continue;
                case null:
                    return false;
            }
            if (arg is "-h" or "--help") return null;
            if (arg is "-q" or "--quiet")
            {
                o = o with { Quiet = true };
                continue;
            }
            if (i + 1 >= args.Length || !arg.StartsWith("--", StringComparison.Ordinal))
            {
                stderr.WriteLine(arg.StartsWith("--", StringComparison.Ordinal) && IsKnown(arg)
                    ? $"rulegen: {arg} needs a value (rulegen serve --help)."
                    : $"rulegen: unknown serve option '{arg}' (rulegen serve --help lists them).");
                return false;
            }
            var value = args[++i];
            string? problem = null;
            switch (arg)
            {
                case "--stream": stream = value; break;
                case "--subjects": subjects = value; break;
                case "--alerts-subject": alertsSubject = value; break;
                case "--alerts-stream": o = o with { AlertsStream = value }; break;
                case "--dead-letter-subject": o = o with { DeadLetterSubject = value }; break;
                case "--dead-letter-stream": o = o with { DeadLetterStream = value }; break;
                case "--durable":
                    if (PublishSubject.Token(value) != value) problem = "a name of letters, digits, - and _";
                    o = o with { Durable = value };
                    break;
                case "--instance-id": o = o with { InstanceId = value }; break;
                case "--replay-from":
                    if (ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0)
                        o = o with { ReplayFromSequence = sequence };
                    else if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                        o = o with { ReplayFromTime = time };
                    else problem = "a stream sequence (1 or more) or an ISO 8601 time";
                    break;
                case "--checkpoint" or "--lease-ttl" or "--duplicate-window" or "--lateness":
                    if (value == "0" && arg is "--checkpoint" or "--lateness") { o = arg == "--checkpoint" ? o with { CheckpointInterval = TimeSpan.Zero } : o with { AllowedLateness = TimeSpan.Zero }; break; }
                    if (!TryParseDuration(value, out var span)) { problem = "a duration such as 500ms, 10s or 2m"; break; }
                    o = arg switch
                    {
                        "--checkpoint" => o with { CheckpointInterval = span },
                        "--lease-ttl" => o with { LeaseTtl = span },
                        "--duplicate-window" => o with { DuplicateWindow = span },
                        _ => o with { AllowedLateness = span },
                    };
                    if (arg == "--lease-ttl" && span < TimeSpan.FromSeconds(1)) problem = "at least 1s";
                    break;
                case "--batch" or "--sigma-max-signals":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1) { problem = "a number (1 or more)"; break; }
                    o = arg == "--batch" ? o with { Batch = n } : o with { SigmaMaxSignals = n };
                    break;
                case "--metrics":
                    var colon = value.LastIndexOf(':');
                    var address = colon < 0 ? IPAddress.Loopback : IPAddress.TryParse(value[..colon].Trim('[', ']'), out var a) ? a : null;
                    if (address is null || !int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                        problem = "a port or ADDRESS:PORT (127.0.0.1:9464)";
                    else o = o with { Metrics = new IPEndPoint(address, port) };
                    break;
                default:
                    stderr.WriteLine($"rulegen: unknown serve option '{arg}' (rulegen serve --help lists them).");
                    return false;
            }
            if (problem is not null)
            {
                stderr.WriteLine($"rulegen: {arg} needs {problem} (got '{value}').");
                return false;
            }
        }
        if (stream is null || subjects is null || alertsSubject is null)
        {
            stderr.WriteLine("rulegen: serve needs --stream NAME, --subjects PATTERN and --alerts-subject SUBJECT.");
            return false;
        }
        if (ServePartitions.Problem(subjects) is { } subjectProblem)
        {
            stderr.WriteLine($"rulegen: --subjects '{subjects}': {subjectProblem}.");
            return false;
        }
        options = o with { Stream = stream, Subjects = subjects, AlertsSubject = alertsSubject, Connection = connection.WithEnvironment(), Selection = selection };
        return true;
    }

    /// <summary>A duration as rulegen scan reads them (30s, 5m, 1h), or milliseconds (500ms); greater than zero.</summary>
    private static bool TryParseDuration(string text, out TimeSpan span)
    {
        span = default;
        if (text.EndsWith("ms", StringComparison.Ordinal))
        {
            if (!int.TryParse(text[..^2], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms < 1) return false;
            span = TimeSpan.FromMilliseconds(ms);
            return true;
        }
        if (!RuleSchedule.TryParseDuration(text, out var nanos) || nanos <= 0) return false;
        span = TimeSpan.FromTicks(nanos / 100);
        return true;
    }

    private static bool IsKnown(string arg) => Usage.Contains(arg + " ", StringComparison.Ordinal);
}

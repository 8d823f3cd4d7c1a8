using System.Globalization;

namespace RuleGen.Host.Serve;

/// <summary>
/// Options of <c>rulegen publish FILE... --nats URL --subject S</c>. <see cref="Subject"/> may hold one field
/// template, <c>{field.name}</c>, replaced per event by that field's value (made a valid subject token), so that
/// events are partitioned by it: <c>events.{host.name}</c>.
/// </summary>
public sealed record PublishOptions
{
    public required IReadOnlyList<string> Inputs { get; init; }

    public required string Subject { get; init; }

    public NatsConnectOptions Connection { get; init; } = new();

    /// <summary><c>--stream NAME</c>: create this stream (over <see cref="StreamSubjects"/>) if it is missing.</summary>
    public string? Stream { get; init; }

    /// <summary>The subjects a created stream takes: the subject with its template as <c>*</c>.</summary>
    public string StreamSubjects => PublishSubject.Pattern(Subject);

    /// <summary><c>--in-flight N</c>: published messages awaiting their acknowledgement at most.</summary>
    public int InFlight { get; init; } = 4096;

    public int MaxLineBytes { get; init; } = Scanning.BatchReader.DefaultMaxLineBytes;

    public bool Quiet { get; init; }

    public const string Usage = """
        rulegen publish FILE... --subject S [options]: load events into a NATS JetStream stream (for tests and
        backfills). FILE is NDJSON, gzip NDJSON or a Windows event log (.evtx), read as rulegen scan reads them; - is
        stdin. Each event becomes one message with its input and line in headers (Rulegen-Input, Rulegen-Line), which
        rulegen serve uses as the event's source, so its alerts have the kibana.alert.uuid a scan of FILE gives, and
        with Nats-Msg-Id set from them, so publishing a file again within the stream's duplicate window adds nothing.

          --subject S            the subject; {field} in it is replaced by the event's value of field (events.{host.name}),
                                 a missing field by _ (characters a subject token cannot hold become _)
          --stream NAME          create the stream NAME over the subject pattern (events.*) if it is missing
          --in-flight N          messages awaiting acknowledgement at most (default 4096)
          -q, --quiet            no summary
        """;

    /// <summary>Reads the options; true when valid, false after reporting why not, null for --help.</summary>
    public static bool? TryParse(string[] args, TextWriter stderr, out PublishOptions? options)
    {
        options = null;
        var inputs = new List<string>();
        string? subject = null, stream = null;
        var connection = new NatsConnectOptions();
        var inFlight = 4096;
        var quiet = false;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == ScanInput.Stdin || !arg.StartsWith('-'))
            {
                inputs.Add(arg);
                continue;
            }
            switch (NatsConnectOptions.TryParseOption(args, ref i, ref connection, stderr))
            {
                case true:
                    continue;
                case null:
                    return false;
            }
            switch (arg)
            {
                case "-h" or "--help":
                    return null;
                case "-q" or "--quiet":
                    quiet = true;
                    break;
                case "--subject" or "--stream":
                    if (i + 1 >= args.Length)
                    {
                        stderr.WriteLine($"rulegen: {arg} needs a {(arg == "--subject" ? "subject" : "stream name")}.");
                        return false;
                    }
                    if (arg == "--subject") subject = args[++i];
                    else stream = args[++i];
                    break;
                case "--in-flight":
                    if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out inFlight) || inFlight < 1)
                    {
                        stderr.WriteLine($"rulegen: {arg} needs a number of messages (1 or more).");
                        return false;
                    }
                    i++;
                    break;
                default:
                    stderr.WriteLine($"rulegen: unknown publish option '{arg}' (rulegen publish --help lists them).");
                    return false;
            }
        }
        if (inputs.Count == 0)
        {
            stderr.WriteLine("rulegen: publish needs at least one FILE (NDJSON, gzip NDJSON, .evtx, or - for stdin).");
            return false;
        }
        if (subject is null)
        {
            stderr.WriteLine("rulegen: publish needs --subject S (for example events.{host.name}).");
            return false;
        }
        if (PublishSubject.Problem(subject) is { } problem)
        {
            stderr.WriteLine($"rulegen: --subject '{subject}': {problem}.");
            return false;
        }
        options = new PublishOptions
        {
            Inputs = inputs, Subject = subject, Stream = stream, Connection = connection.WithEnvironment(), InFlight = inFlight, Quiet = quiet,
        };
        return true;
    }
}

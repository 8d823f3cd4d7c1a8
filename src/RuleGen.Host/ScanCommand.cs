using System.Globalization;
using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>Options of <c>rulegen scan</c>.</summary>
public sealed record ScanOptions(IReadOnlyList<string> Inputs, string? Output = null, bool Quiet = false, bool Progress = true)
{
    /// <summary><c>--state DIR</c>: where the detection state is restored from and saved to (null: the input is the whole stream).</summary>
    public string? StateDirectory { get; init; }

    /// <summary><c>--final</c> (with <see cref="StateDirectory"/>): this input ends the stream; remaining executions run before the state is saved.</summary>
    public bool Final { get; init; }

    /// <summary><c>--indicators FILE</c>: NDJSON indicator documents for threat_match rules.</summary>
    public string? IndicatorFile { get; init; }

    /// <summary><c>--lateness DURATION</c>: how far out of time order events may arrive (see <see cref="DetectionOptions.AllowedLateness"/>).</summary>
    public TimeSpan AllowedLateness { get; init; } = new DetectionOptions().AllowedLateness;
}

/// <summary>
/// <c>rulegen scan</c>: streams NDJSON lines (files, gzip files, stdin) through the rule set, runs the rules as
/// Kibana's detection engine does (<see cref="ScanDetection"/>: schedules on event time, max_signals, the stateful
/// rule types, alert shaping) and writes their alerts, reports malformed lines with their file and line number and
/// goes on, and ends with a summary.
/// </summary>
public static class ScanCommand
{
    /// <summary>Malformed lines reported one by one on stderr; the summary counts the rest.</summary>
    public const int MalformedLinesReported = 100;

    public static int Run(string[] args, HostConsole console, IRuleSet ruleSet)
    {
        var parsed = TryParse(args, console.Stderr, out var options);
        if (parsed is null)
        {
            using var writer = new StreamWriter(console.Stdout, leaveOpen: true);
            writer.Write(Cli.Usage);
            return ExitCodes.Success;
        }
        return parsed.Value ? Run(options!, console, ruleSet) : ExitCodes.UsageError;
    }

    /// <summary>Reads the options; true when they are valid, false after reporting why not, null for --help.</summary>
    public static bool? TryParse(string[] args, TextWriter stderr, out ScanOptions? options)
    {
        var inputs = new List<string>();
        string? output = null;
        var quiet = false;
        var progress = true;
        var onlyInputs = false;
        string? state = null, indicators = null;
        var final = false;
        var lateness = new DetectionOptions().AllowedLateness;
        options = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (onlyInputs || arg == ScanInput.Stdin || !arg.StartsWith('-'))
            {
                inputs.Add(arg);
                continue;
            }
            switch (arg)
            {
                case "--":
                    onlyInputs = true;
                    break;
                case "-o" or "--output":
                    if (i + 1 >= args.Length)
                    {
                        stderr.WriteLine($"rulegen: {arg} needs a file name.");
                        return false;
                    }
                    output = args[++i];
                    break;
                case "-q" or "--quiet":
                    quiet = true;
                    break;
                case "--no-progress":
                    progress = false;
                    break;
                case "--final":
                    final = true;
                    break;
                case "--state" or "--indicators" or "--lateness":
                    if (i + 1 >= args.Length)
                    {
                        stderr.WriteLine($"rulegen: {arg} needs {(arg == "--state" ? "a folder" : arg == "--indicators" ? "a file name" : "a duration such as 1m")}.");
                        return false;
                    }
                    var value = args[++i];
                    if (arg == "--state") state = value;
                    else if (arg == "--indicators") indicators = value;
                    else if (value == "0") lateness = TimeSpan.Zero;
                    else if (RuleSchedule.TryParseDuration(value, out var nanos)) lateness = TimeSpan.FromTicks(nanos / 100);
                    else
                    {
                        stderr.WriteLine($"rulegen: --lateness needs a duration such as 30s or 1m (got '{value}').");
                        return false;
                    }
                    break;
                case "-h" or "--help":
                    return null;
                default:
                    stderr.WriteLine($"rulegen: unknown option '{arg}' (rulegen --help lists the options).");
                    return false;
            }
        }
        if (inputs.Count == 0)
        {
            stderr.WriteLine("rulegen: scan needs at least one INPUT: an NDJSON file, a gzip file, or - for stdin.");
            return false;
        }
        if (inputs.Count(i => i == ScanInput.Stdin) > 1)
        {
            stderr.WriteLine("rulegen: stdin (-) can be scanned only once.");
            return false;
        }
        if (final && state is null)
        {
            stderr.WriteLine("rulegen: --final ends a stream kept with --state DIR; without --state every scan ends its stream.");
            return false;
        }
        options = new ScanOptions(inputs, output, quiet, progress) { StateDirectory = state, IndicatorFile = indicators, AllowedLateness = lateness, Final = final };
        return true;
    }

    /// <summary>Scans every input of <paramref name="options"/>; returns the exit code.</summary>
    public static int Run(ScanOptions options, HostConsole console, IRuleSet ruleSet)
    {
        var stderr = console.Stderr;

        // A missing input is an error before anything is scanned or any output file is created.
        foreach (var input in options.Inputs)
        {
            if (ScanInput.Problem(input) is { } problem)
            {
                stderr.WriteLine($"rulegen: {problem}");
                return ExitCodes.InputOutputError;
            }
        }

        Stream output;
        try
        {
            output = options.Output is null
                ? console.Stdout
                : new FileStream(options.Output, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rulegen: cannot create the output file '{options.Output}': {ex.Message}");
            return ExitCodes.InputOutputError;
        }

        var exitCode = Scan(options, console, ruleSet, output);
        if (options.Output is not null)
        {
            try
            {
                output.Dispose();
            }
            catch (IOException ex)
            {
                stderr.WriteLine($"rulegen: cannot write alerts to {options.Output}: {ex.Message}");
                exitCode = ExitCodes.InputOutputError;
            }
        }
        return exitCode;
    }

    private static int Scan(ScanOptions options, HostConsole console, IRuleSet ruleSet, Stream output)
    {
        var stderr = console.Stderr;
        var time = console.Time;
        var started = time.GetTimestamp();
        var alerts = new AlertWriter(output, options.Output ?? "stdout", time.GetUtcNow());
        var summary = new ScanSummary(ruleSet.Rules.Count + ruleSet.Correlations.Count, options.Inputs.Count);
        var progress = options.Progress && !options.Quiet && console.StderrIsTerminal ? new ProgressBar(stderr) : null;
        var matches = new int[Math.Max(1, ruleSet.Rules.Count)];
        var exitCode = ExitCodes.Success;
        var outputFailed = false;
        // The sequential stage: the rules run on their schedules (and sequences join) in input order.
        var detection = ScanDetection.Open(options, ruleSet, alerts, summary, stderr);
        if (detection is null) return ExitCodes.InputOutputError;
        var sequenceSink = detection.SequenceSink;

        foreach (var input in options.Inputs)
        {
            var display = ScanInput.DisplayName(input);
            LineReader? reader = null;
            try
            {
                using var stream = ScanInput.Open(input, console.Stdin);
                reader = new LineReader(stream, beforeRead: alerts.Flush);
                while (reader.TryReadLine(out var line))
                {
                    if (IsBlank(line))
                    {
                        summary.BlankLines++;
                        continue;
                    }
                    var source = new EventSource(display, reader.LineNumber);
                    detection.BeginEvent(source);
                    if (!ruleSet.TryEvaluate(line, matches, out var count, MatchScope.Full, sequenceSink))
                    {
                        summary.AddMalformed(display, reader.LineNumber);
                        if (summary.MalformedCount <= MalformedLinesReported)
                        {
                            progress?.Clear();
                            stderr.WriteLine($"rulegen: {display}:{reader.LineNumber}: malformed line skipped: {Describe(line)}");
                        }
                        else if (summary.MalformedCount == MalformedLinesReported + 1)
                        {
                            stderr.WriteLine("rulegen: further malformed lines are not reported one by one; the summary counts them.");
                        }
                        continue;
                    }
                    summary.Events++;
                    detection.OnEvent(line, source, matches.AsSpan(0, Math.Min(count, matches.Length)));
                    if (progress is not null && (summary.Events & 1023) == 0)
                        progress.Update(summary.Events, summary.Alerts, summary.Bytes + reader.BytesRead, time.GetElapsedTime(started));
                }
            }
            catch (AlertWriter.OutputFailedException ex)
            {
                progress?.Clear();
                stderr.WriteLine($"rulegen: cannot write alerts to {ex.Target}: {ex.InnerException!.Message}");
                exitCode = ExitCodes.InputOutputError;
                outputFailed = true;
                break;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                progress?.Clear();
                // Before the first line: the input could not be opened; after it: reading or decompressing failed.
                var message = reader is null
                    ? $"rulegen: {display}: {ex.Message}"
                    : $"rulegen: {display}: {(ex is InvalidDataException ? "corrupt gzip data" : "read error")} after line {reader.LineNumber}: {ex.Message}";
                stderr.WriteLine(message);
                exitCode = ExitCodes.InputOutputError;
            }
            finally
            {
                summary.Bytes += reader?.BytesRead ?? 0;
            }
        }

        if (!outputFailed)
        {
            try
            {
                // The end of the input: the stream ends (remaining executions run), or its state is saved.
                detection.Finish(stderr, ref exitCode);
                alerts.Flush();
            }
            catch (AlertWriter.OutputFailedException ex)
            {
                stderr.WriteLine($"rulegen: cannot write alerts to {ex.Target}: {ex.InnerException!.Message}");
                exitCode = ExitCodes.InputOutputError;
            }
        }
        progress?.Clear();
        if (!options.Quiet)
        {
            summary.Print(stderr, ruleSet, time.GetElapsedTime(started));
            if (sequenceSink is not null) PrintSequences(stderr, detection.Sequences.Statistics);
            detection.PrintSummary(stderr);
        }
        return exitCode;
    }

    private static void PrintSequences(TextWriter stderr, SequenceStatistics s)
    {
        var c = CultureInfo.InvariantCulture;
        stderr.WriteLine(string.Format(c, "  sequences: {0:N0} completed from {1:N0} step matches", s.Completed, s.StepMatches));
        var dropped = new List<string>();
        if (s.LateEvents > 0) dropped.Add(string.Format(c, "{0:N0} later than the reorder window", s.LateEvents));
        if (s.MissingTimestamps > 0) dropped.Add(string.Format(c, "{0:N0} without a timestamp", s.MissingTimestamps));
        if (s.CapEvictions > 0) dropped.Add(string.Format(c, "{0:N0} over the per-rule state cap", s.CapEvictions));
        if (s.OpenWindowsAtEnd > 0) dropped.Add(string.Format(c, "{0:N0} with a missing-event window still open at the end", s.OpenWindowsAtEnd));
        if (dropped.Count > 0) stderr.WriteLine("    not joined: " + string.Join("; ", dropped));
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r"u8) < 0;

    /// <summary>Why a line is not one JSON object (the slow path, only for malformed lines).</summary>
    public static string Describe(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                return $"an event must be a JSON object, not {Kind(reader.TokenType)}";
            reader.Skip();
            if (reader.Read())
                return $"unexpected data after the JSON object (at column {reader.TokenStartIndex + 1})";
            return "not a JSON object";
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (position > 0) message = message[..position];
            return ex.BytePositionInLine is { } column
                ? string.Create(CultureInfo.InvariantCulture, $"{message} (at column {column + 1})")
                : message;
        }
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}

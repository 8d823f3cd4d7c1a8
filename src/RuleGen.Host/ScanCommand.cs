using System.Globalization;
using System.Text.Json;
using System.Runtime.ExceptionServices;
using RuleGen.Host.Detection;
using RuleGen.Host.Output;
using RuleGen.Host.Scanning;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>Options of <c>rulegen scan</c>. <paramref name="Threads"/>: evaluation threads, 0 for one per core.</summary>
public sealed record ScanOptions(IReadOnlyList<string> Inputs, string? Output = null, bool Quiet = false, bool Progress = true, int Threads = 0)
{
    /// <summary>The evaluation threads this scan uses.</summary>
    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    /// <summary><c>--state DIR</c>: where the detection state is restored from and saved to (null: the input is the whole stream).</summary>
    public string? StateDirectory { get; init; }

    /// <summary><c>--final</c> (with <see cref="StateDirectory"/>): this input ends the stream; remaining executions run before the state is saved.</summary>
    public bool Final { get; init; }

    /// <summary><c>--indicators FILE</c>: NDJSON indicator documents for threat_match rules.</summary>
    public string? IndicatorFile { get; init; }

    /// <summary><c>--lateness DURATION</c>: how far out of time order events may arrive (see <see cref="DetectionOptions.AllowedLateness"/>).</summary>
    public TimeSpan AllowedLateness { get; init; } = new DetectionOptions().AllowedLateness;

    /// <summary>
    /// <c>--regex-timeout MS</c>: how long one match of a regex that needs backtracking may take (see
    /// <see cref="RegexText.MatchTimeout"/>); null keeps the default.
    /// </summary>
    public TimeSpan? RegexTimeout { get; init; }
    /// <summary><c>--max-line-bytes N</c>: longer lines are reported and skipped without being held in memory.</summary>
    public int MaxLineBytes { get; init; } = BatchReader.DefaultMaxLineBytes;

    /// <summary>
    /// <c>--checkpoint DURATION</c> (with <see cref="StateDirectory"/>, file inputs and <see cref="Output"/>): how often
    /// the state is saved during the scan, with the input position it covers; zero saves it after every batch.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = DefaultCheckpointInterval;

    public static readonly TimeSpan DefaultCheckpointInterval = TimeSpan.FromSeconds(10);

    /// <summary><c>--input-format</c>: which files a folder INPUT contributes (files named on the command line are read whatever their format).</summary>
    public InputFormatFilter InputFormat { get; init; }

    /// <summary><c>--min-level</c>, <c>--tags</c>, ...: which rules run (<see cref="RuleSelection.All"/>: every rule).</summary>
    public RuleSelection Selection { get; init; } = RuleSelection.All;

    /// <summary><c>--sigma-max-signals N</c>: the most alerts one execution of a Sigma rule raises (null: the Sigma config's, else no cap).</summary>
    public int? SigmaMaxSignals { get; init; }

    /// <summary><c>--detection-only</c>: judge each rule's detection alone (no Sigma logsource gates), as pySigma does.</summary>
    public bool DetectionOnly { get; init; }

    /// <summary>Rule files of the <c>--rules</c> or <c>--pack</c> pack that were left out for errors (the summary says how many).</summary>
    public int RuleFilesLeftOut { get; init; }

    /// <summary><c>--output-format ndjson|csv|table</c>: alert documents, or a timeline (see <see cref="Output.OutputFormat"/>).</summary>
    public OutputFormat OutputFormat { get; init; }

    /// <summary><c>--report FILE.html</c>: where the self-contained HTML report of the scan goes (null: none).</summary>
    public string? ReportFile { get; init; }
}

/// <summary>
/// <c>rulegen scan</c>: streams NDJSON lines (files, gzip files, stdin) through the rule set, runs the rules as
/// Kibana's detection engine does (<see cref="ScanDetection"/>: schedules on event time, max_signals, the stateful
/// rule types, alert shaping, Sigma correlations) and writes their alerts, reports malformed lines with their file and
/// line number and goes on, and ends with a summary. Events are evaluated in parallel batches (<see cref="ScanPipeline"/>
/// stage a: which rules each event matches); everything that needs input order (the detection engine, sequences,
/// alerts, reports and the summary) happens in stage b (<c>ScanState.WriteBatch</c>), so a parallel scan writes exactly
/// what a single-threaded scan writes.
/// </summary>
public static class ScanCommand
{
    /// <summary>Malformed lines reported one by one on stderr; the summary counts the rest.</summary>
    public const int MalformedLinesReported = 100;

    /// <summary>Scans every input of <paramref name="options"/>; returns the exit code.</summary>
    public static int Run(ScanOptions options, HostConsole console, IRuleSet ruleSet)
    {
        var stderr = console.Stderr;
        if (options.DetectionOnly) ruleSet = new DetectionOnlyRuleSet(ruleSet);

        // Folders become the files under them, before anything else looks at the inputs.
        if (options.Inputs.Any(Directory.Exists))
        {
            if (ScanInput.Expand(options.Inputs, options.InputFormat, stderr) is not { } files) return ExitCodes.InputOutputError;
            options = options with { Inputs = files };
        }

        if (options.Output is { } outputPath && Directory.Exists(outputPath))
        {
            stderr.WriteLine($"rulegen: -o '{outputPath}' is a folder; give the alerts file's name (such as {Path.Combine(outputPath, "alerts.ndjson")}).");
            return ExitCodes.UsageError;
        }

        // A missing input is an error before anything is scanned or any output file is created.
        foreach (var input in options.Inputs)
        {
            if (ScanInput.Problem(input) is { } problem)
            {
                stderr.WriteLine($"rulegen: {problem}");
                return ExitCodes.InputOutputError;
            }
        }

        // The state comes before the output: a checkpoint of these inputs decides how the alerts file is opened.
        ScanDetection.SavedState? saved = null;
        if (options.StateDirectory is { } directory && !ScanDetection.TryLoadState(directory, stderr, out saved, out var stateError)) return stateError;
        using var savedState = saved;
        var fingerprints = options.StateDirectory is null ? null : Fingerprints(options.Inputs);
        var resume = saved?.Checkpoint is { } checkpoint && fingerprints is not null && checkpoint.IsOf(fingerprints) ? checkpoint : null;
        if (saved?.Checkpoint is { Complete: false } interrupted && resume is null)
        {
            stderr.WriteLine($"rulegen: note: the scan the state in '{options.StateDirectory}' was saved by stopped at {interrupted.Describe()}, " +
                "before the end of its inputs; its state covers the stream up to there, and these inputs continue it.");
        }

        Stream output;
        try
        {
            if (resume is { AlertsPath: { } alertsPath })
            {
                if (OpenAlertsToResume(options, resume, alertsPath, stderr) is not { } resumed) return ExitCodes.StateError;
                output = resumed;
            }
            else
            {
                output = options.Output is null
                    ? console.Stdout
                    : new FileStream(options.Output, FileMode.Create, FileAccess.Write, FileShare.Read);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rulegen: cannot create the output file '{options.Output}': {ex.Message}");
            return ExitCodes.InputOutputError;
        }
        if (resume is not null && !options.Quiet)
        {
            stderr.WriteLine(resume.Complete
                ? $"rulegen: the state in '{options.StateDirectory}' already covers these inputs to their end: nothing is left to scan."
                : $"rulegen: resuming the scan of these inputs after {resume.Describe()} (the checkpoint in '{options.StateDirectory}').");
        }

        var exitCode = Scan(options, console, ruleSet, output, saved, resume, fingerprints);
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

    /// <summary>The inputs' fingerprints, or null when one is stdin (which cannot be read again) or unreadable.</summary>
    private static InputFingerprint[]? Fingerprints(IReadOnlyList<string> inputs)
    {
        if (inputs.Any(i => i == ScanInput.Stdin)) return null;
        try
        {
            return inputs.Select(InputFingerprint.Of).ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Opens the alerts file of the scan <paramref name="resume"/> checkpointed, cut back to the length it had then
    /// (alerts written after the checkpoint are written again); null after reporting why it cannot be resumed.
    /// </summary>
    private static FileStream? OpenAlertsToResume(ScanOptions options, ScanCheckpoint resume, string alertsPath, TextWriter stderr)
    {
        var again = $"run the same command again (with -o {alertsPath}) to resume it, or move the state folder away to scan these inputs as new ones";
        if (options.Output is null || Path.GetFullPath(options.Output) != alertsPath)
        {
            stderr.WriteLine($"rulegen: the state in '{options.StateDirectory}' is the checkpoint of a scan of these inputs whose alerts go to '{alertsPath}': {again}.");
            return null;
        }
        var file = new FileStream(alertsPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        if (file.Length < resume.AlertsLength)
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rulegen: the alerts file '{alertsPath}' holds {file.Length:N0} bytes, fewer than the {resume.AlertsLength:N0} its scan had written at the checkpoint in '{options.StateDirectory}': it was changed since, so the scan cannot be resumed. Restore the file, or move the state folder away to scan these inputs as new ones."));
            file.Dispose();
            return null;
        }
        file.SetLength(resume.AlertsLength);
        file.Seek(0, SeekOrigin.End);
        return file;
    }

    private static int Scan(ScanOptions options, HostConsole console, IRuleSet ruleSet, Stream output, ScanDetection.SavedState? saved,
        ScanCheckpoint? resume, InputFingerprint[]? fingerprints)
    {
        var stderr = console.Stderr;
        var time = console.Time;
        var started = time.GetTimestamp();
        using var stoppable = HostConsole.Stoppable();
        // Before any match: rules' regexes read it when they build their engines.
        if (options.RegexTimeout is { } regexTimeout) RegexText.MatchTimeout = regexTimeout;
        var createdAt = resume?.CreatedAt ?? time.GetUtcNow();
        var alerts = new AlertWriter(output, options.Output ?? "stdout", createdAt, options.OutputFormat);
        var summary = new ScanSummary(ruleSet.Rules.Count + ruleSet.Correlations.Count, options.Inputs.Count) { ReportDetails = options.ReportFile is not null };
        if (options.Selection.IsFiltered) summary.SelectedRules = options.Selection.Of(ruleSet)!.Count(s => s);
        summary.RuleFilesLeftOut = options.RuleFilesLeftOut;
        if (resume is not null) summary.Restore(resume.Counts, ruleSet);
        // Stage (b)'s detection: the rules run on their schedules (and sequences join) in input order.
        var detection = ScanDetection.Open(options, ruleSet, alerts, summary, stderr, saved, out var openCode);
        if (detection is null) return openCode;
        var state = new ScanState(
            console, ruleSet, options.Inputs.Select(ScanInput.DisplayName).ToArray(), alerts, summary, detection,
            options.Progress && !options.Quiet && console.StderrIsTerminal ? new ScanProgress(stderr, ScanProgress.SizeOf(options.Inputs), console.TerminalWidth) : null,
            started, options.MaxLineBytes);

        // The position a saved state covers, for scans that can come back to it (file inputs, kept state).
        ScanCheckpoint? CheckpointAt(int input, long line, long offset, long alertsLength) => fingerprints is null ? null : new ScanCheckpoint
        {
            Inputs = fingerprints, Input = input, Line = line, Offset = offset,
            AlertsPath = options.Output is null ? null : Path.GetFullPath(options.Output), AlertsLength = alertsLength,
            CreatedAt = createdAt, Counts = summary.Snapshot(ruleSet),
        };
        if (options.StateDirectory is { } stateDirectory && fingerprints is not null && options.Output is not null)
        {
            // Checkpoints during the scan: only an alerts file can be cut back to what a checkpoint covers.
            var lastCheckpoint = time.GetTimestamp();
            state.AfterBatch = batch =>
            {
                if (time.GetElapsedTime(lastCheckpoint) < options.CheckpointInterval) return;
                var length = state.Alerts.FlushToDisk();
                var checkpoint = batch.EndOfInput
                    ? CheckpointAt(batch.Input + 1, 0, 0, length)
                    : CheckpointAt(batch.Input, batch.LastLineNumber, batch.EndOffset, length);
                try
                {
                    detection.Save(stateDirectory, checkpoint);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The previous checkpoint stays; the scan goes on, and its end saves the state again (or says why not).
                    state.Progress?.Clear();
                    stderr.WriteLine($"rulegen: cannot save a checkpoint to '{stateDirectory}': {ex.Message}");
                }
                lastCheckpoint = time.GetTimestamp();
            };
        }

        var outputFailed = false;
        var stopped = false;
        try
        {
            ScanPipeline.Run(options.Inputs.Count, i => OpenInput(options, console, resume, i), options.EffectiveThreads, options.MaxLineBytes, ruleSet,
                state.WriteBatch, state.Alerts.Flush);
        }
        catch (AlertWriter.OutputFailedException ex)
        {
            state.Progress?.Clear();
            stderr.WriteLine($"rulegen: cannot write alerts to {ex.Target}: {ex.InnerException!.Message}");
            state.ExitCode = ExitCodes.InputOutputError;
            outputFailed = true;
        }
        catch (ScanStoppedException)
        {
            // Ctrl-C or SIGTERM: the batches written so far stay; the rest of the input is not read.
            stopped = true;
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }

        if (stopped)
        {
            try
            {
                // Every alert written so far goes out whole. The stream does not end (no remaining executions run) and
                // no state is saved: a --state folder keeps its last checkpoint, which the same command resumes from.
                state.Alerts.Flush();
            }
            catch (AlertWriter.OutputFailedException ex)
            {
                stderr.WriteLine($"rulegen: cannot write alerts to {ex.Target}: {ex.InnerException!.Message}");
            }
            state.ExitCode = ExitCodes.Stopped;
        }
        else if (!outputFailed)
        {
            try
            {
                // The end of the input: the stream ends (held-back sequence steps join, remaining executions run),
                // or its state is saved for the next run, after the alerts it covers are on disk.
                detection.EndOfInput();
                if (options.StateDirectory is { } directory)
                {
                    var length = state.Alerts.FlushToDisk();
                    try
                    {
                        detection.Save(directory, CheckpointAt(options.Inputs.Count, 0, 0, length));
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        stderr.WriteLine($"rulegen: cannot save the state to '{directory}': {ex.Message}");
                        state.ExitCode = ExitCodes.InputOutputError;
                    }
                }
                else
                {
                    state.Alerts.Flush();
                }
            }
            catch (AlertWriter.OutputFailedException ex)
            {
                stderr.WriteLine($"rulegen: cannot write alerts to {ex.Target}: {ex.InnerException!.Message}");
                state.ExitCode = ExitCodes.InputOutputError;
            }
        }
        state.Progress?.Clear();
        if (stopped)
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rulegen: stopped by a signal (Ctrl-C or SIGTERM) after {state.Summary.Events:N0} events; the alerts written so far are complete. Partial summary:"));
        }
        if (options.ReportFile is { } reportFile && !HtmlReport.TryWrite(reportFile, state.Summary, ruleSet, options, time.GetElapsedTime(started), stderr))
            state.ExitCode = ExitCodes.InputOutputError;
        if (!options.Quiet)
        {
            state.Summary.Print(stderr, ruleSet, time.GetElapsedTime(started));
            if (detection.Sequences.HasSequenceRules) PrintSequences(stderr, detection.Sequences.Statistics);
            detection.PrintSummary(stderr);
        }
        return state.ExitCode;
    }

    /// <summary>Opens input <paramref name="i"/>, after the position of <paramref name="resume"/>; null for inputs it covers whole.</summary>
    private static ScanPipeline.OpenedInput? OpenInput(ScanOptions options, HostConsole console, ScanCheckpoint? resume, int i)
    {
        if (resume is not null && i < resume.Input) return null;
        var input = options.Inputs[i];
        var stream = ScanInput.Open(input, console.Stdin, out var format);
        if (resume is null || i != resume.Input || resume.Offset == 0) return new ScanPipeline.OpenedInput(stream, input == ScanInput.Stdin, Format: format);
        try
        {
            if (format == InputFormat.Evtx && !EvtxBatchReader.IsResumeOffset(resume.Offset))
                throw new InvalidDataException("the checkpoint's position is not the start of a chunk of this EVTX file: it was taken of another file");
            ScanInput.Skip(stream, resume.Offset);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new ScanPipeline.OpenedInput(stream, false, resume.Line + 1, resume.Offset, format);
    }

    /// <summary>Thrown by stage (b) when <see cref="HostConsole.Stop"/> is set: the scan ends between two batches.</summary>
    private sealed class ScanStoppedException : Exception;

    /// <summary>Stage (b) of the scan: what must see the events in input order.</summary>
    private sealed class ScanState(HostConsole console, IRuleSet ruleSet, string[] displays, AlertWriter alerts, ScanSummary summary,
        ScanDetection detection, ScanProgress? progress, long started, int maxLineBytes)
    {
        /// <summary>Runs after each batch is written (checkpoints).</summary>
        public Action<LineBatch>? AfterBatch { get; set; }

        public AlertWriter Alerts { get; } = alerts;
        public ScanSummary Summary { get; } = summary;
        public ScanProgress? Progress { get; } = progress;
        public int ExitCode { get; set; } = ExitCodes.Success;

        /// <summary>Sequence and sample rules' step sink (null when the rule set has none): stateful, so fed here, in input order.</summary>
        private readonly ISequenceSink? _sequences = detection.SequenceSink;

        private readonly int[] _discarded = new int[Math.Max(1, ruleSet.Rules.Count)];

        /// <summary>Writes one evaluated batch: its alerts, its malformed lines, its counts, a read error after it.</summary>
        public void WriteBatch(LineBatch batch)
        {
            // A stop asked for (Ctrl-C, SIGTERM) ends the scan between batches: what is written stays whole.
            if (console.Stop.IsCancellationRequested) throw new ScanStoppedException();
            var stderr = console.Stderr;
            var display = displays[batch.Input];
            if (batch.OpenFailed)
            {
                Progress?.Clear();
                stderr.WriteLine($"rulegen: {display}: {batch.ReadError!.Message}");
                ExitCode = ExitCodes.InputOutputError;
                return;
            }
            for (var i = 0; i < batch.Count; i++)
            {
                var verdict = batch.Verdict(i);
                if (verdict == LineBatch.Blank)
                {
                    Summary.BlankLines++;
                    continue;
                }
                if (verdict == LineBatch.Overlong)
                {
                    Summary.AddOverlong(display, batch.LineNumber(i));
                    if (Summary.OverlongCount <= MalformedLinesReported)
                    {
                        Progress?.Clear();
                        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"rulegen: {display}:{batch.LineNumber(i)}: overlong line skipped unread: {batch.OverlongLength(i):N0} bytes, over the line limit of {maxLineBytes:N0} (--max-line-bytes)"));
                    }
                    continue;
                }
                if (verdict == LineBatch.Corrupt)
                {
                    // Damaged EVTX data: reported with where it is, counted, skipped.
                    var (offset, problem) = batch.Problem(i);
                    Summary.AddCorrupt(display, offset);
                    if (Summary.CorruptCount <= MalformedLinesReported)
                    {
                        Progress?.Clear();
                        stderr.WriteLine($"rulegen: {display}: {problem}");
                    }
                    else if (Summary.CorruptCount == MalformedLinesReported + 1)
                    {
                        stderr.WriteLine("rulegen: further damaged EVTX data is not reported one by one; the summary counts it.");
                    }
                    continue;
                }
                if (verdict == LineBatch.Malformed)
                {
                    Summary.AddMalformed(display, batch.LineNumber(i));
                    if (Summary.MalformedCount <= MalformedLinesReported)
                    {
                        Progress?.Clear();
                        stderr.WriteLine($"rulegen: {display}:{batch.LineNumber(i)}: malformed line skipped: {Describe(batch.Line(i))}");
                    }
                    else if (Summary.MalformedCount == MalformedLinesReported + 1)
                    {
                        stderr.WriteLine("rulegen: further malformed lines are not reported one by one; the summary counts them.");
                    }
                    continue;
                }
                Summary.Events++;
                var source = new EventSource(display, batch.LineNumber(i));
                if (_sequences is not null)
                {
                    // The event's sequence steps, in input order (stage a found its single-event matches already).
                    detection.BeginEvent(source);
                    ruleSet.TryEvaluate(batch.Line(i), _discarded, out _, MatchScope.Full, _sequences);
                }
                // The rules' schedules, state and correlations consume the matches in input order; alerts are
                // written (and counted in the summary) as executions run.
                detection.OnEvent(batch.Line(i), source, batch.MatchesOf(i));
                if (Progress is not null && (Summary.Events & 1023) == 0)
                    Progress.Update(display, Summary.Events, Summary.Alerts, Summary.Bytes + batch.BytesRead, console.Time.GetElapsedTime(started));
            }
            Summary.Bytes += batch.BytesRead;
            if (batch.ReadError is { } error)
            {
                Progress?.Clear();
                var lastLine = batch.FirstLineNumber + batch.Count - 1;
                stderr.WriteLine($"rulegen: {display}: {(error is InvalidDataException ? "corrupt gzip data" : "read error")} after {(batch.Format == InputFormat.Evtx ? "record" : "line")} {lastLine}: {error.Message}");
                ExitCode = ExitCodes.InputOutputError;
            }
            AfterBatch?.Invoke(batch);
        }
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

    /// <summary>Why a line is not one JSON object (the slow path, only for malformed lines).</summary>
    public static string Describe(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = EventScanner.MaxDepth });
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                return $"an event must be a JSON object, not {Kind(reader.TokenType)}";
            reader.Skip();
            if (reader.Read())
                return $"unexpected data after the JSON object (at column {reader.TokenStartIndex + 1})";
            var problem = EventText.Find(line, out var index);
            return problem != EventText.Problem.None ? EventText.Describe(line, problem, index) : "not a JSON object";
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

using System.Globalization;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>
/// The detection side of <c>rulegen scan</c>: the engine that runs the rules on their schedules, the EQL sequence
/// engine in front of it, the indicator file, and the state directory (<c>--state</c>) they are restored from and
/// saved to. The scan hands it each event in input order (<see cref="OnEvent"/>) and ends it with
/// <see cref="Finish"/>.
/// </summary>
public sealed class ScanDetection : IDetectionAlertSink
{
    /// <summary>The state file's name inside the state directory.</summary>
    public const string StateFileName = "rulegen-state.json";

    /// <summary>The state file's format: version 2 ends with a checksum and may hold a checkpoint.</summary>
    private const string FileFormat = "rulegen-state/2";

    /// <summary>Files of version 1 (no checksum, no checkpoint) are still read.</summary>
    private const string LegacyFileFormat = "rulegen-state/1";

    private readonly IRuleSet _ruleSet;
    private readonly AlertWriter _alerts;
    private readonly ScanSummary _summary;
    private readonly string? _stateDirectory;

    private ScanDetection(IRuleSet ruleSet, AlertWriter alerts, ScanSummary summary, DetectionOptions options, IndicatorSet? indicators, string? stateDirectory)
    {
        _ruleSet = ruleSet;
        _alerts = alerts;
        _summary = summary;
        _stateDirectory = stateDirectory;
        Engine = new DetectionEngine(ruleSet, this, options, indicators);
        Sequences = new SequenceState(ruleSet, Engine.OnSequence);
    }

    public DetectionEngine Engine { get; }

    public SequenceState Sequences { get; }

    /// <summary>What to pass to the rule set's evaluation for sequence rules (null without any).</summary>
    public ISequenceSink? SequenceSink => Sequences.HasSequenceRules ? Sequences : null;

    /// <summary>Rules whose state the state file held but the rule set no longer has.</summary>
    public int DroppedStates { get; private set; }

    /// <summary>
    /// Sets up detection for a scan, continuing from <paramref name="saved"/> (see <see cref="TryLoadState"/>); null
    /// after reporting why it cannot start (a bad indicator or state file), with the exit code in <paramref name="exitCode"/>.
    /// </summary>
    public static ScanDetection? Open(ScanOptions options, IRuleSet ruleSet, AlertWriter alerts, ScanSummary summary, TextWriter stderr, SavedState? saved,
        out int exitCode)
    {
        exitCode = ExitCodes.InputOutputError;
        IndicatorSet? indicators = null;
        if (options.IndicatorFile is { } indicatorFile)
        {
            try
            {
                indicators = IndicatorSet.Load(indicatorFile, problem => stderr.WriteLine("rulegen: " + problem));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"rulegen: cannot read the indicator file '{indicatorFile}': {ex.Message}");
                return null;
            }
        }
        var engineOptions = new DetectionOptions
        {
            AllowedLateness = options.AllowedLateness,
            EndOfInputEndsStream = options.StateDirectory is null || options.Final,
            SigmaMaxSignals = options.SigmaMaxSignals,
            Selects = options.Selection.IsFiltered ? options.Selection.Selects : null,
        };
        var detection = new ScanDetection(ruleSet, alerts, summary, engineOptions, indicators, options.StateDirectory);
        if (saved is not null)
        {
            try
            {
                var root = saved.Document.RootElement;
                detection.DroppedStates = StateFormat.ReadDetection(root, detection.Engine, detection.Sequences);
            }
            catch (Exception ex)
            {
                // The checksum held, so the file is what rulegen wrote; whatever its content then breaks is still
                // the file's problem, and is reported as such rather than as a crash.
                ReportUnusable(stderr, saved.Path, ex.Message);
                exitCode = ExitCodes.StateError;
                return null;
            }
        }
        exitCode = ExitCodes.Success;
        return detection;
    }

    /// <summary>A state file as read: its JSON and the checkpoint it holds (null when it has none).</summary>
    public sealed class SavedState(string path, JsonDocument document, ScanCheckpoint? checkpoint) : IDisposable
    {
        public string Path { get; } = path;

        public JsonDocument Document { get; } = document;

        public ScanCheckpoint? Checkpoint { get; } = checkpoint;

        public void Dispose() => Document.Dispose();
    }

    /// <summary>
    /// Reads the state file of <paramref name="directory"/> (null in <paramref name="saved"/> when there is none yet);
    /// false after reporting why it cannot be used, with the exit code in <paramref name="exitCode"/>. A damaged file is
    /// never taken for an empty state: the scan stops and the file stays as it is.
    /// </summary>
    public static bool TryLoadState(string directory, TextWriter stderr, out SavedState? saved, out int exitCode)
    {
        saved = null;
        exitCode = ExitCodes.Success;
        var path = Path.Combine(directory, StateFileName);
        byte[] bytes;
        try
        {
            Directory.CreateDirectory(directory);
            if (!File.Exists(path)) return true;
            bytes = StateFile.Read(path, [LegacyFileFormat]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rulegen: cannot read the state file '{path}': {ex.Message}");
            exitCode = ExitCodes.InputOutputError;
            return false;
        }
        catch (StateFile.CorruptException ex)
        {
            ReportUnusable(stderr, path, ex.Message);
            exitCode = ExitCodes.StateError;
            return false;
        }
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 512 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
                || format.GetString() is not (FileFormat or LegacyFileFormat))
                throw new InvalidDataException($"it is not a rulegen state file (expected format {FileFormat})");
            var checkpoint = root.TryGetProperty("scan", out var scan) ? ScanCheckpoint.Read(scan) : null;
            saved = new SavedState(path, document, checkpoint);
            return true;
        }
        catch (Exception ex)
        {
            // Anything a damaged file makes the reader throw means the same: this file cannot be used.
            document?.Dispose();
            ReportUnusable(stderr, path, ex.Message.TrimEnd('.'));
            exitCode = ExitCodes.StateError;
            return false;
        }
    }

    private static void ReportUnusable(TextWriter stderr, string path, string reason) =>
        stderr.WriteLine($"rulegen: cannot use the state file '{path}': {reason}. Nothing was scanned and the file is left as it is: " +
            "restore it from a backup, or move it away to start the stream afresh (its state is then lost).");

    /// <summary>Before an event is evaluated (sequence rules remember the stream's time it arrives at).</summary>
    public void BeginEvent(EventSource source)
    {
        if (!Sequences.HasSequenceRules) return;
        Sequences.Engine.CurrentSource = source;
        Sequences.BeginEvent();
    }

    /// <summary>An evaluated event and the rules it matched.</summary>
    public void OnEvent(ReadOnlySpan<byte> json, EventSource source, ReadOnlySpan<int> matches)
    {
        if (Sequences.HasSequenceRules) Sequences.EndEvent(json, source);
        Engine.OnEvent(json, source, matches);
    }

    /// <summary>
    /// The end of the input: without a state directory (or with <c>--final</c>) the stream ends: held-back sequence steps
    /// are joined and every remaining execution runs. (With a state directory the caller then saves the state.)
    /// </summary>
    public void EndOfInput()
    {
        if (!Engine.Options.EndOfInputEndsStream) return;
        Sequences.Flush();
        Engine.Finish();
    }

    /// <summary>The state directory of this scan (null without <c>--state</c>).</summary>
    public string? StateDirectory => _stateDirectory;

    /// <summary>
    /// Writes the state file (atomically, see <see cref="StateFile"/>): the engine's and the sequences' state, and
    /// <paramref name="checkpoint"/>, the input position they cover.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written (the previous one is then intact).</exception>
    public void Save(string directory, ScanCheckpoint? checkpoint)
    {
        Directory.CreateDirectory(directory);
        StateFile.Write(Path.Combine(directory, StateFileName), writer =>
        {
            writer.WriteString("format", FileFormat);
            StateFormat.WriteDetection(writer, Engine, Sequences);
            if (checkpoint is not null)
            {
                writer.WritePropertyName("scan");
                checkpoint.WriteTo(writer);
            }
        });
    }

    void IDetectionAlertSink.Write(DetectionAlert alert, bool update)
    {
        // The alert's timeline row (computer, level, ...) serves the output format and the summary alike.
        var row = _alerts.Write(alert, update, details: _summary.ReportDetails);
        if (!update) _summary.AddAlert(alert.Rule.Index >= 0 ? alert.Rule.Index : _ruleSet.Rules.Count + (-1 - alert.Rule.Index), alert, row);
    }

    /// <summary>
    /// The detection lines of the summary: executions, what max_signals held back, late events, suppression, the
    /// state held and what its bounds evicted, rules that do not run. Lines with nothing to say are left out.
    /// </summary>
    public void PrintSummary(TextWriter stderr)
    {
        var c = CultureInfo.InvariantCulture;
        var totals = Engine.Totals;
        if (totals.ExecutionsAtCap > 0)
        {
            stderr.WriteLine(string.Format(c, "  max_signals reached in {0:N0} {1}: {2:N0} candidate {3} held back, {4:N0} {5} never alerted",
                totals.ExecutionsAtCap, Plural(totals.ExecutionsAtCap, "execution", "executions"), totals.OverCap, Plural(totals.OverCap, "alert", "alerts"),
                totals.NeverAlerted, Plural(totals.NeverAlerted, "event", "events")));
            foreach (var rule in _ruleSet.Rules)
            {
                var s = Engine.StatisticsOf(rule.Index);
                if (s.ExecutionsAtCap > 0) stderr.WriteLine(string.Format(c, "    {0,8:N0}  held back by max_signals {1}: {2} ({3})", s.OverCap, RuleSchedule.Of(rule.Info, Engine.Options.SigmaMaxSignals).MaxSignals, rule.Info.Name, rule.Info.Id));
            }
        }
        var notSearched = new List<string>();
        if (totals.Late > 0) notSearched.Add(string.Format(c, "{0:N0} late (after every execution whose look-back covers them)", totals.Late));
        if (totals.InGap > 0) notSearched.Add(string.Format(c, "{0:N0} between windows (look-back shorter than the interval)", totals.InGap));
        if (totals.DroppedOverBound > 0) notSearched.Add(string.Format(c, "{0:N0} over the pending-events bound", totals.DroppedOverBound));
        if (notSearched.Count > 0) stderr.WriteLine("  matches no execution searched: " + string.Join("; ", notSearched));
        if (totals.NoTimestamp > 0) stderr.WriteLine(string.Format(c, "  matches without a timestamp: {0:N0} (given the stream's time)", totals.NoTimestamp));
        if (totals.NotNumeric > 0) stderr.WriteLine(string.Format(c, "  correlation matches whose field held no number: {0:N0} (not aggregated)", totals.NotNumeric));
        if (totals.Suppressed > 0 || totals.AlertUpdates > 0)
            stderr.WriteLine(string.Format(c, "  suppressed: {0:N0} candidate {1} folded into suppressed alerts ({2:N0} rewritten with final counts)",
                totals.Suppressed, Plural(totals.Suppressed, "alert", "alerts"), totals.AlertUpdates));
        var state = Engine.StateTotals.Select(s => string.Format(c, "{0:N0} {1}", s.Count, s.Kind)).ToList();
        if (Sequences.RecordCount > 0) state.Add(string.Format(c, "{0:N0} sequence step events", Sequences.RecordCount));
        var evicted = totals.Evicted + Sequences.Evicted;
        if (state.Count > 0 || evicted > 0)
        {
            var kept = _stateDirectory is null ? "held" : "saved for the next run";
            stderr.WriteLine(string.Format(c, "  state {0}: {1}; evicted over bounds: {2:N0}", kept, state.Count == 0 ? "none" : string.Join(", ", state), evicted));
        }
        if (DroppedStates > 0) stderr.WriteLine(string.Format(c, "  state of {0:N0} rules no longer compiled was dropped", DroppedStates));
        var problems = _ruleSet.Rules.Where(r => Engine.ProblemOf(r.Index) is not null).ToList();
        if (problems.Count > 0)
        {
            stderr.WriteLine(string.Format(c, "  rules with schedule or setting problems: {0:N0}", problems.Count));
            foreach (var rule in problems) stderr.WriteLine($"    {rule.Info.Name} ({rule.Info.Id}): {Engine.ProblemOf(rule.Index)}");
        }
    }

    private static string Plural(long n, string one, string many) => n == 1 ? one : many;
}

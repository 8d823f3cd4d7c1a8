using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>Options of <c>rulegen scan</c>.</summary>
public sealed record ScanOptions(IReadOnlyList<string> Inputs, string? Output, bool Quiet, bool Progress);

/// <summary>
/// <c>rulegen scan</c>: streams NDJSON lines (files, .gz files, stdin) through the rule set, writes one alert per
/// (rule, event) match, reports malformed lines with their line numbers and goes on, and ends with a summary.
/// </summary>
public static class ScanCommand
{
    public static int Run(string[] args, TextWriter stderr, IRuleSet ruleSet)
    {
        if (!TryParse(args, stderr, out var options)) return 2;
        Stream output;
        try
        {
            output = options.Output is null ? Console.OpenStandardOutput() : File.Create(options.Output);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rulegen: cannot write '{options.Output}': {ex.Message}");
            return 2;
        }
        using (output)
        {
            return Run(options, output, Console.OpenStandardInput, stderr, ruleSet);
        }
    }

    public static bool TryParse(string[] args, TextWriter stderr, out ScanOptions options)
    {
        var inputs = new List<string>();
        string? output = null;
        var quiet = false;
        var progress = true;
        options = new ScanOptions(inputs, null, false, true);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-o":
                case "--output":
                    if (i + 1 >= args.Length)
                    {
                        stderr.WriteLine("rulegen: --output needs a file name.");
                        return false;
                    }
                    output = args[++i];
                    break;
                case "-q":
                case "--quiet":
                    quiet = true;
                    break;
                case "--no-progress":
                    progress = false;
                    break;
                default:
                    if (args[i].StartsWith('-') && args[i] != "-")
                    {
                        stderr.WriteLine($"rulegen: unknown option '{args[i]}'.");
                        return false;
                    }
                    inputs.Add(args[i]);
                    break;
            }
        }
        if (inputs.Count == 0)
        {
            stderr.WriteLine("rulegen: scan needs at least one INPUT (a file, a .gz file, or - for stdin).");
            return false;
        }
        options = new ScanOptions(inputs, output, quiet, progress);
        return true;
    }

    public static int Run(ScanOptions options, Stream output, Func<Stream> stdin, TextWriter stderr, IRuleSet ruleSet)
    {
        // A missing input is an error before anything is scanned: no partial output.
        foreach (var input in options.Inputs)
        {
            if (input != "-" && !File.Exists(input))
            {
                stderr.WriteLine($"rulegen: input file not found: {input}");
                return 2;
            }
        }

        var summary = new ScanSummary(ruleSet.Rules.Count);
        var stopwatch = Stopwatch.StartNew();
        var progress = options.Progress && !options.Quiet && !Console.IsErrorRedirected ? new ProgressBar(stderr) : null;
        var matches = new int[Math.Max(16, ruleSet.Rules.Count)];
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, SkipValidation = false });
        // Sequence and sample rules: the engine joins the steps events match and hands back completed sequences.
        var sequences = new SequenceEngine(ruleSet, match =>
        {
            SequenceAlertDocument.Write(writer, match);
            writer.Flush();
            output.WriteByte((byte)'\n');
            writer.Reset();
            summary.AddAlert(match.Rule.Index);
        });
        var sequenceSink = sequences.HasSequenceRules ? sequences : null;
        foreach (var input in options.Inputs)
        {
            var display = input == "-" ? "<stdin>" : input;
            using var stream = Open(input, stdin);
            var reader = new LineReader(stream);
            while (reader.TryReadLine(out var line))
            {
                if (IsBlank(line)) continue;
                summary.Events++;
                sequences.CurrentSource = new EventSource(display, reader.LineNumber);
                if (!ruleSet.TryEvaluate(line, matches, out var count, MatchScope.Full, sequenceSink))
                {
                    summary.AddMalformed(display, reader.LineNumber);
                    stderr.WriteLine($"rulegen: {display}:{reader.LineNumber}: malformed event skipped: {Describe(line)}");
                    continue;
                }
                for (var i = 0; i < Math.Min(count, matches.Length); i++)
                {
                    var rule = ruleSet.Rules[matches[i]];
                    AlertDocument.Write(writer, rule.Info, line, new EventSource(display, reader.LineNumber));
                    writer.Flush();
                    output.WriteByte((byte)'\n');
                    writer.Reset();
                    summary.AddAlert(matches[i]);
                }
                progress?.Update(summary.Events, summary.Bytes + reader.BytesRead, stopwatch.Elapsed);
            }
            summary.Bytes += reader.BytesRead;
        }
        sequences.Flush();
        output.Flush();
        stopwatch.Stop();
        progress?.Clear();
        if (!options.Quiet)
        {
            summary.Print(stderr, ruleSet, options.Inputs.Count, stopwatch.Elapsed);
            if (sequenceSink is not null) PrintSequences(stderr, sequences.Statistics);
        }
        return 0;
    }

    private static void PrintSequences(TextWriter stderr, SequenceStatistics s)
    {
        stderr.WriteLine($"  sequences: {s.Completed} completed from {s.StepMatches} step matches");
        var dropped = new List<string>();
        if (s.LateEvents > 0) dropped.Add($"{s.LateEvents} later than the reorder window");
        if (s.MissingTimestamps > 0) dropped.Add($"{s.MissingTimestamps} without a timestamp");
        if (s.CapEvictions > 0) dropped.Add($"{s.CapEvictions} over the per-rule state cap");
        if (s.OpenWindowsAtEnd > 0) dropped.Add($"{s.OpenWindowsAtEnd} with a missing-event window still open at the end");
        if (dropped.Count > 0) stderr.WriteLine("    not joined: " + string.Join("; ", dropped));
    }

    private static Stream Open(string input, Func<Stream> stdin)
    {
        var stream = input == "-" ? stdin() : File.OpenRead(input);
        if (input.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return new GZipStream(stream, CompressionMode.Decompress);
        return stream;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        }
        return true;
    }

    /// <summary>Why a line is not a JSON object (the slow path, only for malformed lines).</summary>
    private static string Describe(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read()) return "empty line";
            if (reader.TokenType != JsonTokenType.StartObject) return "an event must be a JSON object";
            reader.Skip();
            if (reader.Read()) return "unexpected data after the JSON object";
            return "not a JSON object";
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }
}

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text;
using RuleGen.Host.Detection;
using RuleGen.Host.Output;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>
/// Writes alerts as NDJSON (one <see cref="AlertDocument"/> per line), or as a timeline (<see cref="OutputFormat"/>:
/// CSV or a table, from <see cref="TimelineRow"/>s), through a buffer. A failed write surfaces as
/// <see cref="OutputFailedException"/>, so the scan can tell a broken output from a broken input.
/// </summary>
public sealed class AlertWriter
{
    private readonly Stream _output;
    private readonly BufferedStream _buffer;
    private readonly Utf8JsonWriter _json;
    private readonly string _target;

    /// <param name="output">Where alerts go (not disposed here).</param>
    /// <param name="target">How to name the output in error messages.</param>
    /// <param name="createdAt">The alerts' <c>@timestamp</c>: when this scan created them (Kibana's meaning).</param>
    /// <param name="format">NDJSON documents, or a CSV or table timeline.</param>
    /// <param name="tableWidth">The table's width (<see cref="OutputFormat.Table"/>; 0: the terminal's).</param>
    public AlertWriter(Stream output, string target, DateTimeOffset createdAt, OutputFormat format = OutputFormat.Ndjson, int tableWidth = 0)
    {
        _output = output;
        _buffer = new BufferedStream(output, 1 << 16);
        _target = target;
        // Non-ASCII text and '&', '<', '>' stay readable: the output is NDJSON for tools, not HTML.
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        AlertTimestamp = createdAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        Format = format;
        if (format != OutputFormat.Ndjson)
        {
            _text = new StreamWriter(_buffer, new UTF8Encoding(false), 1 << 14, leaveOpen: true);
            try
            {
                _timeline = format == OutputFormat.Csv
                    ? new CsvTimelineWriter(_text)
                    : new TableTimelineWriter(_text, tableWidth > 0 ? tableWidth : TableTimelineWriter.TerminalWidth());
            }
            catch (IOException ex)
            {
                throw new OutputFailedException(_target, ex);
            }
        }
    }

    private readonly StreamWriter? _text;
    private readonly ITimelineWriter? _timeline;
    private readonly TimelineRowReader _rows = new();

    /// <summary>How alerts are written.</summary>
    public OutputFormat Format { get; }

    /// <summary>
    /// Writes <paramref name="alert"/> and returns its timeline row (for the summary). A timeline writes an alert
    /// once: the rewrite of a suppressed alert with its final counts (<paramref name="update"/>) is NDJSON's alone.
    /// </summary>
    /// <param name="details">Whether the row needs its Details even when NDJSON is written (the report's top alerts).</param>
    public TimelineRow Write(DetectionAlert alert, bool update, bool details = false)
    {
        var row = _rows.Read(alert, details || _timeline is not null);
        if (_timeline is null)
        {
            Write(alert);
            return row;
        }
        if (update) return row;
        try
        {
            _timeline.Write(row);
        }
        catch (IOException ex)
        {
            throw new OutputFailedException(_target, ex);
        }
        return row;
    }

    /// <summary>The <c>@timestamp</c> of this writer's alerts (ISO 8601, UTC, milliseconds).</summary>
    public string AlertTimestamp { get; }

    public void Write(RuleInfo rule, ReadOnlySpan<byte> eventJson, EventSource source)
    {
        try
        {
            AlertDocument.Write(_json, rule, eventJson, source, alertTimestamp: AlertTimestamp);
            _json.Flush();
            _buffer.WriteByte((byte)'\n');
            _json.Reset();
        }
        catch (IOException ex)
        {
            throw new OutputFailedException(_target, ex);
        }
    }

    /// <summary>Writes the alert of a completed EQL sequence or sample (<see cref="SequenceAlertDocument"/>).</summary>
    public void WriteSequence(SequenceMatch match)
    {
        try
        {
            SequenceAlertDocument.Write(_json, match, alertTimestamp: AlertTimestamp);
            _json.Flush();
            _buffer.WriteByte((byte)'\n');
            _json.Reset();
        }
        catch (IOException ex)
        {
            throw new OutputFailedException(_target, ex);
        }
    }

    /// <summary>Writes an alert the detection engine raised (its own kind decides the document).</summary>
    public void Write(DetectionAlert alert)
    {
        try
        {
            alert.WriteTo(_json);
            _json.Flush();
            _buffer.WriteByte((byte)'\n');
            _json.Reset();
        }
        catch (IOException ex)
        {
            throw new OutputFailedException(_target, ex);
        }
    }

    /// <summary>Pushes buffered alerts to the output.</summary>
    public void Flush()
    {
        try
        {
            _text?.Flush();
            _buffer.Flush();
        }
        catch (IOException ex)
        {
            throw new OutputFailedException(_target, ex);
        }
    }

    /// <summary>
    /// Pushes buffered alerts to the output and, for a file, to the disk; returns the file's length then (0 for other
    /// outputs). A checkpoint records that length only once the alerts up to it are durable.
    /// </summary>
    public long FlushToDisk()
    {
        Flush();
        if (_output is not FileStream file) return 0;
        try
        {
            file.Flush(flushToDisk: true);
            return file.Position;
        }
        catch (IOException ex)
        {
            throw new OutputFailedException(_target, ex);
        }
    }

    /// <summary>Writing to the output failed (a full disk, a closed pipe).</summary>
    public sealed class OutputFailedException(string target, IOException inner) : Exception($"cannot write to {target}", inner)
    {
        public string Target { get; } = target;
    }
}

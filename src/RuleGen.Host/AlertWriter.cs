using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>
/// Writes alerts as NDJSON (one <see cref="AlertDocument"/> per line) through a buffer. A failed write surfaces as
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
    public AlertWriter(Stream output, string target, DateTimeOffset createdAt)
    {
        _output = output;
        _buffer = new BufferedStream(output, 1 << 16);
        _target = target;
        // Non-ASCII text and '&', '<', '>' stay readable: the output is NDJSON for tools, not HTML.
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        AlertTimestamp = createdAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
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

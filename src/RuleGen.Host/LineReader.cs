namespace RuleGen.Host;

/// <summary>
/// Splits a byte stream into lines without copying them: each line is a span over the reader's buffer, valid until
/// the next call. Lines end at \n; a \r before it is dropped (CRLF files), as is a UTF-8 byte-order mark at the very
/// start. Lines longer than the buffer make it grow.
/// </summary>
public sealed class LineReader
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly Stream _stream;
    private readonly Action? _beforeRead;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private bool _atStart = true;

    /// <param name="stream">The bytes to split (already decompressed).</param>
    /// <param name="beforeRead">
    /// Called before each read from <paramref name="stream"/>, when every line read so far has been handed out: the
    /// moment to flush output, so a slow producer (a pipe, a tail) sees its alerts before the reader blocks.
    /// </param>
    /// <param name="bufferSize">Initial buffer size.</param>
    public LineReader(Stream stream, Action? beforeRead = null, int bufferSize = 1 << 20)
    {
        _stream = stream;
        _beforeRead = beforeRead;
        _buffer = new byte[Math.Max(bufferSize, 16)];
    }

    /// <summary>1-based number of the line last returned (empty lines count).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Bytes read from the stream so far (for throughput figures).</summary>
    public long BytesRead { get; private set; }

    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            if (_atStart)
            {
                // Decide about a byte-order mark once three bytes (or the end) are there.
                if (available.Length < Utf8Bom.Length && !_eof)
                {
                    Fill();
                    continue;
                }
                _atStart = false;
                if (available.StartsWith(Utf8Bom))
                {
                    _start += Utf8Bom.Length;
                    continue;
                }
            }
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = TrimCarriageReturn(available.Slice(0, newline));
                _start += newline + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_end > _start)
                {
                    // The last line has no newline.
                    line = TrimCarriageReturn(available);
                    _start = _end;
                    LineNumber++;
                    return true;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private void Fill()
    {
        if (_start > 0)
        {
            // Move the partial line to the front.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        _beforeRead?.Invoke();
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _eof = true;
        _end += read;
        BytesRead += read;
    }
}

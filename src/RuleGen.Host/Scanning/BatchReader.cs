namespace RuleGen.Host.Scanning;

/// <summary>
/// Splits an input stream into <see cref="LineBatch"/>es of whole lines. The stream is read straight into the batch's
/// buffer; only the unfinished line at the end of a batch moves to the next batch's buffer. Lines end at \n; a \r
/// before it is dropped (CRLF files), as is a UTF-8 byte-order mark at the very start. A line longer than the
/// buffer makes it grow.
/// </summary>
public sealed class BatchReader
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly Stream _stream;
    private readonly bool _dispatchEachRead;
    private byte[] _carry = new byte[4096];
    private int _carryLength;
    private bool _eof;
    private bool _atStart = true;
    private long _nextLine = 1;

    /// <param name="stream">The bytes to split (already decompressed).</param>
    /// <param name="dispatchEachRead">
    /// Hand out a batch after every read that completed a line (for pipes and terminals, so lines are evaluated as they
    /// arrive) instead of filling the buffer first (files).
    /// </param>
    public BatchReader(Stream stream, bool dispatchEachRead)
    {
        _stream = stream;
        _dispatchEachRead = dispatchEachRead;
    }

    /// <summary>Bytes read from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Number of the last line handed out.</summary>
    public long LinesRead => _nextLine - 1;

    /// <summary>
    /// Fills <paramref name="batch"/> with the next lines; false (and an empty batch) at the end of the input.
    /// <paramref name="beforeRead"/> runs before each read from the stream.
    /// </summary>
    public bool Fill(LineBatch batch, Action? beforeRead = null)
    {
        batch.Reset();
        batch.FirstLineNumber = _nextLine;
        if (_eof && _carryLength == 0) return false;

        var buffer = batch.Buffer;
        if (buffer.Length < _carryLength * 2) buffer = batch.Buffer = new byte[Math.Max(buffer.Length * 2, _carryLength * 2)];
        _carry.AsSpan(0, _carryLength).CopyTo(buffer);
        var end = _carryLength;
        var scanned = 0; // bytes before this offset hold no unhandled newline
        var lineStart = 0;
        _carryLength = 0;

        while (true)
        {
            // Hand out the complete lines found so far.
            var newline = buffer.AsSpan(scanned, end - scanned).IndexOf((byte)'\n');
            while (newline >= 0)
            {
                var at = scanned + newline;
                AddLine(batch, buffer, ref lineStart, at);
                lineStart = at + 1;
                scanned = lineStart;
                newline = buffer.AsSpan(scanned, end - scanned).IndexOf((byte)'\n');
            }
            scanned = end;

            if (_eof)
            {
                // The last line has no newline.
                if (end > lineStart) AddLine(batch, buffer, ref lineStart, end);
                lineStart = end;
                batch.EndOfInput = true;
                break;
            }
            if (batch.Count > 0 && (end == buffer.Length || _dispatchEachRead)) break;
            if (end == buffer.Length)
            {
                // One line fills the whole buffer: grow it.
                Array.Resize(ref buffer, buffer.Length * 2);
                batch.Buffer = buffer;
            }

            beforeRead?.Invoke();
            int read;
            try
            {
                read = _stream.Read(buffer, end, buffer.Length - end);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // The lines read so far are scanned; the error is reported after them and the input ends here.
                batch.ReadError = ex;
                batch.EndOfInput = true;
                _eof = true;
                _carryLength = 0;
                BytesRead += 0;
                lineStart = end;
                break;
            }
            if (read == 0) _eof = true;
            end += read;
            BytesRead += read;
            batch.BytesRead += read;
        }

        // Keep the unfinished line for the next batch.
        _carryLength = end - lineStart;
        if (_carryLength > 0)
        {
            if (_carry.Length < _carryLength) _carry = new byte[Math.Max(_carryLength, _carry.Length * 2)];
            buffer.AsSpan(lineStart, _carryLength).CopyTo(_carry);
        }
        return batch.Count > 0 || batch.ReadError is not null || !(_eof && _carryLength == 0);
    }

    private void AddLine(LineBatch batch, byte[] buffer, ref int start, int end)
    {
        if (_atStart)
        {
            _atStart = false;
            if (buffer.AsSpan(start, end - start).StartsWith(Utf8Bom)) start += Utf8Bom.Length;
        }
        var length = end - start;
        if (length > 0 && buffer[start + length - 1] == (byte)'\r') length--;
        batch.AddLine(start, length);
        _nextLine++;
    }
}

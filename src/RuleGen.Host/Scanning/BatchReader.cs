namespace RuleGen.Host.Scanning;

/// <summary>
/// Splits an input stream into <see cref="LineBatch"/>es of whole lines. The stream is read straight into the batch's
/// buffer; only the unfinished line at the end of a batch moves to the next batch's buffer. Lines end at \n; a \r
/// before it is dropped (CRLF files), as is a UTF-8 byte-order mark at the very start. A line longer than the
/// buffer makes it grow, up to the line limit: a longer line is skipped as it is read (never held whole) and handed
/// out as an overlong line (<see cref="LineBatch.IsOverlong"/>) with its length.
/// </summary>
public sealed class BatchReader : IBatchSource
{
    /// <summary>The default line limit (16 MiB): far above any real event, far below what would exhaust memory.</summary>
    public const int DefaultMaxLineBytes = 16 << 20;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly Stream _stream;
    private readonly bool _dispatchEachRead;
    private readonly int _maxLineBytes;
    private byte[] _carry = new byte[4096];
    private int _carryLength;
    private bool _eof;
    private bool _atStart;
    private long _nextLine;
    private readonly long _startOffset;

    /// <summary>Bytes of the overlong line being skipped (its start included), or -1 when none is.</summary>
    private long _skipped = -1;

    /// <param name="stream">The bytes to split (already decompressed), from <paramref name="startOffset"/> on.</param>
    /// <param name="dispatchEachRead">
    /// Hand out a batch after every read that completed a line (for pipes and terminals, so lines are evaluated as they
    /// arrive) instead of filling the buffer first (files).
    /// </param>
    /// <param name="maxLineBytes">The longest line handed out as text; longer ones are skipped.</param>
    /// <param name="firstLine">The number of the stream's first line (a resumed scan starts after its checkpoint).</param>
    /// <param name="startOffset">Where in the input the stream starts (0, or a checkpoint's offset, always at a line start).</param>
    public BatchReader(Stream stream, bool dispatchEachRead, int maxLineBytes = DefaultMaxLineBytes, long firstLine = 1, long startOffset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        _stream = stream;
        _dispatchEachRead = dispatchEachRead;
        _maxLineBytes = maxLineBytes;
        _nextLine = firstLine;
        _startOffset = startOffset;
        _atStart = startOffset == 0;
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
        if (_eof && _carryLength == 0 && _skipped < 0) return false;

        var buffer = batch.Buffer;
        if (buffer.Length < _carryLength * 2) buffer = batch.Buffer = new byte[Math.Max(buffer.Length * 2, _carryLength * 2)];
        _carry.AsSpan(0, _carryLength).CopyTo(buffer);
        var end = _carryLength;
        var scanned = 0; // bytes before this offset hold no unhandled newline
        var lineStart = 0;
        long dropped = 0; // bytes read but in no line: an unfinished line at a read error
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
                if (_skipped >= 0) EndOverlong(batch);
                else if (end > lineStart) AddLine(batch, buffer, ref lineStart, end);
                lineStart = end;
                batch.EndOfInput = true;
                break;
            }
            if (_skipped < 0 && end - lineStart > _maxLineBytes)
            {
                // The unfinished line is already over the limit: drop what it holds and skip the rest as it comes.
                _skipped = end - lineStart;
                _atStart = false;
                end = scanned = lineStart;
            }
            // While a line is skipped, reads go to a buffer with room: the lines before it are handed out first.
            if (batch.Count > 0 && (end == buffer.Length || _dispatchEachRead || _skipped >= 0)) break;
            if (end == buffer.Length)
            {
                // One line fills the whole buffer: grow it, to no more than the limit needs.
                Array.Resize(ref buffer, (int)Math.Min(buffer.Length * 2L, _maxLineBytes + 1L));
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
                dropped = end - lineStart + Math.Max(0, _skipped);
                _skipped = -1;
                lineStart = end;
                break;
            }
            if (read == 0) _eof = true;
            BytesRead += read;
            batch.BytesRead += read;
            if (_skipped >= 0 && read > 0)
            {
                // Skipping an overlong line: its bytes are counted and dropped until its newline; what follows the
                // newline moves down to where the line would have started.
                var found = buffer.AsSpan(end, read).IndexOf((byte)'\n');
                if (found < 0)
                {
                    _skipped += read;
                    continue;
                }
                _skipped += found;
                EndOverlong(batch);
                var rest = read - found - 1;
                buffer.AsSpan(end + found + 1, rest).CopyTo(buffer.AsSpan(end));
                read = rest;
            }
            end += read;
        }

        // Keep the unfinished line for the next batch.
        _carryLength = end - lineStart;
        if (_carryLength > 0)
        {
            if (_carry.Length < _carryLength) _carry = new byte[Math.Max(_carryLength, _carry.Length * 2)];
            buffer.AsSpan(lineStart, _carryLength).CopyTo(_carry);
        }
        // Every byte read is in a handed-out line, in the carried unfinished line, or in the overlong line being skipped.
        batch.EndOffset = _startOffset + BytesRead - _carryLength - Math.Max(0, _skipped) - dropped;
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
        if (length > _maxLineBytes) batch.AddOverlongLine(length);
        else batch.AddLine(start, length);
        _nextLine++;
    }

    private void EndOverlong(LineBatch batch)
    {
        batch.AddOverlongLine(_skipped);
        _skipped = -1;
        _nextLine++;
    }
}

using RuleGen.Evtx;

namespace RuleGen.Host.Scanning;

/// <summary>
/// Turns an EVTX file into <see cref="LineBatch"/>es: each record is rendered (by <see cref="EvtxReader"/>) as one JSON
/// event line, copied into the batch's buffer; damaged data is an entry of its own (<see cref="LineBatch.IsCorrupt"/>)
/// with its description. Every entry, record or damage, takes the next line number (the record's position in the
/// file). A batch holds whole chunks, so its <see cref="LineBatch.EndOffset"/> is the start of the next chunk: where a
/// resumed scan starts reading.
/// </summary>
public sealed class EvtxBatchReader : IBatchSource
{
    /// <summary>A batch ends at the first chunk boundary after this many bytes of JSON (a chunk renders to a few hundred KB).</summary>
    private const int FillBytes = 512 * 1024;

    private readonly EvtxReader _reader;
    private readonly JsonBuffer _json = new(64 * 1024);
    private readonly bool _dispatchEachChunk;
    private readonly int _maxLineBytes;
    private long _nextLine;
    private bool _ended;

    /// <param name="stream">The file's bytes from <paramref name="startOffset"/> on.</param>
    /// <param name="dispatchEachChunk">Hand out a batch after every chunk (pipes) instead of filling it first (files).</param>
    /// <param name="maxLineBytes">A record whose JSON is longer is handed out as an overlong line (its text dropped).</param>
    /// <param name="firstLine">The number of the first entry (a resumed scan continues the numbering).</param>
    /// <param name="startOffset">0, or the file offset of the chunk a resumed scan starts at.</param>
    public EvtxBatchReader(Stream stream, bool dispatchEachChunk, int maxLineBytes, long firstLine = 1, long startOffset = 0)
    {
        _reader = new EvtxReader(stream, startOffset);
        _dispatchEachChunk = dispatchEachChunk;
        _maxLineBytes = maxLineBytes;
        _nextLine = firstLine;
    }

    /// <summary>Whether <paramref name="offset"/> is a place an EVTX read can resume at (0 or a chunk's start).</summary>
    public static bool IsResumeOffset(long offset) =>
        offset == 0 || (offset >= EvtxReader.FileHeaderSize && (offset - EvtxReader.FileHeaderSize) % EvtxReader.ChunkSize == 0);

    public bool Fill(LineBatch batch, Action? beforeRead = null)
    {
        batch.Reset();
        batch.Format = InputFormat.Evtx;
        batch.FirstLineNumber = _nextLine;
        if (_ended) return false;
        var used = 0;
        var bytesBefore = _reader.BytesRead;
        try
        {
            while (true)
            {
                if (_reader.AtChunkBoundary)
                {
                    if (batch.Count > 0 && (used >= FillBytes || _dispatchEachChunk)) break;
                    beforeRead?.Invoke();
                }
                _json.Clear();
                var entry = _reader.Read(_json);
                if (entry.Kind == EvtxEntryKind.End)
                {
                    _ended = true;
                    batch.EndOfInput = true;
                    break;
                }
                _nextLine++;
                if (entry.Kind == EvtxEntryKind.Corrupt)
                {
                    batch.AddCorrupt(entry.Offset, entry.Problem!);
                    continue;
                }
                var length = _json.Length;
                if (length > _maxLineBytes)
                {
                    batch.AddOverlongLine(length);
                    continue;
                }
                if (batch.Buffer.Length - used < length) Array.Resize(ref batch.Buffer, Math.Max(batch.Buffer.Length * 2, used + length));
                _json.WrittenSpan.CopyTo(batch.Buffer.AsSpan(used));
                batch.AddLine(used, length);
                used += length;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The records read so far are scanned; the error is reported after them and the input ends here.
            batch.ReadError = ex;
            batch.EndOfInput = true;
            _ended = true;
        }
        batch.BytesRead = _reader.BytesRead - bytesBefore;
        batch.EndOffset = _reader.NextChunkOffset;
        return true;
    }
}

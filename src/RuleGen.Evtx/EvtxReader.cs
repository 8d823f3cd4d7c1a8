using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.IO.Hashing;
using RuleGen.Evtx.BinXml;

namespace RuleGen.Evtx;

/// <summary>
/// Reads a Windows event log file (.evtx) from a stream, front to back, one 64 KiB chunk in memory at a time, and
/// renders each record as one JSON event (UTF-8, the evtx_dump shape; see <see cref="JsonRenderer"/>) into the
/// caller's buffer. Damaged data is an entry of its own (<see cref="EvtxEntryKind.Corrupt"/>) naming the chunk, the
/// record and their file offsets, and reading goes on after it: a chunk without its signature is skipped; a checksum
/// mismatch is reported and the chunk's records are still read; a record that cannot be read is skipped, found again
/// by its signature when its size is damaged. The buffers (chunk, XML tree, names) are reused: reading allocates
/// nothing per record once they have grown, except to describe damage.
/// </summary>
/// <remarks>
/// The hot methods (here and in <c>BinXml/</c>) are marked <see cref="MethodImplOptions.AggressiveOptimization"/>: a
/// scan reads a few thousand records per file, too few for tiered compilation to replace their first, unoptimised
/// code in time, so they are compiled optimised at their first call.
/// </remarks>
public sealed class EvtxReader
{
    /// <summary>The file header's size: the first chunk starts here.</summary>
    public const int FileHeaderSize = 4096;

    /// <summary>Every chunk's size: 64 KiB, records and their templates and names together.</summary>
    public const int ChunkSize = 65536;

    private const int ChunkHeaderSize = 512;
    private const int RecordHeaderSize = 24;

    /// <summary>"ElfFile\0": the first bytes of every .evtx file.</summary>
    public static ReadOnlySpan<byte> FileSignature => "ElfFile\0"u8;

    private static ReadOnlySpan<byte> ChunkSignature => "ElfChnk\0"u8;
    private static ReadOnlySpan<byte> RecordSignature => [0x2A, 0x2A, 0x00, 0x00];

    private readonly Stream _stream;
    private readonly byte[] _chunk = new byte[ChunkSize];
    private readonly BinXmlParser _parser = new();
    private readonly RecordTree _tree = new();
    private readonly JsonRenderer _renderer = new();
    private readonly Crc32 _crc = new();
    private readonly Queue<EvtxEntry> _problems = new();
    private bool _started;
    private bool _ended;
    private bool _inChunk;
    private bool _truncatedChunk;
    private int _chunkLength;
    private int _recordPos;
    private int _recordsEnd;
    /// <summary>The number (from 0, in file order) of the next chunk to load.</summary>
    private long _chunkNumber;

    /// <param name="stream">The file's bytes from <paramref name="startOffset"/> on, read forward only.</param>
    /// <param name="startOffset">0 (the file header comes first), or the file offset of a chunk (a resumed read).</param>
    public EvtxReader(Stream stream, long startOffset = 0)
    {
        if (startOffset != 0 && (startOffset < FileHeaderSize || (startOffset - FileHeaderSize) % ChunkSize != 0))
            throw new ArgumentOutOfRangeException(nameof(startOffset), "a read resumes at the start of a chunk");
        _stream = stream;
        NextChunkOffset = startOffset == 0 ? 0 : startOffset;
        _started = startOffset != 0;
        _chunkNumber = startOffset == 0 ? 0 : (startOffset - FileHeaderSize) / ChunkSize;
    }

    /// <summary>The file offset where the next chunk starts: a read resumed there starts with that chunk.</summary>
    public long NextChunkOffset { get; private set; }

    /// <summary>Bytes read from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Whether the next <see cref="Read"/> starts a new chunk (every record of the previous ones was handed out).</summary>
    public bool AtChunkBoundary => !_inChunk && _problems.Count == 0;

    /// <summary>
    /// The next record (appended to <paramref name="output"/>), damaged data (nothing appended), or the end.
    /// </summary>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public EvtxEntry Read(JsonBuffer output)
    {
        var entry = ReadEntry(output);
        // The chunk's last record handed out ends the chunk: the reader is at a boundary before the next one is read.
        if (_inChunk && _recordPos > _recordsEnd - RecordHeaderSize) _inChunk = false;
        return entry;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private EvtxEntry ReadEntry(JsonBuffer output)
    {
        while (true)
        {
            if (_problems.Count > 0) return _problems.Dequeue();
            if (_ended) return new EvtxEntry(EvtxEntryKind.End, NextChunkOffset, 0, null);
            if (!_inChunk)
            {
                LoadChunk();
                continue;
            }
            if (_recordPos > _recordsEnd - RecordHeaderSize)
            {
                _inChunk = false;
                continue;
            }
            var at = _recordPos;
            var offset = ChunkOffset + at;
            if (!RecordSignature.SequenceEqual(_chunk.AsSpan(at, 4)))
            {
                var next = FindRecord(at + 1);
                _recordPos = next < 0 ? _recordsEnd : next;
                return Problem(offset, 0, $"{Where(at)}: no record signature{Resync(next)}");
            }
            var size = BinaryPrimitives.ReadInt32LittleEndian(_chunk.AsSpan(at + 4));
            var id = BinaryPrimitives.ReadUInt64LittleEndian(_chunk.AsSpan(at + 8));
            if (size < RecordHeaderSize + 4 || size > _recordsEnd - at)
            {
                if (_truncatedChunk && size >= RecordHeaderSize + 4 && size <= ChunkSize - at)
                {
                    _recordPos = _recordsEnd;
                    return Problem(offset, id, $"{Where(at)} (record number {id}): cut off by the end of the file");
                }
                var next = FindRecord(at + 4);
                _recordPos = next < 0 ? _recordsEnd : next;
                return Problem(offset, id, $"{Where(at)} (record number {id}): a size of {size} bytes past the chunk's records{Resync(next)}");
            }
            if (BinaryPrimitives.ReadInt32LittleEndian(_chunk.AsSpan(at + size - 4)) != size)
            {
                var next = FindRecord(at + 4);
                _recordPos = next < 0 ? _recordsEnd : next;
                return Problem(offset, id, $"{Where(at)} (record number {id}): its size ({size} bytes) is not repeated at its end{Resync(next)}");
            }
            _recordPos = at + size;
            var mark = output.Length;
            try
            {
                _parser.Parse(_chunk, _chunkLength, at + RecordHeaderSize, at + size - 4, _tree);
                _renderer.Render(_tree, output);
                return new EvtxEntry(EvtxEntryKind.Record, offset, id, null);
            }
            catch (Exception ex) when (ex is EvtxFormatException or IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException or OverflowException)
            {
                // The reader's checks should leave nothing for the runtime to catch; if one was missed, the damage is
                // still reported, not a crash.
                output.Truncate(mark);
                return Problem(offset, id, $"{Where(at)} (record number {id}): {ex.Message}; skipped");
            }
        }
    }

    /// <summary>The file offset of the chunk in memory.</summary>
    private long ChunkOffset { get; set; }

    private string Where(int recordAt) => $"{ChunkName()}, record at offset 0x{ChunkOffset + recordAt:x}";

    private string ChunkName() => $"chunk {_chunkNumber - 1} (offset 0x{ChunkOffset:x})";

    private static string Resync(int next) => next < 0 ? "; the rest of the chunk is skipped" : "; skipped to the next record signature";

    private EvtxEntry Problem(long offset, ulong id, string message) => new(EvtxEntryKind.Corrupt, offset, id, message);

    /// <summary>The next position from <paramref name="from"/> that holds a plausible record (signature, size, repeated size), or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int FindRecord(int from)
    {
        var pos = from;
        while (pos <= _recordsEnd - RecordHeaderSize)
        {
            var found = _chunk.AsSpan(pos, _recordsEnd - pos).IndexOf(RecordSignature);
            if (found < 0) return -1;
            pos += found;
            if (pos > _recordsEnd - RecordHeaderSize) return -1;
            var size = BinaryPrimitives.ReadInt32LittleEndian(_chunk.AsSpan(pos + 4));
            if (size >= RecordHeaderSize + 4 && size <= _recordsEnd - pos
                && BinaryPrimitives.ReadInt32LittleEndian(_chunk.AsSpan(pos + size - 4)) == size) return pos;
            pos++;
        }
        return -1;
    }

    /// <summary>Reads the next chunk (after the file header, first time), or ends the file.</summary>
    private void LoadChunk()
    {
        if (!_started)
        {
            _started = true;
            var header = ReadFully(_chunk.AsSpan(0, FileHeaderSize));
            NextChunkOffset = FileHeaderSize;
            if (header < FileHeaderSize || !_chunk.AsSpan(0, 8).SequenceEqual(FileSignature))
            {
                _ended = true;
                _problems.Enqueue(Problem(0, 0, header < FileHeaderSize
                    ? $"the file header is cut off ({header} of {FileHeaderSize} bytes): not a whole EVTX file"
                    : "no ElfFile signature: not an EVTX file"));
                return;
            }
            if (Crc32.HashToUInt32(_chunk.AsSpan(0, 120)) != BinaryPrimitives.ReadUInt32LittleEndian(_chunk.AsSpan(124)))
                _problems.Enqueue(Problem(0, 0, "the file header's checksum does not match (its chunks are read anyway)"));
        }

        ChunkOffset = NextChunkOffset;
        var length = ReadFully(_chunk);
        if (length == 0)
        {
            _ended = true;
            return;
        }
        NextChunkOffset += length;
        _chunkNumber++;
        _chunkLength = length;
        _truncatedChunk = length < ChunkSize;
        if (_truncatedChunk)
        {
            _chunk.AsSpan(length).Clear();
            if (_chunk.AsSpan(0, length).IndexOfAnyExcept((byte)0) < 0) return; // unused space, cut short
            _problems.Enqueue(Problem(ChunkOffset, 0, $"{ChunkName()}: cut off by the end of the file ({length:N0} of {ChunkSize:N0} bytes); its whole records are read"));
            if (length < ChunkHeaderSize) return;
        }
        if (!_chunk.AsSpan(0, 8).SequenceEqual(ChunkSignature))
        {
            // A chunk never written is all zeros: it holds nothing, which is no damage.
            if (_chunk.AsSpan(0, length).IndexOfAnyExcept((byte)0) >= 0)
                _problems.Enqueue(Problem(ChunkOffset, 0, $"{ChunkName()}: no ElfChnk signature; the chunk is skipped"));
            return;
        }
        _crc.Reset();
        _crc.Append(_chunk.AsSpan(0, 120));
        _crc.Append(_chunk.AsSpan(128, ChunkHeaderSize - 128));
        var headerIntact = _crc.GetCurrentHashAsUInt32() == BinaryPrimitives.ReadUInt32LittleEndian(_chunk.AsSpan(124));
        if (!headerIntact) _problems.Enqueue(Problem(ChunkOffset, 0, $"{ChunkName()}: the chunk header's checksum does not match; its records are read anyway"));

        var freeSpace = BinaryPrimitives.ReadInt32LittleEndian(_chunk.AsSpan(48));
        if (freeSpace < ChunkHeaderSize || freeSpace > ChunkSize)
        {
            _problems.Enqueue(Problem(ChunkOffset, 0, $"{ChunkName()}: its records' end (0x{freeSpace:x}) is outside the chunk; records are read to the end of the chunk"));
            freeSpace = ChunkSize;
        }
        else if (headerIntact && freeSpace <= length
                 && Crc32.HashToUInt32(_chunk.AsSpan(ChunkHeaderSize, freeSpace - ChunkHeaderSize)) != BinaryPrimitives.ReadUInt32LittleEndian(_chunk.AsSpan(52)))
        {
            _problems.Enqueue(Problem(ChunkOffset, 0, $"{ChunkName()}: the records' checksum does not match; they are read anyway, damaged ones are reported"));
        }
        _recordsEnd = Math.Min(freeSpace, length);
        _recordPos = ChunkHeaderSize;
        _inChunk = true;
        _renderer.BeginChunk(_chunk);
    }

    private int ReadFully(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = _stream.Read(buffer[total..]);
            if (read == 0) break;
            total += read;
        }
        BytesRead += total;
        return total;
    }
}

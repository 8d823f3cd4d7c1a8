namespace RuleGen.Host.Scanning;

/// <summary>
/// A run of whole lines of one input (for an EVTX input: whole chunks' records, each rendered as one JSON line), read straight into one buffer (lines are offsets into it, never copied), and,
/// once evaluated, the verdict of each line: the matching rules, blank, or malformed. Batches are pooled: a batch
/// goes back to the reader once its alerts are written.
/// </summary>
public sealed class LineBatch
{
    /// <summary>What evaluating a line gave, besides its matches.</summary>
    public const int Blank = -1;
    public const int Malformed = -2;

    /// <summary>A line over the reader's line limit: skipped unread (<see cref="OverlongLength"/> says how long it was).</summary>
    public const int Overlong = -3;

    /// <summary>Damaged EVTX data (a chunk or a record), skipped: <see cref="Problem"/> says what and where.</summary>
    public const int Corrupt = -4;

    // Lengths[] of the entries that are not lines.
    private const int OverlongEntry = -1;
    private const int CorruptEntry = -2;

    internal byte[] Buffer;
    internal int[] Starts = new int[1024];
    internal int[] Lengths = new int[1024];
    internal int[] Verdicts = new int[1024];
    internal int[] MatchStarts = new int[1024];
    internal int[] Matches = new int[1024];
    internal int MatchCount;

    /// <summary>The lengths of the batch's overlong lines; such a line's <see cref="Starts"/> entry indexes this list.</summary>
    private readonly List<long> _overlongLengths = new();

    /// <summary>The batch's damaged EVTX data (file offset, description); such an entry's <see cref="Starts"/> indexes this list.</summary>
    private readonly List<(long Offset, string Problem)> _problems = new();

    /// <summary>Set once stage (a) has evaluated the batch (parallel scans).</summary>
    internal readonly ManualResetEventSlim Evaluated = new(false);

    public LineBatch(int bufferSize) => Buffer = new byte[bufferSize];

    /// <summary>The bytes the batch's buffer holds (it grows for long lines, up to the line limit).</summary>
    public int BufferBytes => Buffer.Length;

    /// <summary>Position in the scan: batches are written in this order.</summary>
    public long Sequence { get; internal set; }

    /// <summary>The input (index into the scan's inputs) the lines come from.</summary>
    public int Input { get; internal set; }

    /// <summary>1-based line number of the first line (empty lines count).</summary>
    public long FirstLineNumber { get; internal set; }

    /// <summary>How many lines the batch holds.</summary>
    public int Count { get; internal set; }

    /// <summary>Bytes read from the input while filling this batch (after decompression).</summary>
    public long BytesRead { get; internal set; }

    /// <summary>
    /// Where the batch ends in its input: the byte offset (after decompression) just after its last line and that
    /// line's newline. A scan resumed from here starts at the next line.
    /// </summary>
    public long EndOffset { get; internal set; }

    /// <summary>The number of the batch's last line (one before <see cref="FirstLineNumber"/> when it holds none).</summary>
    public long LastLineNumber => FirstLineNumber + Count - 1;

    /// <summary>A problem reading the input after these lines (the input ends here), or null.</summary>
    public Exception? ReadError { get; internal set; }

    /// <summary>The input could not be opened: the batch holds no lines, only this error.</summary>
    public bool OpenFailed { get; internal set; }

    /// <summary>How the input is read: for EVTX, the lines are its records and the line numbers their positions.</summary>
    public InputFormat Format { get; internal set; }

    /// <summary>The last batch of its input.</summary>
    public bool EndOfInput { get; internal set; }

    /// <summary>
    /// The line's bytes (without its newline), or an EVTX record's JSON; empty for an overlong line, whose bytes were
    /// never kept, and for damaged EVTX data.
    /// </summary>
    public ReadOnlySpan<byte> Line(int index) => Lengths[index] < 0 ? default : Buffer.AsSpan(Starts[index], Lengths[index]);

    /// <summary>Whether the line was longer than the reader's line limit (and skipped as it was read).</summary>
    public bool IsOverlong(int index) => Lengths[index] == OverlongEntry;

    /// <summary>Whether the entry is damaged EVTX data (no event).</summary>
    public bool IsCorrupt(int index) => Lengths[index] == CorruptEntry;

    /// <summary>What is wrong with a damaged EVTX entry, and where in its file it starts.</summary>
    public (long Offset, string Problem) Problem(int index) => _problems[Starts[index]];

    /// <summary>How many bytes an overlong line had (without its newline).</summary>
    public long OverlongLength(int index) => _overlongLengths[Starts[index]];

    public long LineNumber(int index) => FirstLineNumber + index;

    /// <summary>The line's matching rules (empty for blank and malformed lines).</summary>
    public ReadOnlySpan<int> MatchesOf(int index) =>
        Verdicts[index] > 0 ? Matches.AsSpan(MatchStarts[index], Verdicts[index]) : default;

    /// <summary>The number of matching rules, or <see cref="Blank"/> / <see cref="Malformed"/>.</summary>
    public int Verdict(int index) => Verdicts[index];

    internal void Reset()
    {
        Count = 0;
        BytesRead = 0;
        ReadError = null;
        OpenFailed = false;
        EndOfInput = false;
        MatchCount = 0;
        EndOffset = 0;
        _overlongLengths.Clear();
        _problems.Clear();
        Format = InputFormat.Ndjson;
    }

    internal void AddOverlongLine(long length)
    {
        _overlongLengths.Add(length);
        AddLine(_overlongLengths.Count - 1, OverlongEntry);
    }

    internal void AddCorrupt(long offset, string problem)
    {
        _problems.Add((offset, problem));
        AddLine(_problems.Count - 1, CorruptEntry);
    }

    internal void AddLine(int start, int length)
    {
        if (Count == Starts.Length)
        {
            var size = Count * 2;
            Array.Resize(ref Starts, size);
            Array.Resize(ref Lengths, size);
            Array.Resize(ref Verdicts, size);
            Array.Resize(ref MatchStarts, size);
        }
        Starts[Count] = start;
        Lengths[Count] = length;
        Count++;
    }
}

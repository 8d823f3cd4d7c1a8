using System.IO.Compression;
using RuleGen.Evtx;

namespace RuleGen.Host;

/// <summary>How an input's bytes are read: NDJSON lines (plain or gzip) or Windows event log records.</summary>
public enum InputFormat
{
    Ndjson,
    Evtx,
}

/// <summary>Which inputs a folder contributes (<c>--input-format</c>).</summary>
public enum InputFormatFilter
{
    /// <summary>EVTX files (by content) and NDJSON files (<c>.ndjson</c>, <c>.json</c>, <c>.jsonl</c>, <c>.gz</c>).</summary>
    Auto,
    Evtx,
    Ndjson,
}

/// <summary>
/// One INPUT of <c>rulegen scan</c>: a file, a folder of them or <c>-</c> (stdin). Gzip data and EVTX files are
/// recognised by their first bytes (the gzip magic, <c>ElfFile\0</c>), not by the file name, so
/// <c>zcat</c>-less pipes (<c>cat x.gz | rulegen scan -</c>) and oddly named logs work too.
/// </summary>
public static class ScanInput
{
    /// <summary>The file names a folder's NDJSON inputs have (EVTX files are recognised by content, whatever their name).</summary>
    private static readonly string[] NdjsonExtensions = [".ndjson", ".json", ".jsonl", ".gz"];

    /// <summary>
    /// The inputs to scan: each file argument as it is, each folder replaced by the files under it (recursively, in
    /// ordinal path order) that <paramref name="filter"/> takes. Null after reporting to <paramref name="stderr"/> a
    /// folder that holds none, or that cannot be listed.
    /// </summary>
    public static List<string>? Expand(IReadOnlyList<string> inputs, InputFormatFilter filter, TextWriter stderr)
    {
        var expanded = new List<string>();
        foreach (var input in inputs)
        {
            if (input == Stdin || !Directory.Exists(input))
            {
                expanded.Add(input);
                continue;
            }
            List<string> files;
            try
            {
                files = Directory.EnumerateFiles(input, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.None })
                    .Where(f => Takes(f, filter))
                    .Order(StringComparer.Ordinal)
                    .ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"rulegen: cannot list the folder {input}: {ex.Message}");
                return null;
            }
            if (files.Count == 0)
            {
                stderr.WriteLine($"rulegen: the folder {input} holds no {(filter == InputFormatFilter.Evtx ? "EVTX" : filter == InputFormatFilter.Ndjson ? "NDJSON" : "EVTX or NDJSON")} file" +
                    (filter == InputFormatFilter.Evtx ? "" : " (NDJSON files end in .ndjson, .json, .jsonl or .gz)"));
                return null;
            }
            expanded.AddRange(files);
        }
        return expanded;
    }

    /// <summary>Whether a folder's file is an input of <paramref name="filter"/>.</summary>
    private static bool Takes(string file, InputFormatFilter filter)
    {
        var evtx = IsEvtxFile(file);
        return filter switch
        {
            InputFormatFilter.Evtx => evtx,
            InputFormatFilter.Ndjson => !evtx && HasNdjsonName(file),
            _ => evtx || HasNdjsonName(file),
        };
    }

    private static bool HasNdjsonName(string file) => NdjsonExtensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the file starts with the EVTX signature (false when it cannot be read).</summary>
    public static bool IsEvtxFile(string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            Span<byte> head = stackalloc byte[8];
            return stream.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(EvtxReader.FileSignature);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The argument that means standard input.</summary>
    public const string Stdin = "-";

    /// <summary>How an input is named in messages and in alerts (<c>rulegen.input.file</c>).</summary>
    public static string DisplayName(string input) => input == Stdin ? "<stdin>" : input;

    /// <summary>Why <paramref name="input"/> cannot be scanned, or null when it looks readable.</summary>
    public static string? Problem(string input)
    {
        if (input == Stdin) return null;
        if (Directory.Exists(input)) return null;
        if (!File.Exists(input)) return $"input file not found: {input}";
        return null;
    }

    /// <summary>
    /// Opens <paramref name="input"/> for reading lines: the file (or <paramref name="stdin"/>), decompressed when it
    /// starts with the gzip magic bytes. Disposing the result never disposes <paramref name="stdin"/>.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static Stream Open(string input, Stream stdin) => Open(input, stdin, out _);

    /// <summary>
    /// Opens <paramref name="input"/> and says how to read it: <see cref="InputFormat.Evtx"/> when it starts with
    /// <c>ElfFile\0</c> (the stream is then the file's raw bytes), else NDJSON, decompressed when it starts with the
    /// gzip magic bytes. Disposing the result never disposes <paramref name="stdin"/>.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file's name promises a format its content does not have.</exception>
    public static Stream Open(string input, Stream stdin, out InputFormat format)
    {
        Stream raw = input == Stdin ? new NonDisposingStream(stdin) : new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var peeked = new PeekableStream(raw);
        format = InputFormat.Ndjson;
        if (peeked.StartsWith(EvtxReader.FileSignature))
        {
            format = InputFormat.Evtx;
            return peeked;
        }
        if (peeked.StartsWith([0x1F, 0x8B])) return new GZipStream(peeked, CompressionMode.Decompress);
        foreach (var (extension, kind) in new[] { (".gz", "gzip data"), (".evtx", "an EVTX log (no ElfFile signature)") })
        {
            if (input.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && peeked.HasData)
            {
                peeked.Dispose();
                throw new InvalidDataException($"the file is named {extension} but does not hold {kind}");
            }
        }
        return peeked;
    }

    /// <summary>
    /// Reads and drops the first <paramref name="bytes"/> of <paramref name="stream"/> (decompressed bytes, so it works
    /// for gzip too): where a resumed scan starts.
    /// </summary>
    /// <exception cref="InvalidDataException">The input ends before: it is not the input the checkpoint was taken of.</exception>
    public static void Skip(Stream stream, long bytes)
    {
        var buffer = new byte[1 << 16];
        while (bytes > 0)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, bytes));
            if (read == 0)
                throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the input ends {bytes:N0} bytes before the position its checkpoint recorded: it was truncated or replaced since"));
            bytes -= read;
        }
    }

    /// <summary>A read-only stream that can look at its first bytes before handing them out.</summary>
    private sealed class PeekableStream : Stream
    {
        private readonly Stream _inner;
        private readonly byte[] _head = new byte[8];
        private int _headLength;
        private int _headPosition;

        public PeekableStream(Stream inner)
        {
            _inner = inner;
            // Eight bytes tell an EVTX file; two tell gzip. A pipe's first short line is not held back waiting for more
            // once it cannot be an EVTX signature.
            while (_headLength < _head.Length && (_headLength < 2 || EvtxReader.FileSignature.StartsWith(_head.AsSpan(0, _headLength))))
            {
                var read = _inner.Read(_head, _headLength, _head.Length - _headLength);
                if (read == 0) break;
                _headLength += read;
            }
        }

        public bool HasData => _headLength > 0;

        public bool StartsWith(ReadOnlySpan<byte> prefix) => _head.AsSpan(0, _headLength).StartsWith(prefix);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_headPosition < _headLength)
            {
                var n = Math.Min(buffer.Length, _headLength - _headPosition);
                _head.AsSpan(_headPosition, n).CopyTo(buffer);
                _headPosition += n;
                return n;
            }
            return _inner.Read(buffer);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Stdin belongs to the process (or to the test): reading it is ours, closing it is not.</summary>
    private sealed class NonDisposingStream(Stream inner) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System.IO.Compression;

namespace RuleGen.Host;

/// <summary>
/// One INPUT of <c>rulegen scan</c>: a file or <c>-</c> (stdin). Gzip data is recognised by its magic bytes, not
/// by the file name, so <c>zcat</c>-less pipes (<c>cat x.gz | rulegen scan -</c>) work too.
/// </summary>
public static class ScanInput
{
    /// <summary>The argument that means standard input.</summary>
    public const string Stdin = "-";

    /// <summary>How an input is named in messages and in alerts (<c>rulegen.input.file</c>).</summary>
    public static string DisplayName(string input) => input == Stdin ? "<stdin>" : input;

    /// <summary>Why <paramref name="input"/> cannot be scanned, or null when it looks readable.</summary>
    public static string? Problem(string input)
    {
        if (input == Stdin) return null;
        if (Directory.Exists(input)) return $"input is a directory, not a file: {input}";
        if (!File.Exists(input)) return $"input file not found: {input}";
        return null;
    }

    /// <summary>
    /// Opens <paramref name="input"/> for reading lines: the file (or <paramref name="stdin"/>), decompressed when it
    /// starts with the gzip magic bytes. Disposing the result never disposes <paramref name="stdin"/>.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static Stream Open(string input, Stream stdin)
    {
        Stream raw = input == Stdin ? new NonDisposingStream(stdin) : new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var peeked = new PeekableStream(raw);
        if (peeked.StartsWith(0x1F, 0x8B)) return new GZipStream(peeked, CompressionMode.Decompress);
        if (input.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) && peeked.HasData)
        {
            peeked.Dispose();
            throw new InvalidDataException("the file is named .gz but does not hold gzip data");
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
        private readonly byte[] _head = new byte[2];
        private int _headLength;
        private int _headPosition;

        public PeekableStream(Stream inner)
        {
            _inner = inner;
            while (_headLength < _head.Length)
            {
                var read = _inner.Read(_head, _headLength, _head.Length - _headLength);
                if (read == 0) break;
                _headLength += read;
            }
        }

        public bool HasData => _headLength > 0;

        public bool StartsWith(byte first, byte second) => _headLength == 2 && _head[0] == first && _head[1] == second;

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

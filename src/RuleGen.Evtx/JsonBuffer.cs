using System.Runtime.CompilerServices;
namespace RuleGen.Evtx;

/// <summary>
/// A growable UTF-8 output buffer, reused from record to record: <see cref="Clear"/> keeps its memory, so rendering
/// allocates only while the buffer grows to the largest record seen.
/// </summary>
public sealed class JsonBuffer
{
    private byte[] _bytes;

    /// <param name="capacity">The bytes it starts with (it grows as needed).</param>
    public JsonBuffer(int capacity = 16 * 1024) => _bytes = new byte[Math.Max(capacity, 256)];

    /// <summary>Bytes written since the last <see cref="Clear"/>.</summary>
    public int Length { get; internal set; }

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _bytes.AsSpan(0, Length);

    /// <summary>Forgets what was written, keeping the memory.</summary>
    public void Clear() => Length = 0;

    internal byte[] Bytes => _bytes;

    /// <summary>Makes room for <paramref name="count"/> more bytes and returns the buffer (which may have moved).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal byte[] Ensure(int count)
    {
        if (_bytes.Length - Length < count)
        {
            var size = Math.Max(_bytes.Length * 2L, Length + (long)count);
            if (size > Array.MaxLength) throw new EvtxFormatException("the record renders to more than 2 GB of JSON");
            Array.Resize(ref _bytes, (int)size);
        }
        return _bytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Write(byte b)
    {
        Ensure(1)[Length++] = b;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Ensure(bytes.Length).AsSpan(Length));
        Length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Truncate(int length) => Length = length;
}

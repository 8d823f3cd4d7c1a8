namespace RuleGen.Runtime;

/// <summary>Key normalisation the generated schemas call (Sigma: native keys with spaces are addressed without them).</summary>
public static class KeyText
{
    /// <summary>Copies <paramref name="key"/> into <paramref name="buffer"/> without its spaces; returns the copied part.</summary>
    public static ReadOnlySpan<byte> WithoutSpaces(ReadOnlySpan<byte> key, Span<byte> buffer)
    {
        var length = 0;
        foreach (var b in key)
        {
            if (b != (byte)' ') buffer[length++] = b;
        }
        return buffer.Slice(0, length);
    }
}

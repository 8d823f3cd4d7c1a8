namespace RuleGen.Runtime;

/// <summary>
/// This thread's buffer for UTF-8 text widened to UTF-16 (what .NET's regexes and string searches take). It grows to
/// the longest text seen and is then reused: no allocation per event. A span it returns is valid until the thread's
/// next call; no caller holds one across a call of another.
/// </summary>
internal static class Utf16Scratch
{
    [ThreadStatic] private static char[]? t_buffer;

    /// <summary>Room for <paramref name="length"/> chars (allocates only when the buffer grows).</summary>
    public static Span<char> Get(int length)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Length < length) t_buffer = buffer = new char[Math.Max(length, 2 * (buffer?.Length ?? 256))];
        return buffer.AsSpan(0, length);
    }
}

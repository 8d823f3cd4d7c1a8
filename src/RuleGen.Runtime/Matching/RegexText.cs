using System.Text;
using System.Text.RegularExpressions;

namespace RuleGen.Runtime;

/// <summary>Runs .NET regular expressions over UTF-8 text through this thread's <see cref="Utf16Scratch"/> (no allocation).</summary>
public static class RegexText
{
    public static bool IsMatch(ThreadRegex regex, ReadOnlySpan<byte> utf8) => IsMatch(regex.Current, utf8);

    public static bool IsMatch(Regex regex, ReadOnlySpan<byte> utf8)
    {
        // UTF-8 never takes fewer bytes than UTF-16 takes chars.
        var buffer = Utf16Scratch.Get(utf8.Length);
        var count = Encoding.UTF8.GetChars(utf8, buffer);
        return regex.IsMatch(buffer.Slice(0, count));
    }
}

/// <summary>
/// A rule's regular expression, one <see cref="Regex"/> per thread. A <see cref="Regex"/> keeps one matching engine
/// (its runner) for reuse; threads that match the same instance at once each create another and drop it, which
/// allocates per event in a parallel scan. Each thread builds its own on first use (with
/// <see cref="RegexOptions.Compiled"/>, about a millisecond) and then allocates nothing.
/// </summary>
public sealed class ThreadRegex
{
    private readonly ThreadLocal<Regex> _perThread;

    public ThreadRegex(string pattern, RegexOptions options)
    {
        // Built once here, so a bad pattern fails where the rule is initialised, not on a thread's first match.
        var first = new Regex(pattern, options);
        var firstThread = Environment.CurrentManagedThreadId;
        _perThread = new ThreadLocal<Regex>(() => Environment.CurrentManagedThreadId == firstThread ? first : new Regex(pattern, options));
    }

    /// <summary>This thread's instance.</summary>
    public Regex Current => _perThread.Value!;
}

using System.Text;
using System.Text.RegularExpressions;

namespace RuleGen.Runtime;

/// <summary>Runs .NET regular expressions over UTF-8 text through a reused per-thread char buffer (no allocation).</summary>
public static class RegexText
{
    [ThreadStatic] private static char[]? t_buffer;

    public static bool IsMatch(Regex regex, ReadOnlySpan<byte> utf8)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Length < utf8.Length)
        {
            buffer = new char[Math.Max(256, utf8.Length * 2)];
            t_buffer = buffer;
        }
        var count = Encoding.UTF8.GetChars(utf8, buffer);
        return regex.IsMatch(buffer.AsSpan(0, count));
    }
}

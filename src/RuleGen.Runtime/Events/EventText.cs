using System.Text;
using System.Text.Unicode;

namespace RuleGen.Runtime;

/// <summary>
/// Whether an event's bytes are Unicode text, which JSON requires and <see cref="System.Text.Json.Utf8JsonReader"/>
/// does not check: invalid UTF-8 inside strings, and <c>\u</c> escapes of unpaired UTF-16 surrogates (<c>\ud800</c>),
/// which no UTF-8 text can hold. The reader only fails on them when a value is decoded, so without this check the
/// verdict would depend on which fields the rules read, and writing such an event into an alert would fail.
/// </summary>
public static class EventText
{
    /// <summary>What makes an event's bytes not text.</summary>
    public enum Problem
    {
        None,
        InvalidUtf8,
        LoneSurrogateEscape,
    }

    /// <summary>True when <paramref name="utf8Json"/> is valid UTF-8 without unpaired surrogate escapes (the fast path).</summary>
    public static bool IsValid(ReadOnlySpan<byte> utf8Json) => Utf8.IsValid(utf8Json) && LoneSurrogateEscape(utf8Json) < 0;

    /// <summary>The first problem of <paramref name="utf8Json"/> and its byte index (-1 when there is none).</summary>
    public static Problem Find(ReadOnlySpan<byte> utf8Json, out int index)
    {
        index = InvalidUtf8(utf8Json);
        if (index >= 0) return Problem.InvalidUtf8;
        index = LoneSurrogateEscape(utf8Json);
        return index >= 0 ? Problem.LoneSurrogateEscape : Problem.None;
    }

    /// <summary>A sentence for a located report of <paramref name="problem"/> (used for malformed-line messages).</summary>
    public static string Describe(ReadOnlySpan<byte> utf8Json, Problem problem, int index) => problem switch
    {
        Problem.InvalidUtf8 => $"invalid UTF-8 (byte 0x{utf8Json[index]:X2} at column {index + 1}): an event must be UTF-8 text",
        Problem.LoneSurrogateEscape =>
            $"the escape {Encoding.ASCII.GetString(utf8Json.Slice(index, 6))} at column {index + 1} is an unpaired UTF-16 surrogate, which is not text",
        _ => "valid text",
    };

    private static int InvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8)) return -1;
        for (var i = 0; i < utf8.Length;)
        {
            if (Rune.DecodeFromUtf8(utf8.Slice(i), out _, out var consumed) != System.Buffers.OperationStatus.Done) return i;
            i += consumed;
        }
        return -1;
    }

    /// <summary>
    /// The index of the first <c>\uXXXX</c> escape that is a high surrogate not followed by an escaped low one, or a low
    /// surrogate without a high one before it. Escapes are read left to right, so <c>\\ud800</c> (an escaped backslash,
    /// then text) is not one; outside strings a backslash makes the line malformed anyway.
    /// </summary>
    private static int LoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        var at = json.IndexOf((byte)'\\');
        while (at >= 0 && at + 1 < json.Length)
        {
            var next = 2;
            if (json[at + 1] == (byte)'u' && Hex(json, at + 2) is var unit and >= 0)
            {
                next = 6;
                if (unit is >= 0xDC00 and <= 0xDFFF) return at;
                if (unit is >= 0xD800 and <= 0xDBFF)
                {
                    if (at + 7 >= json.Length || json[at + 6] != (byte)'\\' || json[at + 7] != (byte)'u'
                        || Hex(json, at + 8) is not (>= 0xDC00 and <= 0xDFFF))
                        return at;
                    next = 12;
                }
            }
            var rest = json.Slice(at + next).IndexOf((byte)'\\');
            at = rest < 0 ? -1 : at + next + rest;
        }
        return -1;
    }

    /// <summary>The four hex digits at <paramref name="at"/> as a number, or -1.</summary>
    private static int Hex(ReadOnlySpan<byte> json, int at)
    {
        if (at + 4 > json.Length) return -1;
        var value = 0;
        foreach (var b in json.Slice(at, 4))
        {
            var digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0) return -1;
            value = value * 16 + digit;
        }
        return value;
    }
}

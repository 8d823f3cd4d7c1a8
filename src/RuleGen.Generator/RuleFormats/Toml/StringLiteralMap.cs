using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.RuleFormats.Toml;

/// <summary>
/// Where each character of a decoded TOML string is in the file, so a problem inside a query (a KQL token, say) is
/// reported at its own line and column even in a multi-line or escaped string.
/// </summary>
public sealed class StringLiteralMap
{
    private readonly LineMap _lines;
    // Decoded index -> where the character's source text starts and ends in the file (an escape such as \u0029 is
    // one character written with six). One extra entry stands for the end of the string.
    private readonly int[] _starts;
    private readonly int[] _ends;

    private StringLiteralMap(LineMap lines, int[] starts, int[] ends)
    {
        _lines = lines;
        _starts = starts;
        _ends = ends;
    }

    /// <summary>The location of the source text of decoded characters [start, start+length).</summary>
    public SourceLocation Locate(int start, int length)
    {
        start = Math.Max(0, Math.Min(start, _starts.Length - 1));
        var end = Math.Max(start, Math.Min(start + Math.Max(length, 0), _starts.Length - 1));
        var fileStart = _starts[start];
        var fileEnd = end == start ? fileStart : _ends[end - 1];
        return _lines.Location(fileStart, Math.Max(0, fileEnd - fileStart));
    }

    /// <summary>
    /// Decodes the raw string token (quotes included) that starts at <paramref name="tokenOffset"/>, recording each
    /// character's offset. Returns null when the decoding does not reproduce <paramref name="expected"/> (then callers
    /// locate at the token instead).
    /// </summary>
    public static StringLiteralMap? Build(LineMap lines, string raw, int tokenOffset, string expected)
    {
        var value = new StringBuilder();
        var starts = new List<int>();
        var ends = new List<int>();
        int i;
        int end;
        bool escapes;
        if (raw.StartsWith("'''", StringComparison.Ordinal) || raw.StartsWith("\"\"\"", StringComparison.Ordinal))
        {
            if (raw.Length < 6) return null;
            escapes = raw[0] == '"';
            i = 3;
            end = raw.Length - 3;
            // A newline right after the opening delimiter is trimmed.
            if (i < end && raw[i] == '\n') i++;
            else if (i + 1 < end && raw[i] == '\r' && raw[i + 1] == '\n') i += 2;
        }
        else if (raw.Length >= 2 && (raw[0] == '\'' || raw[0] == '"'))
        {
            escapes = raw[0] == '"';
            i = 1;
            end = raw.Length - 1;
        }
        else
        {
            return null;
        }

        while (i < end)
        {
            var c = raw[i];
            if (!escapes || c != '\\')
            {
                Add(c, 1);
                continue;
            }
            if (i + 1 >= end) return null;
            var e = raw[i + 1];
            switch (e)
            {
                case 'b': Add('\b', 2); break;
                case 't': Add('\t', 2); break;
                case 'n': Add('\n', 2); break;
                case 'f': Add('\f', 2); break;
                case 'r': Add('\r', 2); break;
                case 'e': Add('\u001b', 2); break;
                case '"': Add('"', 2); break;
                case '\\': Add('\\', 2); break;
                case 'x':
                case 'u':
                case 'U':
                {
                    var digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + 2 + digits > end) return null;
                    if (!int.TryParse(raw.Substring(i + 2, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)) return null;
                    string text;
                    try { text = char.ConvertFromUtf32(code); }
                    catch (ArgumentOutOfRangeException) { return null; }
                    foreach (var ch in text)
                    {
                        value.Append(ch);
                        starts.Add(tokenOffset + i);
                        ends.Add(tokenOffset + i + 2 + digits);
                    }
                    i += 2 + digits;
                    break;
                }
                default:
                    // Line-ending backslash (multi-line basic strings): skip the newline and all whitespace after it.
                    if (e is ' ' or '\t' or '\r' or '\n')
                    {
                        var j = i + 1;
                        while (j < end && raw[j] is ' ' or '\t') j++;
                        if (j >= end || raw[j] is not ('\r' or '\n')) return null;
                        while (j < end && raw[j] is ' ' or '\t' or '\r' or '\n') j++;
                        i = j;
                        break;
                    }
                    return null;
            }

            void Add(char ch, int width)
            {
                value.Append(ch);
                starts.Add(tokenOffset + i);
                ends.Add(tokenOffset + i + width);
                i += width;
            }
        }

        if (!string.Equals(value.ToString(), expected, StringComparison.Ordinal)) return null;
        starts.Add(tokenOffset + end);
        ends.Add(tokenOffset + end);
        return new StringLiteralMap(lines, starts.ToArray(), ends.ToArray());
    }
}

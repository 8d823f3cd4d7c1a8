using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace RuleGen.Generator.Emit;

/// <summary>C# literals for emitted code, always through <see cref="SymbolDisplay.FormatLiteral(string, bool)"/>.</summary>
public static class Literals
{
    public static string String(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>
    /// A string expression for text that may be long (descriptions, notes, queries): short text is a plain literal;
    /// long text is a UTF-8 literal decoded once when the rule's metadata is built. Plain string literals of a
    /// compilation share one heap of 16 MB (CS8103), which the notes of a large rule pack overflow; UTF-8 literals
    /// are stored as data instead.
    /// </summary>
    public static string Text(string value) =>
        value.Length <= 64 ? String(value) : $"global::System.Text.Encoding.UTF8.GetString({Utf8(value)})";

    /// <summary>A UTF-8 literal (<c>"..."u8</c>), or a byte array when the text has unpaired surrogates.</summary>
    public static string Utf8(string value)
    {
        if (IsWellFormed(value)) return String(value) + "u8";
        var bytes = new UTF8Encoding(false, false).GetBytes(value);
        var sb = new StringBuilder("new byte[] { ");
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append("0x").Append(bytes[i].ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.Append(" }").ToString();
    }

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Double(string normalizedNumber)
    {
        var value = double.Parse(normalizedNumber, NumberStyles.Float, CultureInfo.InvariantCulture);
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text + "d";
    }

    /// <summary>Folds ASCII letters to lower case, leaving every other character alone (matches the runtime's folding).</summary>
    public static string AsciiLower(string value)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is >= 'A' and <= 'Z') chars[i] = (char)(chars[i] | 0x20);
        }
        return new string(chars);
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(value[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Text safe inside an XML doc comment line (escaped as <see cref="Comment"/>, then as XML).</summary>
    public static string Xml(string text) =>
        Comment(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>Text safe inside a // comment (one line, no control characters).</summary>
    public static string Comment(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            if (c is '\r' or '\n') sb.Append("\\n");
            else if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }
}

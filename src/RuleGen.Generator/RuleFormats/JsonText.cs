using System.Globalization;
using System.Text;

namespace RuleGen.Generator.RuleFormats;

/// <summary>
/// JSON text of what a rule file says (RuleInfo.FileMetadata, Properties): the one string writer the TOML and YAML
/// readers share.
/// </summary>
internal static class JsonText
{
    /// <summary>Appends <paramref name="value"/> as a JSON string: quotes, backslashes and control characters escaped, and
    /// U+2028/U+2029 too, which JavaScript readers of the text would otherwise take as line breaks.</summary>
    public static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c is '\u2028' or '\u2029') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}

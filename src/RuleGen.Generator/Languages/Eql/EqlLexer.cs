using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RuleGen.Generator.Languages.Eql;

public enum EqlTokenKind
{
    End,
    /// <summary>A name; <see cref="EqlToken.Tilde"/> when written with a trailing <c>~</c> (<c>like~</c>, <c>endsWith~</c>).</summary>
    Identifier,
    /// <summary>A backquoted name (<c>`my-field`</c>); its text has <c>``</c> resolved.</summary>
    QuotedIdentifier,
    String,
    Integer,
    Decimal,
    Colon,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Assign,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Dot,
    Comma,
    LeftBracket,
    /// <summary><c>![</c>: a missing-event step.</summary>
    MissingBracket,
    RightBracket,
    LeftParen,
    RightParen,
    Pipe,
    Question,
}

/// <summary>A token: its kind, its text (decoded for strings and quoted names) and its span in the query.</summary>
public readonly struct EqlToken
{
    public EqlToken(EqlTokenKind kind, string text, int start, int length, bool tilde = false, bool raw = false)
    {
        Kind = kind;
        Text = text;
        Start = start;
        Length = length;
        Tilde = tilde;
        Raw = raw;
    }

    public EqlTokenKind Kind { get; }

    public string Text { get; }

    public int Start { get; }

    public int Length { get; }

    public bool Tilde { get; }

    /// <summary>A string written as <c>"""raw"""</c>.</summary>
    public bool Raw { get; }

    public int End => Start + Length;

    public bool IsKeyword(string keyword) => Kind == EqlTokenKind.Identifier && !Tilde && Text == keyword;

    public override string ToString() => Kind switch
    {
        EqlTokenKind.End => "the end of the query",
        EqlTokenKind.String => "a string",
        EqlTokenKind.Integer or EqlTokenKind.Decimal => "the number " + Text,
        _ => "'" + Text + (Tilde ? "~" : "") + "'",
    };
}

/// <summary>A lexical or syntax error at a span of the query.</summary>
public sealed class EqlSyntaxError
{
    public EqlSyntaxError(string message, int start, int length)
    {
        Message = message;
        Start = start;
        Length = length;
    }

    public string Message { get; }

    public int Start { get; }

    public int Length { get; }
}

/// <summary>
/// Splits EQL text into tokens as Elasticsearch's EQL grammar does: keywords are lower case, names start with a
/// letter, <c>_</c> or <c>@</c>, strings are double-quoted (escapes <c>\n \r \t \b \f \" \' \\</c> and
/// <c>\u{XXXX}</c>) or triple-quoted raw, and <c>//</c> and <c>/* */</c> are comments.
/// </summary>
public static class EqlLexer
{
    public static (List<EqlToken> Tokens, EqlSyntaxError? Error) Tokenize(string text)
    {
        var tokens = new List<EqlToken>();
        var i = 0;
        while (true)
        {
            var error = SkipTrivia(text, ref i);
            if (error is not null) return (tokens, error);
            if (i >= text.Length)
            {
                tokens.Add(new EqlToken(EqlTokenKind.End, "", text.Length, 0));
                return (tokens, null);
            }
            var start = i;
            var c = text[i];
            if (IsIdentifierStart(c))
            {
                i++;
                while (i < text.Length && IsIdentifierPart(text[i])) i++;
                var name = text.Substring(start, i - start);
                var tilde = i < text.Length && text[i] == '~';
                if (tilde) i++;
                tokens.Add(new EqlToken(EqlTokenKind.Identifier, name, start, i - start, tilde));
                continue;
            }
            if (IsDigit(c) || c == '.' && i + 1 < text.Length && IsDigit(text[i + 1]) && !PrecededByName(tokens, start))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }
            switch (c)
            {
                case '`':
                {
                    var sb = new StringBuilder();
                    i++;
                    while (true)
                    {
                        if (i >= text.Length) return (tokens, new EqlSyntaxError("the quoted name is not closed: add a closing '`'", start, text.Length - start));
                        if (text[i] == '`')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '`')
                            {
                                sb.Append('`');
                                i += 2;
                                continue;
                            }
                            i++;
                            break;
                        }
                        sb.Append(text[i++]);
                    }
                    tokens.Add(new EqlToken(EqlTokenKind.QuotedIdentifier, sb.ToString(), start, i - start));
                    continue;
                }
                case '"':
                {
                    var (token, stringError) = ReadString(text, ref i);
                    if (stringError is not null) return (tokens, stringError);
                    tokens.Add(token);
                    continue;
                }
                case '\'':
                    return (tokens, new EqlSyntaxError("strings are written in double quotes (\"...\") in EQL, not single quotes", start, 1));
                case '?':
                    if (i + 1 < text.Length && (text[i + 1] == '"' || text[i + 1] == '\''))
                        return (tokens, new EqlSyntaxError("?\"...\" raw strings are not supported by Elasticsearch EQL: write a raw string as \"\"\"...\"\"\"", start, 2));
                    tokens.Add(Punct(EqlTokenKind.Question, "?", ref i));
                    continue;
                case ':': tokens.Add(Punct(EqlTokenKind.Colon, ":", ref i)); continue;
                case '=':
                    tokens.Add(Next(text, i) == '=' ? Punct(EqlTokenKind.Equal, "==", ref i) : Punct(EqlTokenKind.Assign, "=", ref i));
                    continue;
                case '!':
                    if (Next(text, i) == '=') { tokens.Add(Punct(EqlTokenKind.NotEqual, "!=", ref i)); continue; }
                    {
                        // '![' opens a missing-event step (whitespace between them is allowed).
                        var j = i + 1;
                        while (j < text.Length && text[j] is ' ' or '\t' or '\r' or '\n') j++;
                        if (j < text.Length && text[j] == '[')
                        {
                            tokens.Add(new EqlToken(EqlTokenKind.MissingBracket, "![", start, j + 1 - start));
                            i = j + 1;
                            continue;
                        }
                    }
                    return (tokens, new EqlSyntaxError("unexpected '!': use 'not' to negate, '!=' for 'not equal', '![' for a missing-event step", start, 1));
                case '<':
                    tokens.Add(Next(text, i) == '=' ? Punct(EqlTokenKind.LessOrEqual, "<=", ref i) : Punct(EqlTokenKind.Less, "<", ref i));
                    continue;
                case '>':
                    tokens.Add(Next(text, i) == '=' ? Punct(EqlTokenKind.GreaterOrEqual, ">=", ref i) : Punct(EqlTokenKind.Greater, ">", ref i));
                    continue;
                case '+': tokens.Add(Punct(EqlTokenKind.Plus, "+", ref i)); continue;
                case '-': tokens.Add(Punct(EqlTokenKind.Minus, "-", ref i)); continue;
                case '*': tokens.Add(Punct(EqlTokenKind.Star, "*", ref i)); continue;
                case '/': tokens.Add(Punct(EqlTokenKind.Slash, "/", ref i)); continue;
                case '%': tokens.Add(Punct(EqlTokenKind.Percent, "%", ref i)); continue;
                case '.': tokens.Add(Punct(EqlTokenKind.Dot, ".", ref i)); continue;
                case ',': tokens.Add(Punct(EqlTokenKind.Comma, ",", ref i)); continue;
                case '[': tokens.Add(Punct(EqlTokenKind.LeftBracket, "[", ref i)); continue;
                case ']': tokens.Add(Punct(EqlTokenKind.RightBracket, "]", ref i)); continue;
                case '(': tokens.Add(Punct(EqlTokenKind.LeftParen, "(", ref i)); continue;
                case ')': tokens.Add(Punct(EqlTokenKind.RightParen, ")", ref i)); continue;
                case '|': tokens.Add(Punct(EqlTokenKind.Pipe, "|", ref i)); continue;
                default:
                    return (tokens, new EqlSyntaxError($"unexpected character '{Printable(c)}'", start, 1));
            }
        }
    }

    private static bool PrecededByName(List<EqlToken> tokens, int start)
    {
        // "a.5" is not a name followed by the number .5; only a number may start with '.' at the start of a value.
        if (tokens.Count == 0) return false;
        var last = tokens[tokens.Count - 1];
        return last.End == start && last.Kind is EqlTokenKind.Identifier or EqlTokenKind.QuotedIdentifier or EqlTokenKind.RightBracket;
    }

    private static string Printable(char c) => char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString();

    private static char Next(string text, int i) => i + 1 < text.Length ? text[i + 1] : '\0';

    private static EqlToken Punct(EqlTokenKind kind, string text, ref int i)
    {
        var token = new EqlToken(kind, text, i, text.Length);
        i += text.Length;
        return token;
    }

    public static bool IsIdentifierStart(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '_' or '@';

    public static bool IsIdentifierPart(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '_' or >= '0' and <= '9';

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static EqlSyntaxError? SkipTrivia(string text, ref int i)
    {
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                i++;
            }
            else if (c == '/' && Next(text, i) == '/')
            {
                while (i < text.Length && text[i] != '\n') i++;
            }
            else if (c == '/' && Next(text, i) == '*')
            {
                // Block comments nest, as in Elasticsearch's grammar.
                var start = i;
                var depth = 0;
                while (true)
                {
                    if (i >= text.Length) return new EqlSyntaxError("the comment is not closed: add '*/'", start, 2);
                    if (text[i] == '/' && Next(text, i) == '*') { depth++; i += 2; }
                    else if (text[i] == '*' && Next(text, i) == '/')
                    {
                        depth--;
                        i += 2;
                        if (depth == 0) break;
                    }
                    else i++;
                }
            }
            else
            {
                break;
            }
        }
        return null;
    }

    private static EqlToken ReadNumber(string text, ref int i)
    {
        var start = i;
        var isInteger = true;
        while (i < text.Length && IsDigit(text[i])) i++;
        if (i < text.Length && text[i] == '.' && !(i + 1 < text.Length && IsIdentifierStart(text[i + 1]) && text[i + 1] is not ('e' or 'E')))
        {
            isInteger = false;
            i++;
            while (i < text.Length && IsDigit(text[i])) i++;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < text.Length && text[j] is '+' or '-') j++;
            if (j < text.Length && IsDigit(text[j]))
            {
                isInteger = false;
                i = j;
                while (i < text.Length && IsDigit(text[i])) i++;
            }
        }
        var literal = text.Substring(start, i - start);
        return new EqlToken(isInteger ? EqlTokenKind.Integer : EqlTokenKind.Decimal, literal, start, i - start);
    }

    private static (EqlToken Token, EqlSyntaxError? Error) ReadString(string text, ref int i)
    {
        var start = i;
        if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
        {
            // Raw string: everything up to the first closing """ (plus up to two more quotes, which belong to the
            // value), with no escapes and no line breaks.
            var contentStart = i + 3;
            var j = contentStart;
            while (true)
            {
                if (j >= text.Length || text[j] is '\r' or '\n')
                    return (default, new EqlSyntaxError("the raw string is not closed on its line: end it with \"\"\"", start, 3));
                if (string.CompareOrdinal(text, j, "\"\"\"", 0, 3) == 0) break;
                j++;
            }
            var end = j + 3;
            var extra = 0;
            while (extra < 2 && end < text.Length && text[end] == '"') { end++; extra++; }
            var value = text.Substring(contentStart, end - 3 - contentStart);
            i = end;
            return (new EqlToken(EqlTokenKind.String, value, start, end - start, raw: true), null);
        }

        var sb = new StringBuilder();
        i++;
        while (true)
        {
            if (i >= text.Length || text[i] is '\r' or '\n')
                return (default, new EqlSyntaxError("the string is not closed on its line: add a closing '\"'", start, 1));
            var c = text[i];
            if (c == '"')
            {
                i++;
                break;
            }
            if (c != '\\')
            {
                sb.Append(c);
                i++;
                continue;
            }
            var escapeStart = i;
            if (i + 1 >= text.Length) return (default, new EqlSyntaxError("the string ends with a lone '\\'", escapeStart, 1));
            var e = text[i + 1];
            switch (e)
            {
                case 'n': sb.Append('\n'); i += 2; break;
                case 'r': sb.Append('\r'); i += 2; break;
                case 't': sb.Append('\t'); i += 2; break;
                case 'b': sb.Append('\b'); i += 2; break;
                case 'f': sb.Append('\f'); i += 2; break;
                case '"': sb.Append('"'); i += 2; break;
                case '\'': sb.Append('\''); i += 2; break;
                case '\\': sb.Append('\\'); i += 2; break;
                case 'u':
                {
                    if (i + 2 >= text.Length || text[i + 2] != '{')
                        return (default, new EqlSyntaxError("a Unicode escape is written \\u{XXXX} (2 to 8 hex digits in braces)", escapeStart, 2));
                    var close = text.IndexOf('}', i + 3);
                    var digits = close < 0 ? "" : text.Substring(i + 3, close - i - 3);
                    if (close < 0 || digits.Length < 2 || digits.Length > 8 || !IsHex(digits)
                        || !int.TryParse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
                        || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                    {
                        var length = close < 0 ? 2 : close + 1 - escapeStart;
                        return (default, new EqlSyntaxError("a Unicode escape is written \\u{XXXX} with 2 to 8 hex digits naming a Unicode scalar value", escapeStart, length));
                    }
                    sb.Append(char.ConvertFromUtf32(code));
                    i = close + 1;
                    break;
                }
                default:
                    return (default, new EqlSyntaxError($"'\\{Printable(e)}' is not an EQL escape: use \\\\ for a backslash (escapes are \\n \\r \\t \\b \\f \\\" \\' \\\\ and \\u{{XXXX}}), or a raw string \"\"\"...\"\"\"", escapeStart, 2));
            }
        }
        return (new EqlToken(EqlTokenKind.String, sb.ToString(), start, i - start), null);
    }

    private static bool IsHex(string digits)
    {
        foreach (var c in digits)
        {
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F')) return false;
        }
        return true;
    }
}

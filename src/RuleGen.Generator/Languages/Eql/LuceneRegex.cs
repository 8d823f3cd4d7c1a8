using System.Globalization;
using System.Text;

namespace RuleGen.Generator.Languages.Eql;

/// <summary>
/// Translates a Lucene regular expression (what Elasticsearch's <c>regexp</c> query, and so EQL's <c>regex</c>,
/// accepts) into an equivalent .NET pattern that must match the whole value.
/// </summary>
/// <remarks>
/// Lucene's syntax differs from .NET's: the pattern always matches the whole string (no anchors: <c>^</c> and
/// <c>$</c> are plain characters); <c>"..."</c> quotes a literal string; <c>\</c> makes any character literal;
/// <c>.</c> matches any character, newlines included; <c>\d \s \w</c> (and upper-case negations) are the ASCII
/// classes; <c>@</c> is any string and <c>#</c> the empty language. Under <c>regex~</c> Lucene folds ASCII case of
/// single characters and quoted strings but not of ranges (<c>[a-f]</c> stays lower case), and so does this
/// translation. Intersection (<c>&amp;</c>), complement (<c>~</c>) and numeric intervals (<c>&lt;1-5&gt;</c>) have no
/// .NET equivalent and are reported.
/// </remarks>
public sealed class LuceneRegex
{
    private readonly string _pattern;
    private readonly bool _ignoreCase;
    private int _position;
    private int _depth;

    /// <summary>Groups nested deeper than this are refused: each level is a few frames of recursion, and a hostile rule must not overflow the stack.</summary>
    public const int MaxNesting = 200;

    private LuceneRegex(string pattern, bool ignoreCase)
    {
        _pattern = pattern;
        _ignoreCase = ignoreCase;
    }

    /// <summary>The .NET pattern, anchored at both ends, or null with the reason in <paramref name="error"/>.</summary>
    public static string? Translate(string pattern, bool ignoreAsciiCase, out string error)
    {
        var translator = new LuceneRegex(pattern, ignoreAsciiCase);
        try
        {
            var body = translator.ParseUnion();
            if (translator._position < pattern.Length)
            {
                error = $"unexpected '{pattern[translator._position]}' at position {translator._position + 1}";
                return null;
            }
            error = "";
            return @"\A(?:" + body + @")\z";
        }
        catch (TranslationException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    private sealed class TranslationException : System.Exception
    {
        public TranslationException(string message) : base(message) { }
    }

    private bool More => _position < _pattern.Length;

    private char PeekChar => _pattern[_position];

    private bool Match(char c)
    {
        if (More && _pattern[_position] == c)
        {
            _position++;
            return true;
        }
        return false;
    }

    private TranslationException Fail(string message) => new($"{message} at position {_position + 1}");

    private string ParseUnion()
    {
        var sb = new StringBuilder(ParseIntersection());
        while (Match('|')) sb.Append('|').Append(ParseIntersection());
        return sb.ToString();
    }

    private string ParseIntersection()
    {
        var result = ParseConcatenation();
        if (More && PeekChar == '&') throw Fail("'&' (intersection) has no .NET equivalent; escape it as \\& to match the character");
        return result;
    }

    private string ParseConcatenation()
    {
        var sb = new StringBuilder();
        while (More && PeekChar != ')' && PeekChar != '|' && PeekChar != '&') sb.Append(ParseRepeat());
        return sb.ToString();
    }

    private string ParseRepeat()
    {
        var atom = ParseComplement();
        while (More)
        {
            string quantifier;
            if (Match('?')) quantifier = "?";
            else if (Match('*')) quantifier = "*";
            else if (Match('+')) quantifier = "+";
            else if (PeekChar == '{')
            {
                var start = _position;
                _position++;
                var min = ReadInt();
                if (min is null) throw Fail("expected a number after '{'");
                string text;
                if (Match(','))
                {
                    var max = ReadInt();
                    text = max is null ? $"{{{min},}}" : $"{{{min},{max}}}";
                    if (max is not null && max < min) throw Fail("the repeat range {n,m} needs n <= m");
                }
                else
                {
                    text = $"{{{min}}}";
                }
                if (!Match('}'))
                {
                    _position = start;
                    throw Fail("expected '}' to close the repeat count");
                }
                quantifier = text;
            }
            else break;
            // Wrap before quantifying, so that stacked quantifiers (a*?, a{2}{3}) repeat the whole previous item
            // as Lucene does, instead of turning into .NET's lazy or invalid forms.
            atom = "(?:" + atom + ")" + quantifier;
        }
        return atom;
    }

    private int? ReadInt()
    {
        var start = _position;
        while (More && PeekChar is >= '0' and <= '9') _position++;
        if (_position == start) return null;
        return int.TryParse(_pattern.Substring(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Fail("the repeat count is too large");
    }

    private string ParseComplement()
    {
        if (More && PeekChar == '~') throw Fail("'~' (complement) has no .NET equivalent; escape it as \\~ to match the character");
        return ParseCharClassExpression();
    }

    private string ParseCharClassExpression()
    {
        if (!Match('[')) return ParseSimple();
        var negated = Match('^');
        var items = new StringBuilder();
        do
        {
            if (!More) throw Fail("the character class is not closed: add ']'");
            items.Append(ParseClassItem());
        }
        while (More && PeekChar != ']');
        if (!Match(']')) throw Fail("the character class is not closed: add ']'");
        return (negated ? "[^" : "[") + items + "]";
    }

    private string ParseClassItem()
    {
        if (PeekChar == '\\' && _position + 1 < _pattern.Length && Predefined(_pattern[_position + 1]) is { } predefined)
        {
            if (predefined[1] == '^') throw Fail("negated classes (\\D, \\S, \\W) inside [...] are not supported: list the characters instead");
            _position += 2;
            return predefined.Substring(1, predefined.Length - 2); // the set without its brackets
        }
        var from = ReadCharExpression();
        if (More && PeekChar == '-' && _position + 1 < _pattern.Length && _pattern[_position + 1] != ']')
        {
            _position++;
            var to = ReadCharExpression();
            if (to < from) throw Fail("the character range is reversed");
            // Lucene does not fold the case of ranges, even under regex~.
            return ClassChar(from) + "-" + ClassChar(to);
        }
        return ClassSingle(from);
    }

    /// <summary>A character, or an escaped one; returns its code point.</summary>
    private int ReadCharExpression()
    {
        if (!More) throw Fail("expected a character");
        if (Match('\\'))
        {
            if (!More) throw Fail("the pattern ends with a lone '\\'");
        }
        var c = char.ConvertToUtf32(_pattern, _position);
        _position += c > 0xFFFF ? 2 : 1;
        return c;
    }

    private static string? Predefined(char c) => c switch
    {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        's' => @"[ \t\n\r\f\v]",
        'S' => @"[^ \t\n\r\f\v]",
        'w' => "[a-zA-Z0-9_]",
        'W' => "[^a-zA-Z0-9_]",
        _ => null,
    };

    private string ParseSimple()
    {
        var c = PeekChar;
        switch (c)
        {
            case '.':
                _position++;
                return @"[\s\S]";
            case '#':
                _position++;
                // The empty language as a class no character is in: a lookaround such as (?!) would keep the
                // pattern from the non-backtracking engine, which every Lucene pattern can otherwise use.
                return @"[^\s\S]";
            case '@':
                _position++;
                return @"[\s\S]*";
            case '"':
            {
                _position++;
                var sb = new StringBuilder();
                while (More && PeekChar != '"')
                {
                    var code = char.ConvertToUtf32(_pattern, _position);
                    _position += code > 0xFFFF ? 2 : 1;
                    sb.Append(Literal(code));
                }
                if (!Match('"')) throw Fail("the quoted string is not closed: add '\"'");
                return "(?:" + sb + ")";
            }
            case '(':
            {
                _position++;
                if (Match(')')) return "(?:)";
                if (++_depth > MaxNesting) throw Fail($"groups are nested more than {MaxNesting} deep");
                var inner = ParseUnion();
                _depth--;
                if (!Match(')')) throw Fail("the group is not closed: add ')'");
                return "(?:" + inner + ")";
            }
            case '<':
                throw Fail("'<...>' (numeric interval or named automaton) has no .NET equivalent; escape it as \\< to match the character");
            case '\\' when _position + 1 < _pattern.Length && Predefined(_pattern[_position + 1]) is { } predefined:
                _position += 2;
                return predefined;
            default:
                return Literal(ReadCharExpression());
        }
    }

    /// <summary>One literal code point outside a class: escaped for .NET, and case-folded under regex~.</summary>
    private string Literal(int code)
    {
        if (_ignoreCase && IsAsciiLetter(code)) return "[" + (char)(code | 0x20) + (char)(code & ~0x20) + "]";
        return Escape(code);
    }

    private string ClassSingle(int code)
    {
        if (_ignoreCase && IsAsciiLetter(code)) return ((char)(code | 0x20)).ToString() + (char)(code & ~0x20);
        return ClassChar(code);
    }

    private static bool IsAsciiLetter(int c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';

    private static string Escape(int code)
    {
        if (code > 0xFFFF) return char.ConvertFromUtf32(code);
        var c = (char)code;
        if (c is '\\' or '*' or '+' or '?' or '|' or '{' or '}' or '[' or ']' or '(' or ')' or '^' or '$' or '.' or '#' or ' ')
            return "\\" + c;
        if (char.IsControl(c) || char.IsWhiteSpace(c)) return "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
        return c.ToString();
    }

    private string ClassChar(int code)
    {
        if (code > 0xFFFF) throw Fail("characters outside the Basic Multilingual Plane cannot be used in a character class");
        var c = (char)code;
        if (c is '\\' or ']' or '[' or '^' or '-') return "\\" + c;
        if (char.IsControl(c) || char.IsWhiteSpace(c)) return "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
        return c.ToString();
    }
}

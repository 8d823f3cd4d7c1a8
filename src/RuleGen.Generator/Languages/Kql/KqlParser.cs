using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Kql;

/// <summary>A KQL syntax error at a character offset of the query.</summary>
public sealed record KqlSyntaxError(int Position, int Length, string Message);

/// <summary>
/// A parser for KQL exactly as Kibana's kuery grammar accepts it (packages/kbn-es-query/src/kuery/grammar), written
/// as a backtracking recursive-descent parser that mirrors the PEG rule by rule:
/// <list type="bullet">
/// <item><c>or</c>/<c>and</c> need whitespace on both sides and are case-insensitive; <c>not</c> needs whitespace after.</item>
/// <item>Unquoted values may contain spaces (trimmed) but stop before a keyword; escapes are <c>\t \r \n</c>,
/// <c>\</c> + one of <c>\():&lt;&gt;"*{}</c>, <c>\uXXXX</c> and escaped keywords (<c>\or</c>, <c>\and</c>, <c>\not</c>).</item>
/// <item><c>*</c> is the only wildcard, and only unquoted; <c>?</c> is literal.</item>
/// <item>Quoted strings decode <c>\t \r \n \uXXXX \\ \"</c>; any other backslash is literal.</item>
/// <item>Unquoted <c>true</c>, <c>false</c>, <c>null</c> (lower case, after trimming) are special.</item>
/// </list>
/// Errors are reported as Kibana's parser (peggy) reports them: at the furthest position any rule failed, listing what
/// was expected there. A named rule of the grammar (field name, value, literal, OR, AND, NOT, whitespace) counts as one
/// expectation at its own start: failures inside it are silent, so an error points at the start of the offending
/// token (an unterminated quoted string is reported at its opening quote).
/// </summary>
public sealed class KqlParser
{
    private readonly string _q;
    private int _pos;
    private int _failPos = -1;
    private readonly SortedSet<string> _expected = new(StringComparer.Ordinal);
    private int _silent;
    private int _depth;
    private int _tooDeepAt = -1;

    /// <summary>
    /// How deeply parentheses and braces may nest. Kibana sets no limit, but recursion does: beyond this a query is
    /// rejected with a syntax error rather than risking the compiler's stack. Real rules nest a few levels.
    /// </summary>
    public const int MaxNesting = 200;

    private KqlParser(string query) => _q = query;

    public static (KqlNode? Query, KqlSyntaxError? Error) Parse(string query)
    {
        var parser = new KqlParser(query);
        return parser.ParseStart();
    }

    private (KqlNode?, KqlSyntaxError?) ParseStart()
    {
        SkipSpaces();
        if (_pos == _q.Length) return (new KqlMatchAll(0, _q.Length), null);
        var query = OrQuery();
        if (query is not null)
        {
            SkipSpaces();
            if (_pos == _q.Length) return (query, null);
            // Kibana expects only the end here; naming the connectives too tells what was probably left out.
            Fail(_pos, "AND");
            Fail(_pos, "OR");
            Fail(_pos, "end of query");
        }
        return (null, BuildError());
    }

    private KqlSyntaxError BuildError()
    {
        if (_tooDeepAt >= 0)
            return new KqlSyntaxError(_tooDeepAt, 1, $"parentheses and braces nest more than {MaxNesting} levels deep here; simplify the query");

        var at = Math.Max(0, Math.Min(_failPos, _q.Length));
        var found = at >= _q.Length ? "end of query" : "\"" + Printable(_q[at]) + "\"";
        // "whitespace" is expected almost everywhere; name it only when nothing else would do.
        var expected = _expected.Count > 1 ? _expected.Where(e => e != Whitespace).ToList() : _expected.ToList();
        string list;
        if (expected.Count == 0) list = "a valid query";
        else if (expected.Count == 1) list = expected[0];
        else list = string.Join(", ", expected.Take(expected.Count - 1)) + " or " + expected[expected.Count - 1];
        var hint = "";
        if (at < _q.Length && _q[at] == '\\') hint = " (a backslash must escape one of \\():<>\"*{} or t, r, n, uXXXX, or a keyword)";
        else if (at < _q.Length && _q[at] == '"' && IsUnterminatedQuote(at)) hint = " (the quoted string is not closed)";
        return new KqlSyntaxError(at, at < _q.Length ? 1 : 0, $"expected {list} but found {found}{hint}");
    }

    private bool IsUnterminatedQuote(int at)
    {
        _pos = at;
        _silent++;
        var quoted = QuotedString();
        _silent--;
        return quoted is null;
    }

    private static string Printable(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        _ => c.ToString(),
    };

    private void Fail(int position, string expected)
    {
        if (_silent > 0) return;
        if (position > _failPos)
        {
            _failPos = position;
            _expected.Clear();
        }
        if (position == _failPos) _expected.Add(expected);
    }

    // Names of the grammar's named rules, as expectations in messages.
    private const string FieldName = "field name";
    private const string ValueName = "value";
    private const string LiteralName = "literal";
    private const string Whitespace = "whitespace";

    /// <summary>
    /// Runs a named rule of the grammar: failures inside it are silent, and when it fails it is expected as a whole at
    /// its start (peggy's reporting of named rules).
    /// </summary>
    private T? Named<T>(string name, Func<T?> rule) where T : class
    {
        var start = _pos;
        _silent++;
        T? result;
        try
        {
            result = rule();
        }
        finally
        {
            _silent--;
        }
        if (result is null)
        {
            _pos = start;
            Fail(start, name);
        }
        return result;
    }

    // ---- Queries -------------------------------------------------------------------------------------------

    private KqlNode? OrQuery()
    {
        var start = _pos;
        var head = AndQuery();
        if (head is null) return null;
        var operands = new List<KqlNode> { head };
        while (true)
        {
            var save = _pos;
            if (Keyword("or", requireLeadingSpace: true))
            {
                var next = AndQuery();
                if (next is not null)
                {
                    operands.Add(next);
                    continue;
                }
            }
            _pos = save;
            break;
        }
        return operands.Count == 1 ? head : new KqlBooleanQuery(KqlConnective.Or, operands, start, _pos);
    }

    private KqlNode? AndQuery()
    {
        var start = _pos;
        var head = NotQuery();
        if (head is null) return null;
        var operands = new List<KqlNode> { head };
        while (true)
        {
            var save = _pos;
            if (Keyword("and", requireLeadingSpace: true))
            {
                var next = NotQuery();
                if (next is not null)
                {
                    operands.Add(next);
                    continue;
                }
            }
            _pos = save;
            break;
        }
        return operands.Count == 1 ? head : new KqlBooleanQuery(KqlConnective.And, operands, start, _pos);
    }

    private KqlNode? NotQuery()
    {
        var start = _pos;
        if (Keyword("not", requireLeadingSpace: false))
        {
            var operand = SubQuery();
            if (operand is not null) return new KqlNotQuery(operand, start, _pos);
            _pos = start;
        }
        return SubQuery();
    }

    private KqlNode? SubQuery()
    {
        var start = _pos;
        if (Open('('))
        {
            SkipSpaces();
            var inner = OrQuery();
            _depth--;
            if (inner is not null)
            {
                SkipSpaces();
                if (Char(')')) return inner;
            }
            _pos = start;
        }
        return NestedQuery();
    }

    private KqlNode? NestedQuery()
    {
        var start = _pos;
        var field = Field();
        if (field is not null)
        {
            SkipSpaces();
            if (Char(':'))
            {
                SkipSpaces();
                if (Open('{'))
                {
                    SkipSpaces();
                    var inner = OrQuery();
                    _depth--;
                    if (inner is not null)
                    {
                        SkipSpaces();
                        if (Char('}')) return new KqlNestedQuery(field, inner, start, _pos);
                    }
                }
            }
        }
        _pos = start;
        return Expression();
    }

    private KqlNode? Expression()
    {
        var start = _pos;

        // FieldRangeExpression
        var field = Field();
        if (field is not null)
        {
            SkipSpaces();
            var op = RangeOperator();
            if (op is not null)
            {
                SkipSpaces();
                var value = Named(LiteralName, Literal);
                if (value is not null) return new KqlRangeQuery(field, op.Value, value, start, _pos);
            }
        }
        _pos = start;

        // FieldValueExpression
        field = Field();
        if (field is not null)
        {
            SkipSpaces();
            if (Char(':'))
            {
                SkipSpaces();
                var values = ListOfValues();
                if (values is not null) return new KqlFieldQuery(field, values, start, _pos);
            }
        }
        _pos = start;

        // ValueExpression
        var bare = Value();
        if (bare is not null) return new KqlFieldQuery(null, new KqlValue(bare), start, _pos);
        _pos = start;
        return null;
    }

    private KqlRangeOperator? RangeOperator()
    {
        if (Text("<=")) return KqlRangeOperator.LessThanOrEqual;
        if (Text(">=")) return KqlRangeOperator.GreaterThanOrEqual;
        if (Char('<')) return KqlRangeOperator.LessThan;
        if (Char('>')) return KqlRangeOperator.GreaterThan;
        return null;
    }

    // ---- Value lists ---------------------------------------------------------------------------------------

    private KqlValueExpression? ListOfValues()
    {
        var start = _pos;
        if (Open('('))
        {
            SkipSpaces();
            var inner = OrListOfValues();
            _depth--;
            if (inner is not null)
            {
                SkipSpaces();
                if (Char(')')) return inner;
            }
            _pos = start;
        }
        var literal = Value();
        return literal is null ? null : new KqlValue(literal);
    }

    private KqlValueExpression? OrListOfValues()
    {
        var start = _pos;
        var head = AndListOfValues();
        if (head is null) return null;
        var operands = new List<KqlValueExpression> { head };
        while (true)
        {
            var save = _pos;
            if (Keyword("or", requireLeadingSpace: true))
            {
                var next = AndListOfValues();
                if (next is not null)
                {
                    operands.Add(next);
                    continue;
                }
            }
            _pos = save;
            break;
        }
        return operands.Count == 1 ? head : new KqlValueList(KqlConnective.Or, operands, start, _pos);
    }

    private KqlValueExpression? AndListOfValues()
    {
        var start = _pos;
        var head = NotListOfValues();
        if (head is null) return null;
        var operands = new List<KqlValueExpression> { head };
        while (true)
        {
            var save = _pos;
            if (Keyword("and", requireLeadingSpace: true))
            {
                var next = NotListOfValues();
                if (next is not null)
                {
                    operands.Add(next);
                    continue;
                }
            }
            _pos = save;
            break;
        }
        return operands.Count == 1 ? head : new KqlValueList(KqlConnective.And, operands, start, _pos);
    }

    private KqlValueExpression? NotListOfValues()
    {
        var start = _pos;
        if (Keyword("not", requireLeadingSpace: false))
        {
            var operand = ListOfValues();
            if (operand is not null) return new KqlValueNot(operand, start, _pos);
            _pos = start;
        }
        return ListOfValues();
    }

    // ---- Literals ------------------------------------------------------------------------------------------

    private KqlLiteral? Literal() => QuotedString() ?? UnquotedLiteral();

    private KqlLiteral? Field() => Named(FieldName, Literal);

    private KqlLiteral? Value() => Named(ValueName, Literal);

    private KqlLiteral? QuotedString()
    {
        var start = _pos;
        if (!Char('"')) return null;
        var text = new StringBuilder();
        while (true)
        {
            if (_pos >= _q.Length)
            {
                // Unterminated: the named rule around this reports it at the opening quote.
                _pos = start;
                return null;
            }
            var c = _q[_pos];
            if (c == '"')
            {
                _pos++;
                break;
            }
            if (c == '\\' && _pos + 1 < _q.Length)
            {
                var next = _q[_pos + 1];
                if (EscapedWhitespace(next) is { } ws)
                {
                    text.Append(ws);
                    _pos += 2;
                    continue;
                }
                if (UnicodeEscape(_pos) is { } unicode)
                {
                    text.Append(unicode);
                    _pos += 6;
                    continue;
                }
                if (next is '\\' or '"')
                {
                    text.Append(next);
                    _pos += 2;
                    continue;
                }
            }
            // Any other character, a lone backslash included, is itself.
            text.Append(c);
            _pos++;
        }
        var pattern = WildcardPattern.Create(new[] { new WildcardPart(WildcardPartKind.Literal, text.ToString()) });
        return new KqlLiteral(true, KqlLiteralKind.Text, pattern, start, _pos);
    }

    private KqlLiteral? UnquotedLiteral()
    {
        var start = _pos;
        var parts = new List<WildcardPart>();
        var literal = new StringBuilder();
        var any = false;
        var hasWildcard = false;
        while (_pos < _q.Length)
        {
            var c = _q[_pos];
            if (c == '\\' && _pos + 1 < _q.Length)
            {
                var next = _q[_pos + 1];
                if (EscapedWhitespace(next) is { } ws)
                {
                    literal.Append(ws);
                    _pos += 2;
                    any = true;
                    continue;
                }
                if (IsSpecial(next))
                {
                    literal.Append(next);
                    _pos += 2;
                    any = true;
                    continue;
                }
                if (UnicodeEscape(_pos) is { } unicode)
                {
                    literal.Append(unicode);
                    _pos += 6;
                    any = true;
                    continue;
                }
                var keyword = EscapedKeywordAt(_pos + 1);
                if (keyword is not null)
                {
                    literal.Append(keyword);
                    _pos += 1 + keyword.Length;
                    any = true;
                    continue;
                }
            }
            if (c == '*')
            {
                if (literal.Length > 0)
                {
                    parts.Add(new WildcardPart(WildcardPartKind.Literal, literal.ToString()));
                    literal.Clear();
                }
                parts.Add(WildcardPart.AnyRun);
                hasWildcard = true;
                _pos++;
                any = true;
                continue;
            }
            if (IsSpecial(c) || KeywordAhead()) break;
            literal.Append(c);
            _pos++;
            any = true;
        }
        if (literal.Length > 0) parts.Add(new WildcardPart(WildcardPartKind.Literal, literal.ToString()));
        if (!any)
        {
            _pos = start;
            return null;
        }

        // Kibana joins the characters and trims the result (escaped whitespace included).
        parts = Trim(parts);
        var pattern = WildcardPattern.Create(parts);
        var plain = pattern.HasWildcards ? null : (pattern.Parts.Count == 0 ? "" : pattern.Parts[0].Literal);
        var kind = plain switch
        {
            "true" or "false" => KqlLiteralKind.Boolean,
            "null" => KqlLiteralKind.Null,
            _ => hasWildcard && pattern.HasWildcards ? KqlLiteralKind.Wildcard : KqlLiteralKind.Text,
        };
        return new KqlLiteral(false, kind, pattern, start, TrimmedEnd(start, _pos));
    }

    /// <summary>The literal's end without trailing whitespace (for locations).</summary>
    private int TrimmedEnd(int start, int end)
    {
        while (end > start && IsSpace(_q[end - 1])) end--;
        return end;
    }

    private static List<WildcardPart> Trim(List<WildcardPart> parts)
    {
        var result = new List<WildcardPart>(parts);
        if (result.Count > 0 && result[0].Kind == WildcardPartKind.Literal)
        {
            var trimmed = TrimJs(result[0].Literal, start: true);
            if (trimmed.Length == 0) result.RemoveAt(0);
            else result[0] = new WildcardPart(WildcardPartKind.Literal, trimmed);
        }
        if (result.Count > 0 && result[result.Count - 1].Kind == WildcardPartKind.Literal)
        {
            var trimmed = TrimJs(result[result.Count - 1].Literal, start: false);
            if (trimmed.Length == 0) result.RemoveAt(result.Count - 1);
            else result[result.Count - 1] = new WildcardPart(WildcardPartKind.Literal, trimmed);
        }
        return result;
    }

    // JavaScript's String.prototype.trim whitespace: Unicode space separators, tab, vertical tab, form feed, the
    // line terminators (LF, CR, U+2028, U+2029) and the BOM. Unlike char.IsWhiteSpace, not U+0085 (NEL).
    private static bool IsJsWhitespace(char c) => c != '\u0085' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private static string TrimJs(string s, bool start)
    {
        if (start)
        {
            var i = 0;
            while (i < s.Length && IsJsWhitespace(s[i])) i++;
            return s.Substring(i);
        }
        var j = s.Length;
        while (j > 0 && IsJsWhitespace(s[j - 1])) j--;
        return s.Substring(0, j);
    }

    private static char? EscapedWhitespace(char c) => c switch
    {
        't' => '\t',
        'r' => '\r',
        'n' => '\n',
        _ => null,
    };

    private string? UnicodeEscape(int at)
    {
        // \uXXXX (hex digits in either case).
        if (at + 6 > _q.Length) return null;
        if (_q[at] != '\\' || _q[at + 1] != 'u') return null;
        var hex = _q.Substring(at + 2, 4);
        foreach (var h in hex) if (!Uri.IsHexDigit(h)) return null;
        return ((char)int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString();
    }

    private string? EscapedKeywordAt(int at)
    {
        foreach (var keyword in new[] { "or", "and", "not" })
        {
            if (at + keyword.Length <= _q.Length && string.Compare(_q, at, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0)
                return _q.Substring(at, keyword.Length);
        }
        return null;
    }

    private static bool IsSpecial(char c) => c is '\\' or '(' or ')' or ':' or '<' or '>' or '"' or '*' or '{' or '}';

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n' or '\u00A0';

    /// <summary>Whether a keyword (<c>Space+ or Space+</c>, <c>Space+ and Space+</c>, <c>not Space+</c>) starts here.</summary>
    private bool KeywordAhead()
    {
        // A lookahead (!Keyword in the grammar): silent, and it consumes nothing.
        var save = _pos;
        _silent++;
        var found = Keyword("or", true) || Keyword("and", true) || Keyword("not", false);
        _silent--;
        _pos = save;
        return found;
    }

    /// <summary>
    /// The named rules <c>Or = Space+ 'or'i Space+</c>, <c>And = Space+ 'and'i Space+</c> and <c>Not = 'not'i Space+</c>.
    /// </summary>
    private bool Keyword(string keyword, bool requireLeadingSpace)
    {
        var start = _pos;
        var ok = true;
        _silent++;
        if (requireLeadingSpace && SkipSpaces() == 0) ok = false;
        if (ok && (_pos + keyword.Length > _q.Length || string.Compare(_q, _pos, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) != 0)) ok = false;
        if (ok)
        {
            _pos += keyword.Length;
            if (SkipSpaces() == 0) ok = false;
        }
        _silent--;
        if (!ok)
        {
            _pos = start;
            // Not named in an expectation when silent (a lookahead, once per character of an unquoted value).
            if (_silent == 0) Fail(start, keyword.ToUpperInvariant());
        }
        return ok;
    }

    /// <summary><c>Space*</c>: how many whitespace characters were skipped.</summary>
    private int SkipSpaces()
    {
        var start = _pos;
        while (_pos < _q.Length && IsSpace(_q[_pos])) _pos++;
        // The repetition ends where one more Space fails, which the grammar reports as expecting whitespace.
        Fail(_pos, Whitespace);
        return _pos - start;
    }

    /// <summary>An opening '(' or '{' of a group: one level deeper (the caller closes it with <c>_depth--</c>).</summary>
    private bool Open(char c)
    {
        if (_pos < _q.Length && _q[_pos] == c && _depth >= MaxNesting)
        {
            if (_tooDeepAt < 0) _tooDeepAt = _pos;
            return false;
        }
        if (!Char(c)) return false;
        _depth++;
        return true;
    }

    private bool Char(char c)
    {
        if (_pos < _q.Length && _q[_pos] == c)
        {
            _pos++;
            return true;
        }
        Fail(_pos, "\"" + c + "\"");
        return false;
    }

    private bool Text(string text)
    {
        if (_pos + text.Length <= _q.Length && string.CompareOrdinal(_q, _pos, text, 0, text.Length) == 0)
        {
            _pos += text.Length;
            return true;
        }
        Fail(_pos, "\"" + text + "\"");
        return false;
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RuleGen.Generator.Languages.Eql;

/// <summary>
/// A recursive-descent parser for Elasticsearch EQL: event queries, <c>sequence</c> (by keys, <c>with maxspan</c>,
/// per-step <c>by</c>, <c>with runs=n</c>, missing-event steps <c>![...]</c>, <c>until</c>), <c>sample</c>, and
/// pipes (parsed so they can be reported). Precedence, loosest first: <c>or</c>, <c>and</c>, <c>not</c>,
/// comparisons, <c>+ -</c>, <c>* / %</c>, unary minus; <c>in</c>, <c>:</c>, <c>like</c> and <c>regex</c> bind to
/// the value before them. The first error stops the parse and is returned with its span.
/// </summary>
public sealed class EqlParser
{
    private readonly List<EqlToken> _tokens;
    private int _position;
    private int _depth;

    /// <summary>
    /// How deeply expressions may nest (parentheses, function arguments, <c>not</c>, unary minus). Elasticsearch sets
    /// its own limit; ours is the parser's recursion: beyond it a query is a located syntax error instead of a stack
    /// overflow that would take the compiler down. Real rules nest a few levels.
    /// </summary>
    public const int MaxNesting = 200;

    private EqlParser(List<EqlToken> tokens) => _tokens = tokens;

    public static (EqlStatement? Statement, EqlSyntaxError? Error) Parse(string text)
    {
        var (tokens, lexError) = EqlLexer.Tokenize(text);
        if (lexError is not null) return (null, lexError);
        try
        {
            return (new EqlParser(tokens).ParseStatement(), null);
        }
        catch (ParseException ex)
        {
            return (null, ex.Error);
        }
    }

    private sealed class ParseException : Exception
    {
        public ParseException(EqlSyntaxError error) : base(error.Message) => Error = error;

        public EqlSyntaxError Error { get; }
    }

    private EqlToken Current => _tokens[_position];

    private EqlToken Peek(int offset = 1) => _tokens[Math.Min(_position + offset, _tokens.Count - 1)];

    private EqlToken Advance()
    {
        var token = _tokens[_position];
        if (token.Kind != EqlTokenKind.End) _position++;
        return token;
    }

    private bool At(EqlTokenKind kind) => Current.Kind == kind;

    private bool AtKeyword(string keyword) => Current.IsKeyword(keyword);

    private static ParseException Error(string message, EqlToken at) =>
        new(new EqlSyntaxError(message, at.Start, Math.Max(at.Length, at.Kind == EqlTokenKind.End ? 0 : 1)));

    private static ParseException Error(string message, int start, int length) => new(new EqlSyntaxError(message, start, length));

    private EqlToken Expect(EqlTokenKind kind, string what)
    {
        if (!At(kind)) throw Error($"expected {what}, found {Current}", Current);
        return Advance();
    }

    private EqlToken ExpectKeyword(string keyword, string context)
    {
        if (!AtKeyword(keyword)) throw Error($"expected '{keyword}' {context}, found {Current}", Current);
        return Advance();
    }

    private EqlStatement ParseStatement()
    {
        var query = ParseQuery();
        var pipes = new List<EqlPipe>();
        while (At(EqlTokenKind.Pipe))
        {
            var bar = Advance();
            if (!At(EqlTokenKind.Identifier)) throw Error($"expected a pipe name after '|', found {Current}", Current);
            var name = Advance();
            // Skip the pipe's arguments: pipes are reported, not compiled.
            var end = name.End;
            while (!At(EqlTokenKind.End) && !At(EqlTokenKind.Pipe)) end = Advance().End;
            pipes.Add(new EqlPipe(name.Text, bar.Start, end - bar.Start));
        }
        if (!At(EqlTokenKind.End)) throw Error($"unexpected {Current} after the end of the query", Current);
        return new EqlStatement(query, pipes);
    }

    private EqlQuery ParseQuery()
    {
        if (AtKeyword("sequence")) return ParseSequence();
        if (AtKeyword("sample")) return ParseSample();
        if (AtKeyword("join")) throw Error("'join' queries are not supported by Elasticsearch EQL: use a sequence", Current);
        return ParseEventQuery();
    }

    private EqlEventQuery ParseEventQuery()
    {
        var start = Current;
        string? category;
        if (AtKeyword("any"))
        {
            Advance();
            category = null;
        }
        else if (At(EqlTokenKind.Identifier) && !Current.Tilde && !IsReserved(Current.Text) || At(EqlTokenKind.String) || At(EqlTokenKind.QuotedIdentifier))
        {
            category = Advance().Text;
        }
        else
        {
            throw Error($"expected an event category (such as process, file or any) followed by 'where', found {Current}", Current);
        }
        ExpectKeyword("where", "after the event category");
        var condition = ParseExpression();
        return new EqlEventQuery(category, condition, start.Start, condition.End - start.Start);
    }

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "and", "any", "by", "false", "in", "join", "like", "maxspan", "not", "null", "of", "or", "regex", "sample",
        "sequence", "true", "until", "where", "with",
    };

    private static bool IsReserved(string text) => Reserved.Contains(text);

    private EqlSequenceQuery ParseSequence()
    {
        var start = Advance();
        var keys = new List<EqlExpression>();
        EqlTimeSpan? maxSpan = null;
        if (AtKeyword("by"))
        {
            Advance();
            keys = ParseKeys();
        }
        if (AtKeyword("with"))
        {
            Advance();
            maxSpan = ParseMaxSpan();
            if (AtKeyword("by")) throw Error("write 'sequence by ...' before 'with maxspan=...', not after", Current);
        }
        var steps = new List<EqlStep>();
        while (At(EqlTokenKind.LeftBracket) || At(EqlTokenKind.MissingBracket)) steps.Add(ParseStep(allowRuns: true, allowMissing: true));
        if (steps.Count == 0) throw Error($"expected a sequence step '[category where condition]', found {Current}", Current);
        EqlStep? until = null;
        if (AtKeyword("until"))
        {
            var untilToken = Advance();
            if (At(EqlTokenKind.MissingBracket)) throw Error("an 'until' step cannot be a missing-event step", Current);
            if (!At(EqlTokenKind.LeftBracket)) throw Error($"expected '[' after 'until', found {Current}", Current);
            until = ParseStep(allowRuns: false, allowMissing: false);
            _ = untilToken;
        }
        var end = until?.End ?? steps[steps.Count - 1].End;
        return new EqlSequenceQuery(keys, maxSpan, steps, until, start.Start, end - start.Start);
    }

    private EqlSampleQuery ParseSample()
    {
        var start = Advance();
        var keys = new List<EqlExpression>();
        if (AtKeyword("by"))
        {
            Advance();
            keys = ParseKeys();
        }
        if (AtKeyword("with")) throw Error("samples take no 'with' options (maxspan and runs are for sequences)", Current);
        var steps = new List<EqlStep>();
        while (At(EqlTokenKind.LeftBracket) || At(EqlTokenKind.MissingBracket))
        {
            if (At(EqlTokenKind.MissingBracket)) throw Error("samples have no missing-event steps", Current);
            steps.Add(ParseStep(allowRuns: false, allowMissing: false));
        }
        if (steps.Count == 0) throw Error($"expected a sample step '[category where condition]', found {Current}", Current);
        if (AtKeyword("until")) throw Error("samples do not support 'until'", Current);
        var end = steps[steps.Count - 1].End;
        return new EqlSampleQuery(keys, steps, start.Start, end - start.Start);
    }

    private EqlTimeSpan ParseMaxSpan()
    {
        var name = Current;
        if (!AtKeyword("maxspan")) throw Error($"expected 'maxspan' after 'with', found {Current}", Current);
        Advance();
        Expect(EqlTokenKind.Assign, "'=' after maxspan");
        var number = Current;
        if (!At(EqlTokenKind.Integer) && !At(EqlTokenKind.Decimal)) throw Error($"expected a time span such as 30s or 5m after 'maxspan=', found {Current}", Current);
        Advance();
        var unit = "";
        var end = number.End;
        if (At(EqlTokenKind.Identifier) && Current.Start == number.End && !Current.Tilde)
        {
            unit = Current.Text;
            end = Advance().End;
        }
        var factor = unit switch
        {
            "d" => 86_400_000_000_000m,
            "h" => 3_600_000_000_000m,
            "m" => 60_000_000_000m,
            "s" => 1_000_000_000m,
            "ms" => 1_000_000m,
            "micros" => 1_000m,
            "nanos" => 1m,
            _ => 0m,
        };
        if (factor == 0m)
        {
            throw Error(unit.Length == 0
                ? "the time span needs a unit: d, h, m, s, ms, micros or nanos (e.g. maxspan=30s)"
                : $"'{unit}' is not a time unit: use d, h, m, s, ms, micros or nanos", number.Start, end - number.Start);
        }
        var value = decimal.Parse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture) * factor;
        if (value <= 0 || value > long.MaxValue) throw Error("the time span must be positive and at most about 292 years", number.Start, end - number.Start);
        _ = name;
        return new EqlTimeSpan((long)value, number.Text + unit, number.Start, end - number.Start);
    }

    private List<EqlExpression> ParseKeys()
    {
        var keys = new List<EqlExpression> { ParseExpression() };
        while (At(EqlTokenKind.Comma))
        {
            Advance();
            keys.Add(ParseExpression());
        }
        return keys;
    }

    private EqlStep ParseStep(bool allowRuns, bool allowMissing)
    {
        var open = Advance();
        var missing = open.Kind == EqlTokenKind.MissingBracket;
        if (missing && !allowMissing) throw Error("a missing-event step is not allowed here", open);
        var query = ParseEventQuery();
        var close = Expect(EqlTokenKind.RightBracket, "']' to close the step");
        var end = close.End;
        var keys = new List<EqlExpression>();
        if (AtKeyword("by"))
        {
            Advance();
            keys = ParseKeys();
            end = keys[keys.Count - 1].End;
        }
        EqlNumber? runs = null;
        if (AtKeyword("with") && !(Peek().IsKeyword("maxspan")))
        {
            var with = Advance();
            if (!allowRuns) throw Error("'with runs=n' is only allowed on sequence steps", with);
            if (!AtKeyword("runs")) throw Error($"expected 'runs' after 'with' (as in 'with runs=3'), found {Current}", Current);
            Advance();
            Expect(EqlTokenKind.Assign, "'=' after runs");
            if (!At(EqlTokenKind.Integer)) throw Error($"expected a whole number of runs, found {Current}", Current);
            var number = Advance();
            runs = new EqlNumber(number.Text, true, number.Start, number.Length);
            end = number.End;
        }
        return new EqlStep(query, keys, missing, runs, open.Start, end - open.Start);
    }

    public EqlExpression ParseExpression()
    {
        Enter(Current);
        try
        {
            return ParseOr();
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>One level deeper (the caller returns it with <c>_depth--</c>), or the nesting error at <paramref name="at"/>.</summary>
    private void Enter(EqlToken at)
    {
        if (++_depth > MaxNesting) throw Error($"the expression nests more than {MaxNesting} levels deep here (parentheses, function calls, 'not' or '-'); simplify the query", at);
    }

    private EqlExpression ParseOr()
    {
        var left = ParseAnd();
        while (AtKeyword("or"))
        {
            Advance();
            var right = ParseAnd();
            left = new EqlLogical(EqlLogicalOperator.Or, left, right, left.Start, right.End - left.Start);
        }
        return left;
    }

    private EqlExpression ParseAnd()
    {
        var left = ParseNot();
        while (AtKeyword("and"))
        {
            Advance();
            var right = ParseNot();
            left = new EqlLogical(EqlLogicalOperator.And, left, right, left.Start, right.End - left.Start);
        }
        return left;
    }

    private EqlExpression ParseNot()
    {
        if (AtKeyword("not"))
        {
            var not = Advance();
            Enter(not);
            try
            {
                var operand = ParseNot();
                return new EqlNot(operand, not.Start, operand.End - not.Start);
            }
            finally
            {
                _depth--;
            }
        }
        return ParseComparison();
    }

    private EqlExpression ParseComparison()
    {
        var left = ParseAdditive();
        EqlComparisonOperator? op = Current.Kind switch
        {
            EqlTokenKind.Equal => EqlComparisonOperator.Equal,
            EqlTokenKind.NotEqual => EqlComparisonOperator.NotEqual,
            EqlTokenKind.Less => EqlComparisonOperator.LessThan,
            EqlTokenKind.LessOrEqual => EqlComparisonOperator.LessThanOrEqual,
            EqlTokenKind.Greater => EqlComparisonOperator.GreaterThan,
            EqlTokenKind.GreaterOrEqual => EqlComparisonOperator.GreaterThanOrEqual,
            _ => null,
        };
        if (op is null)
        {
            if (At(EqlTokenKind.Assign)) throw Error("'=' is not an EQL comparison: use '==' (case-sensitive) or ':' (case-insensitive)", Current);
            return left;
        }
        var opToken = Advance();
        var right = ParseAdditive();
        if (Current.Kind is EqlTokenKind.Equal or EqlTokenKind.NotEqual or EqlTokenKind.Less or EqlTokenKind.LessOrEqual or EqlTokenKind.Greater or EqlTokenKind.GreaterOrEqual)
            throw Error("comparisons cannot be chained: join them with 'and' (a < b and b <= c)", Current);
        return new EqlComparison(op.Value, left, right, opToken.Start, opToken.Length, left.Start, right.End - left.Start);
    }

    private EqlExpression ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (At(EqlTokenKind.Plus) || At(EqlTokenKind.Minus))
        {
            var op = Advance().Kind == EqlTokenKind.Plus ? EqlArithmeticOperator.Add : EqlArithmeticOperator.Subtract;
            var right = ParseMultiplicative();
            left = new EqlArithmetic(op, left, right, left.Start, right.End - left.Start);
        }
        return left;
    }

    private EqlExpression ParseMultiplicative()
    {
        var left = ParseUnary();
        while (At(EqlTokenKind.Star) || At(EqlTokenKind.Slash) || At(EqlTokenKind.Percent))
        {
            var op = Advance().Kind switch
            {
                EqlTokenKind.Star => EqlArithmeticOperator.Multiply,
                EqlTokenKind.Slash => EqlArithmeticOperator.Divide,
                _ => EqlArithmeticOperator.Modulo,
            };
            var right = ParseUnary();
            left = new EqlArithmetic(op, left, right, left.Start, right.End - left.Start);
        }
        return left;
    }

    private EqlExpression ParseUnary()
    {
        if (At(EqlTokenKind.Minus))
        {
            var minus = Advance();
            Enter(minus);
            try
            {
                var operand = ParseUnary();
                return new EqlNegate(operand, minus.Start, operand.End - minus.Start);
            }
            finally
            {
                _depth--;
            }
        }
        if (At(EqlTokenKind.Plus))
        {
            var plus = Advance();
            Enter(plus);
            try
            {
                return ParseUnary();
            }
            finally
            {
                _depth--;
            }
        }
        var primary = ParsePrimary();
        return ParsePredicate(primary);
    }

    private EqlExpression ParsePredicate(EqlExpression operand)
    {
        var negated = false;
        var opToken = Current;
        if (AtKeyword("not") && (Peek().IsKeyword("in") || Peek().Kind == EqlTokenKind.Identifier && Peek().Text == "in" && Peek().Tilde))
        {
            negated = true;
            Advance();
        }
        else if (AtKeyword("not") && Peek().Kind == EqlTokenKind.Identifier && Peek().Text is "like" or "regex")
        {
            throw Error($"'not {Peek().Text}' is not EQL: write 'not x {Peek().Text} ...'", Current.Start, Peek().End - Current.Start);
        }

        EqlMatchOperator? op = null;
        if (At(EqlTokenKind.Colon)) op = EqlMatchOperator.Colon;
        else if (At(EqlTokenKind.Identifier))
        {
            op = (Current.Text, Current.Tilde) switch
            {
                ("in", false) => EqlMatchOperator.In,
                ("in", true) => EqlMatchOperator.InInsensitive,
                ("like", false) => EqlMatchOperator.Like,
                ("like", true) => EqlMatchOperator.LikeInsensitive,
                ("regex", false) => EqlMatchOperator.Regex,
                ("regex", true) => EqlMatchOperator.RegexInsensitive,
                _ => null,
            };
        }
        if (op is null)
        {
            if (negated) throw Error($"expected 'in' after 'not', found {Current}", Current);
            return operand;
        }
        var operatorToken = Advance();
        var operatorStart = negated ? opToken.Start : operatorToken.Start;
        var operatorLength = operatorToken.End - operatorStart;
        var isLookup = op is EqlMatchOperator.In or EqlMatchOperator.InInsensitive;
        var values = new List<EqlExpression>();
        int end;
        if (At(EqlTokenKind.LeftParen))
        {
            Advance();
            values.Add(isLookup ? ParseExpression() : ParseConstant());
            while (At(EqlTokenKind.Comma))
            {
                Advance();
                if (At(EqlTokenKind.RightParen)) break; // a trailing comma is tolerated
                values.Add(isLookup ? ParseExpression() : ParseConstant());
            }
            end = Expect(EqlTokenKind.RightParen, "')' to close the list (or ',' between values)").End;
            return new EqlMatch(op.Value, negated, operand, values, true, operatorStart, operatorLength, operand.Start, end - operand.Start);
        }
        if (isLookup) throw Error($"expected '(' after '{operatorToken.Text}{(operatorToken.Tilde ? "~" : "")}': a lookup takes a list such as (\"a\", \"b\")", Current);
        var value = ParseConstant();
        end = value.End;
        return new EqlMatch(op.Value, negated, operand, values: new[] { value }, isList: false, operatorStart, operatorLength, operand.Start, end - operand.Start);
    }

    private EqlExpression ParseConstant()
    {
        var token = Current;
        switch (token.Kind)
        {
            case EqlTokenKind.String:
                Advance();
                return new EqlString(token.Text, token.Raw, token.Start, token.Length);
            case EqlTokenKind.Integer:
            case EqlTokenKind.Decimal:
                Advance();
                return new EqlNumber(token.Text, token.Kind == EqlTokenKind.Integer, token.Start, token.Length);
            case EqlTokenKind.Minus when Peek().Kind is EqlTokenKind.Integer or EqlTokenKind.Decimal && Peek().Start == token.End:
            {
                Advance();
                var number = Advance();
                return new EqlNumber("-" + number.Text, number.Kind == EqlTokenKind.Integer, token.Start, number.End - token.Start);
            }
            case EqlTokenKind.Identifier when !token.Tilde && token.Text is "true" or "false":
                Advance();
                return new EqlBoolean(token.Text == "true", token.Start, token.Length);
            case EqlTokenKind.Identifier when !token.Tilde && token.Text == "null":
                Advance();
                return new EqlNull(token.Start, token.Length);
            default:
                throw Error($"expected a constant (a string, a number, true, false or null), found {token}: patterns and regular expressions must be constants", token);
        }
    }

    private EqlExpression ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case EqlTokenKind.String:
            case EqlTokenKind.Integer:
            case EqlTokenKind.Decimal:
                return ParseConstant();
            case EqlTokenKind.LeftParen:
            {
                Advance();
                var inner = ParseExpression();
                Expect(EqlTokenKind.RightParen, "')'");
                return inner;
            }
            case EqlTokenKind.Question:
            {
                Advance();
                if (!At(EqlTokenKind.Identifier) && !At(EqlTokenKind.QuotedIdentifier))
                    throw Error($"expected a field name after '?', found {Current}", Current);
                return ParseField(token.Start, optional: true);
            }
            case EqlTokenKind.QuotedIdentifier:
                return ParseField(token.Start, optional: false);
            case EqlTokenKind.Identifier:
            {
                if (!token.Tilde)
                {
                    switch (token.Text)
                    {
                        case "true":
                        case "false":
                        case "null":
                            return ParseConstant();
                    }
                }
                if (Peek().Kind == EqlTokenKind.LeftParen) return ParseCall();
                if (token.Tilde) throw Error($"'{token.Text}~' must be followed by '(': only functions and operators take '~'", token);
                if (IsReserved(token.Text)) throw Error($"unexpected keyword '{token.Text}'", token);
                return ParseField(token.Start, optional: false);
            }
            default:
                throw Error($"expected a value (a field, a constant, a function call or '('), found {token}", token);
        }
    }

    private EqlExpression ParseCall()
    {
        var name = Advance();
        Advance(); // (
        var arguments = new List<EqlExpression>();
        if (!At(EqlTokenKind.RightParen))
        {
            arguments.Add(ParseExpression());
            while (At(EqlTokenKind.Comma))
            {
                Advance();
                arguments.Add(ParseExpression());
            }
        }
        var close = Expect(EqlTokenKind.RightParen, "')' to close the function call (or ',' between arguments)");
        return new EqlCall(name.Text, name.Tilde, arguments, name.Length, name.Start, close.End - name.Start);
    }

    private EqlExpression ParseField(int start, bool optional)
    {
        var path = new StringBuilder();
        var first = Advance();
        if (first.Tilde) throw Error($"unexpected '~' after the field name '{first.Text}'", first);
        path.Append(first.Text);
        var end = first.End;
        while (true)
        {
            if (At(EqlTokenKind.Dot) && Current.Start == end)
            {
                var dot = Advance();
                var part = Current;
                if (part.Kind is not (EqlTokenKind.Identifier or EqlTokenKind.QuotedIdentifier) || part.Start != dot.End || part.Tilde)
                    throw Error($"expected a name after '.', found {Current}", Current);
                Advance();
                path.Append('.').Append(part.Text);
                end = part.End;
                continue;
            }
            if (At(EqlTokenKind.Decimal) && Current.Start == end && Current.Text.StartsWith(".", StringComparison.Ordinal))
            {
                throw Error("a field name part cannot start with a digit: quote the name with backquotes (`my.1field`)", Current);
            }
            if (At(EqlTokenKind.LeftBracket) && Current.Start == end)
            {
                throw Error("array indexes (field[0]) are not supported by Elasticsearch EQL", Current);
            }
            break;
        }
        return new EqlField(path.ToString(), optional, start, end - start);
    }
}

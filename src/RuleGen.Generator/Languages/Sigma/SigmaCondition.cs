using System;
using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Sigma;

/// <summary>A condition error: message and the token's offset and length in the condition text.</summary>
public sealed record SigmaConditionError(string Message, int Start, int Length, bool IsMissingIdentifier = false, bool IsAggregation = false, string Identifier = "");

/// <summary>
/// Sigma's condition language: <c>and</c>, <c>or</c>, <c>not</c>, parentheses, <c>1 of</c> / <c>any of</c> /
/// <c>all of</c> with <c>them</c> or an identifier pattern (<c>*</c> wildcards). Precedence, loosest first:
/// or, and, not, x of, parentheses. Keywords are lower case (as in pySigma). <c>them</c> and patterns that do not
/// start with <c>_</c> leave out identifiers starting with <c>_</c>.
/// </summary>
public sealed class SigmaConditionParser
{
    private readonly string _text;
    private readonly List<(string Text, int Start)> _tokens;
    private readonly IReadOnlyList<string> _identifiers;
    private readonly Func<string, Predicate?> _resolve;
    private int _at;
    private int _depth;

    /// <summary>
    /// How deeply parentheses and <c>not</c> may nest. The specification sets no limit, but recursion does: beyond
    /// this the condition is a located error instead of a stack overflow that would take the compiler down.
    /// </summary>
    public const int MaxNesting = 200;

    private SigmaConditionParser(string text, List<(string, int)> tokens, IReadOnlyList<string> identifiers, Func<string, Predicate?> resolve)
    {
        _text = text;
        _tokens = tokens;
        _identifiers = identifiers;
        _resolve = resolve;
    }

    /// <summary>
    /// Parses <paramref name="text"/>; <paramref name="resolve"/> gives an identifier's predicate (null when that
    /// search itself failed to compile, which fails the condition without a second diagnostic).
    /// </summary>
    public static (Predicate? Result, SigmaConditionError? Error) Parse(string text, IReadOnlyList<string> identifiers, Func<string, Predicate?> resolve)
    {
        var pipe = text.IndexOf('|');
        if (pipe >= 0) return (null, new SigmaConditionError("aggregation", pipe, text.Length - pipe, IsAggregation: true));
        var tokens = new List<(string, int)>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')') { tokens.Add((c.ToString(), i)); i++; continue; }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not '(' and not ')') i++;
            tokens.Add((text.Substring(start, i - start), start));
        }
        if (tokens.Count == 0) return (null, new SigmaConditionError("the condition is empty", 0, text.Length));
        var parser = new SigmaConditionParser(text, tokens, identifiers, resolve);
        try
        {
            var result = parser.ParseOr();
            if (parser._at < tokens.Count)
            {
                var (t, s) = tokens[parser._at];
                return (null, new SigmaConditionError($"unexpected '{t}'; join conditions with 'and' or 'or'", s, t.Length));
            }
            return (result, null);
        }
        catch (ConditionException ex)
        {
            return (null, ex.Error);
        }
        catch (SearchFailed)
        {
            return (null, null);
        }
    }

    private sealed class ConditionException : Exception
    {
        public ConditionException(SigmaConditionError error) : base(error.Message) => Error = error;
        public SigmaConditionError Error { get; }
    }

    private sealed class SearchFailed : Exception
    {
    }

    private (string Text, int Start)? Peek => _at < _tokens.Count ? _tokens[_at] : null;

    private ConditionException Fail(string message, (string Text, int Start)? token = null)
    {
        var t = token ?? Peek;
        return t is { } tok
            ? new ConditionException(new SigmaConditionError(message, tok.Start, tok.Text.Length))
            : new ConditionException(new SigmaConditionError(message, _text.Length, 0));
    }

    private Predicate ParseOr()
    {
        var operands = new List<Predicate> { ParseAnd() };
        while (Peek?.Text == "or")
        {
            _at++;
            operands.Add(ParseAnd());
        }
        return operands.Count == 1 ? operands[0] : SigmaDetectionLowering.Or(operands);
    }

    private Predicate ParseAnd()
    {
        var operands = new List<Predicate> { ParseNot() };
        while (Peek?.Text == "and")
        {
            _at++;
            operands.Add(ParseNot());
        }
        return operands.Count == 1 ? operands[0] : SigmaDetectionLowering.And(operands);
    }

    private Predicate ParseNot()
    {
        if (Peek?.Text == "not")
        {
            Enter();
            _at++;
            var operand = ParseNot();
            _depth--;
            return new NotPredicate(operand);
        }
        return ParsePrimary();
    }

    /// <summary>One level deeper at the current token (the caller returns it with <c>_depth--</c>; a failure ends the parse).</summary>
    private void Enter()
    {
        if (++_depth > MaxNesting) throw Fail($"parentheses and 'not' nest more than {MaxNesting} levels deep here; simplify the condition", Peek);
    }

    private Predicate ParsePrimary()
    {
        var token = Peek ?? throw Fail("the condition ends where a search identifier, 'not', 'x of' or '(' should follow");
        var text = token.Text;
        if (text == "(")
        {
            Enter();
            _at++;
            var inner = ParseOr();
            _depth--;
            if (Peek?.Text != ")") throw Fail(Peek is null ? "missing ')'" : $"expected ')' but found '{Peek.Value.Text}'");
            _at++;
            return inner;
        }
        if (text is ")" or "and" or "or") throw Fail($"unexpected '{text}'", token);
        if (_at + 1 < _tokens.Count && _tokens[_at + 1].Text == "of")
        {
            if (text is not ("1" or "any" or "all"))
                throw Fail($"'{text} of' is not Sigma: use '1 of', 'any of' or 'all of'", token);
            _at += 2;
            var target = Peek ?? throw Fail("'of' must be followed by 'them' or an identifier pattern");
            _at++;
            var names = Select(target.Text);
            if (names.Count == 0) throw Fail($"'{target.Text}' matches no search identifier", target);
            var operands = names.Select(n => Resolve(n, target)).ToList();
            return text == "all" ? SigmaDetectionLowering.And(operands) : SigmaDetectionLowering.Or(operands);
        }
        if (text is "not" or "of" or "them") throw Fail($"unexpected '{text}'", token);
        _at++;
        return Resolve(text, token);
    }

    private List<string> Select(string pattern)
    {
        if (pattern == "them") return _identifiers.Where(i => !i.StartsWith("_", StringComparison.Ordinal)).ToList();
        var regex = new System.Text.RegularExpressions.Regex(
            "^" + string.Join(".*", pattern.Split('*').Select(System.Text.RegularExpressions.Regex.Escape)) + "$",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        var includeUnderscore = pattern.StartsWith("_", StringComparison.Ordinal);
        return _identifiers.Where(i => regex.IsMatch(i) && (includeUnderscore || !i.StartsWith("_", StringComparison.Ordinal))).ToList();
    }

    private Predicate Resolve(string name, (string Text, int Start) token)
    {
        if (!_identifiers.Contains(name))
        {
            throw new ConditionException(new SigmaConditionError(name, token.Start, token.Text.Length, IsMissingIdentifier: true, Identifier: name));
        }
        return _resolve(name) ?? throw new SearchFailed();
    }
}

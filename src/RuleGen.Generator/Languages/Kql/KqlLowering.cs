using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.FieldTypes;
using RuleGen.Generator.Model;
using RuleGen.Generator.Text;

namespace RuleGen.Generator.Languages.Kql;

/// <summary>
/// Lowers a KQL syntax tree into the shared predicate model with Elasticsearch's semantics for each field's type
/// (see <see cref="TypedQueries"/>): exact, case-sensitive keywords; analysed text; typed ip, number, boolean and
/// date values; <c>f:*</c> is "has a non-null value". It also emits the certain lint warnings.
/// </summary>
public sealed class KqlLowering
{
    private readonly Func<int, int, SourceLocation> _locate;
    private readonly RuleFieldContext _context;
    private readonly TypedQueries _queries;
    private readonly List<string> _nestedPrefixes = new();

    private KqlLowering(Func<int, int, SourceLocation> locate, RuleFieldContext context)
    {
        _locate = locate;
        _context = context;
        _queries = new TypedQueries(context);
    }

    private List<DiagnosticInfo> Diagnostics => _context.Diagnostics;

    /// <summary>
    /// Parses and lowers <paramref name="query"/> with the built-in field types. <paramref name="locate"/> maps a span
    /// of the query text to its place in the rule file. Returns null (with an RG0004 diagnostic) when the query does
    /// not parse.
    /// </summary>
    public static Predicate? Compile(string query, Func<int, int, SourceLocation> locate, List<DiagnosticInfo> diagnostics) =>
        Compile(query, locate, new RuleFieldContext(FieldTypeResolver.BuiltInOnly, new[] { "@timestamp" }, diagnostics));

    /// <summary>Parses and lowers <paramref name="query"/> with the rule's field context (types, clock, diagnostics).</summary>
    public static Predicate? Compile(string query, Func<int, int, SourceLocation> locate, RuleFieldContext context)
    {
        var (tree, error) = KqlParser.Parse(query);
        if (tree is null)
        {
            var e = error!;
            context.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KqlSyntax, locate(e.Position, e.Length), e.Message));
            return null;
        }
        return new KqlLowering(locate, context).Lower(tree);
    }

    private SourceLocation Location(KqlNode node) => _locate(node.Start, node.End - node.Start);

    private Predicate Lower(KqlNode node)
    {
        switch (node)
        {
            case KqlMatchAll:
                return ConstantPredicate.True;
            case KqlBooleanQuery b:
            {
                if (b.Connective == KqlConnective.And) LintImpossibleRanges(b);
                var operands = b.Operands.Select(Lower).ToEquatableArray();
                return b.Connective == KqlConnective.And ? new AndPredicate(operands) : new OrPredicate(operands);
            }
            case KqlNotQuery n:
                return new NotPredicate(Lower(n.Operand));
            case KqlNestedQuery nested:
            {
                var field = Resolve(nested.Field);
                _nestedPrefixes.Add(FullName(nested.Field.Text));
                try
                {
                    return new NestedPredicate(FieldRef.Of(field.Path), Lower(nested.Query));
                }
                finally
                {
                    _nestedPrefixes.RemoveAt(_nestedPrefixes.Count - 1);
                }
            }
            case KqlRangeQuery range:
                return LowerRange(range);
            case KqlFieldQuery fieldQuery:
                if (fieldQuery.Field is null) return LowerValues(null, fieldQuery.Values);
                if (fieldQuery.Field.IsLoneWildcard)
                {
                    // "*: value" searches every field; "*:*" matches every document.
                    if (fieldQuery.Values is KqlValue { Literal.IsLoneWildcard: true }) return ConstantPredicate.True;
                    return LowerValues(null, fieldQuery.Values);
                }
                return LowerValues(Resolve(fieldQuery.Field), fieldQuery.Values);
            default:
                throw new InvalidOperationException("Unknown KQL node " + node.GetType().Name);
        }
    }

    private string FullName(string name) => _nestedPrefixes.Count == 0 ? name : _nestedPrefixes[_nestedPrefixes.Count - 1] + "." + name;

    /// <summary>The field's type (by its full name inside nested queries) with the path its values are read from.</summary>
    private ResolvedField Resolve(KqlLiteral literal)
    {
        var name = literal.Text;
        var resolved = _context.Resolve(FullName(name), Location(literal));
        if (_nestedPrefixes.Count == 0) return resolved;
        // Inside field:{...} paths are relative to the element.
        var prefix = _nestedPrefixes[_nestedPrefixes.Count - 1] + ".";
        var relative = resolved.Path.StartsWith(prefix, StringComparison.Ordinal) ? resolved.Path.Substring(prefix.Length) : name;
        return resolved with { Path = relative };
    }

    private Predicate LowerValues(ResolvedField? field, KqlValueExpression values)
    {
        switch (values)
        {
            case KqlValueList list:
            {
                LintDuplicates(list);
                if (field is not null && list.Connective == KqlConnective.Or && TryLowerSet(field, list) is { } set) return set;
                var operands = list.Operands.Select(v => LowerValues(field, v)).ToEquatableArray();
                return list.Connective == KqlConnective.And ? new AndPredicate(operands) : new OrPredicate(operands);
            }
            case KqlValueNot not:
                return new NotPredicate(LowerValues(field, not.Operand));
            case KqlValue value:
                return LowerValue(field, value.Literal);
            default:
                throw new InvalidOperationException("Unknown KQL value node " + values.GetType().Name);
        }
    }

    /// <summary>
    /// An ORed list of plain values on one field as one set test: phrases on a text field (the value is tokenized
    /// once), exact values on a keyword field (one hash lookup per value).
    /// </summary>
    private Predicate? TryLowerSet(ResolvedField field, KqlValueList list)
    {
        if (list.Operands.Count < 2) return null;
        var literals = new List<KqlLiteral>();
        foreach (var operand in list.Operands)
        {
            if (operand is not KqlValue { Literal: var literal } || literal.Kind is KqlLiteralKind.Wildcard) return null;
            literals.Add(literal);
        }
        foreach (var literal in literals) LintLiteral(literal);
        if (field.Type.Family == FieldFamily.Text && literals.All(l => l.Quoted == literals[0].Quoted))
        {
            return _queries.PhraseSet(field, literals.Select(l => l.Text).ToList(), literals[0].Quoted);
        }
        if (field.Type.Family == FieldFamily.Keyword && literals.Count >= 4)
        {
            var values = literals.Select(l => field.Type.Lowercase ? StandardAnalyzer.Lowercase(l.Text) : l.Text).Distinct(StringComparer.Ordinal).ToEquatableArray();
            ValueMatcher set = new StringSetMatcher(values, CaseMode.Sensitive, ValueKinds.Scalars);
            return new FieldPredicate(FieldRef.Of(field.Path), field.Type.Lowercase ? new LowercaseMatcher(set) : set);
        }
        return null;
    }

    private Predicate LowerValue(ResolvedField? field, KqlLiteral literal)
    {
        LintLiteral(literal);
        if (literal.IsLoneWildcard)
        {
            // "f:*" is Elasticsearch's exists query; a field-less "*" matches everything.
            return field is null ? ConstantPredicate.True : _queries.Exists(field);
        }
        if (field is null)
        {
            // A value without a field is searched in every field's text.
            ValueMatcher matcher = literal.Kind == KqlLiteralKind.Wildcard
                ? Matchers.ForPattern(literal.Pattern, CaseMode.Sensitive, ValueKinds.Scalars)
                : Matchers.Exact(literal.Text, CaseMode.Sensitive, ValueKinds.Scalars);
            return new AnyFieldPredicate(matcher);
        }
        var location = Location(literal);
        if (literal.Kind == KqlLiteralKind.Wildcard) return _queries.QueryStringWildcard(field, literal.Pattern, location);
        return literal.Quoted ? _queries.MatchPhrase(field, literal.Text, location) : _queries.Match(field, literal.Text, location);
    }

    private readonly HashSet<KqlLiteral> _linted = new();

    private void LintLiteral(KqlLiteral literal)
    {
        if (!_linted.Add(literal)) return;
        // A quoted lone "*" is a deliberate literal star (RBAC verbs, IAM principals); any other quoted '*' was
        // almost surely meant as a wildcard, which KQL does not do inside quotes.
        if (literal.Quoted && literal.Text.IndexOf('*') >= 0 && literal.Text != "*")
        {
            Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.QuotedWildcard, Location(literal), literal.Text));
        }
        // '?' is literal in KQL; unquoted, it is almost surely a Lucene or EQL single-character wildcard.
        if (!literal.Quoted && literal.Text.IndexOf('?') >= 0 && !LooksLikeUrlQuery(literal.Text))
        {
            Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnquotedQuestionMark, Location(literal), literal.Text));
        }
    }

    /// <summary>A path followed by a query string (<c>/api/v1/secrets?limit*</c>): there '?' is meant literally.</summary>
    private static bool LooksLikeUrlQuery(string text)
    {
        var question = text.IndexOf('?');
        return text.LastIndexOf('/', question) >= 0 && text.IndexOf('/', question) < 0
            && question + 1 < text.Length && char.IsLetter(text[question + 1]);
    }

    private Predicate LowerRange(KqlRangeQuery range)
    {
        var field = Resolve(range.Field);
        return _queries.Range(field, Operator(range.Operator), range.Value.Text, Location(range.Value));
    }

    private static ComparisonOperator Operator(KqlRangeOperator op) => op switch
    {
        KqlRangeOperator.LessThan => ComparisonOperator.LessThan,
        KqlRangeOperator.LessThanOrEqual => ComparisonOperator.LessThanOrEqual,
        KqlRangeOperator.GreaterThan => ComparisonOperator.GreaterThan,
        _ => ComparisonOperator.GreaterThanOrEqual,
    };

    /// <summary>
    /// Numeric ranges on one field, ANDed, whose lower bound lies above the upper bound: no single value satisfies
    /// both (only an array holding one value for each can).
    /// </summary>
    private void LintImpossibleRanges(KqlBooleanQuery and)
    {
        var byField = and.Operands.OfType<KqlRangeQuery>().GroupBy(r => r.Field.Text);
        foreach (var group in byField)
        {
            KqlRangeQuery? lower = null, upper = null;
            double lowerValue = double.NegativeInfinity, upperValue = double.PositiveInfinity;
            foreach (var range in group)
            {
                if (range.Value.Kind == KqlLiteralKind.Wildcard || !ElasticNumberText.TryParse(range.Value.Text, out var value)) continue;
                var isLower = range.Operator is KqlRangeOperator.GreaterThan or KqlRangeOperator.GreaterThanOrEqual;
                if (isLower && (lower is null || value > lowerValue)) { lower = range; lowerValue = value; }
                if (!isLower && (upper is null || value < upperValue)) { upper = range; upperValue = value; }
            }
            if (lower is null || upper is null) continue;
            var strict = lower.Operator == KqlRangeOperator.GreaterThan || upper.Operator == KqlRangeOperator.LessThan;
            if (lowerValue > upperValue || (strict && lowerValue == upperValue))
            {
                Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ImpossibleRange, Location(upper), group.Key,
                    Describe(lower), Describe(upper)));
            }
        }

        static string Describe(KqlRangeQuery r) => r.Operator switch
        {
            KqlRangeOperator.GreaterThan => "> " + r.Value.Text,
            KqlRangeOperator.GreaterThanOrEqual => ">= " + r.Value.Text,
            KqlRangeOperator.LessThan => "< " + r.Value.Text,
            _ => "<= " + r.Value.Text,
        };
    }

    /// <summary>The same value twice in one list is certainly a slip (a missing edit).</summary>
    private void LintDuplicates(KqlValueList list)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operand in list.Operands)
        {
            if (operand is not KqlValue { Literal: var literal }) continue;
            var key = (literal.Quoted ? "q:" : "u:") + literal.Pattern;
            if (!seen.Add(key))
            {
                Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateListValue, Location(literal), literal.Text));
            }
        }
    }
}

/// <summary>Recognises and normalises decimal number text (invariant culture).</summary>
public static class NumberText
{
    public static bool TryNormalize(string text, out string normalized)
    {
        normalized = "";
        var trimmed = text.Trim();
        if (trimmed.Length == 0) return false;
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return false;
        if (double.IsNaN(value) || double.IsInfinity(value)) return false;
        normalized = value.ToString("R", CultureInfo.InvariantCulture);
        return true;
    }
}

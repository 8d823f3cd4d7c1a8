using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Kql;

/// <summary>
/// Lowers a KQL syntax tree into the shared predicate model with Elasticsearch's semantics for keyword fields:
/// exact, case-sensitive values and wildcards; <c>f:*</c> is "has a non-null value"; numbers and booleans compare by
/// their text; ranges compare numerically when the bound is a number. It also emits the certain lint warnings.
/// </summary>
public sealed class KqlLowering
{
    private readonly Func<int, int, SourceLocation> _locate;
    private readonly List<DiagnosticInfo> _diagnostics;

    private KqlLowering(Func<int, int, SourceLocation> locate, List<DiagnosticInfo> diagnostics)
    {
        _locate = locate;
        _diagnostics = diagnostics;
    }

    /// <summary>
    /// Parses and lowers <paramref name="query"/>. <paramref name="locate"/> maps a span of the query text to its place
    /// in the rule file. Returns null (with an RG0004 diagnostic) when the query does not parse.
    /// </summary>
    public static Predicate? Compile(string query, Func<int, int, SourceLocation> locate, List<DiagnosticInfo> diagnostics)
    {
        var (tree, error) = KqlParser.Parse(query);
        if (tree is null)
        {
            var e = error!;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KqlSyntax, locate(e.Position, e.Length), e.Message));
            return null;
        }
        return new KqlLowering(locate, diagnostics).Lower(tree);
    }

    private Predicate Lower(KqlNode node)
    {
        switch (node)
        {
            case KqlMatchAll:
                return ConstantPredicate.True;
            case KqlBooleanQuery b:
            {
                var operands = b.Operands.Select(Lower).ToEquatableArray();
                return b.Connective == KqlConnective.And ? new AndPredicate(operands) : new OrPredicate(operands);
            }
            case KqlNotQuery n:
                return new NotPredicate(Lower(n.Operand));
            case KqlNestedQuery nested:
                return new NestedPredicate(Field(nested.Field), Lower(nested.Query));
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
                return LowerValues(Field(fieldQuery.Field), fieldQuery.Values);
            default:
                throw new InvalidOperationException("Unknown KQL node " + node.GetType().Name);
        }
    }

    private static FieldRef Field(KqlLiteral literal) => FieldRef.Of(literal.Text);

    private Predicate LowerValues(FieldRef? field, KqlValueExpression values)
    {
        switch (values)
        {
            case KqlValueList list:
            {
                LintDuplicates(list);
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

    private Predicate LowerValue(FieldRef? field, KqlLiteral literal)
    {
        // A quoted lone "*" is a deliberate literal star (RBAC verbs, IAM principals); any other quoted '*' was
        // almost surely meant as a wildcard, which KQL does not do inside quotes.
        if (literal.Quoted && literal.Text.IndexOf('*') >= 0 && literal.Text != "*")
        {
            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.QuotedWildcard, _locate(literal.Start, literal.End - literal.Start), literal.Text));
        }

        if (literal.IsLoneWildcard)
        {
            // "f:*" is Elasticsearch's exists query; a field-less "*" matches everything.
            return field is null ? ConstantPredicate.True : new ExistsPredicate(field, ExistenceKind.NonNullValue);
        }

        ValueMatcher matcher = literal.Kind switch
        {
            KqlLiteralKind.Boolean => new BooleanMatcher(literal.Text == "true", AcceptStrings: true),
            KqlLiteralKind.Wildcard => Matchers.ForPattern(literal.Pattern, CaseMode.Sensitive, ValueKinds.Scalars),
            _ => Matchers.Exact(literal.Text, CaseMode.Sensitive, ValueKinds.Scalars),
        };
        if (field is null)
        {
            // A value without a field is searched in every field's text.
            return new AnyFieldPredicate(matcher);
        }
        return new FieldPredicate(field, matcher);
    }

    private Predicate LowerRange(KqlRangeQuery range)
    {
        var field = Field(range.Field);
        var op = range.Operator switch
        {
            KqlRangeOperator.LessThan => ComparisonOperator.LessThan,
            KqlRangeOperator.LessThanOrEqual => ComparisonOperator.LessThanOrEqual,
            KqlRangeOperator.GreaterThan => ComparisonOperator.GreaterThan,
            _ => ComparisonOperator.GreaterThanOrEqual,
        };
        var text = range.Value.Text;
        if (range.Value.Kind != KqlLiteralKind.Wildcard && NumberText.TryNormalize(text, out var number))
        {
            return new FieldPredicate(field, new NumberMatcher(op, number, AcceptNumericStrings: true));
        }
        return new FieldPredicate(field, new TextRangeMatcher(op, text, ValueKinds.Scalars));
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
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateListValue, _locate(literal.Start, literal.End - literal.Start), literal.Text));
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

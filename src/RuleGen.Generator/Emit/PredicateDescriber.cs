using System.Linq;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Emit;

/// <summary>Says in English what a predicate checks, for the comments in generated code.</summary>
public static class PredicateDescriber
{
    public static string Describe(Predicate predicate) => predicate switch
    {
        ConstantPredicate c => c.Value ? "always true" : "always false",
        AndPredicate a => $"all of {a.Operands.Count} conditions hold",
        OrPredicate o => DescribeOr(o),
        NotPredicate n => "not: " + Describe(n.Operand),
        FieldPredicate f => $"{Name(f.Field)} {Describe(f.Matcher)}",
        ExistsPredicate e => e.Kind == ExistenceKind.NonNullValue ? $"{Name(e.Field)} has a non-null value" : $"{Name(e.Field)} is present (even if null)",
        AnyFieldPredicate a => $"some string value of the event {Describe(a.Matcher)}",
        NestedPredicate n => $"some object in {Name(n.Field)} satisfies the nested query",
        FieldComparePredicate c => $"{Name(c.Left)} {Relation(c.Operation)} {Name(c.Right)}{CaseNote(c.Case)}",
        DateRangePredicate d => $"{Name(d.Field)} is a date {TypedDescriptions.DateRange(d)}",
        ExpressionPredicate x => ExpressionText.Describe(x.Condition),
        _ => predicate.GetType().Name,
    };

    // Field names may hold any character (a KQL field can be written with escapes): keep the comment on one line.
    // A name with '*' is a field-name pattern: every field it covers is tested. A field read under several paths (a
    // Sigma profile's alternatives) is named by its first; the rule's Schema lists every path of each slot.
    private static string Name(FieldRef field) =>
        (field.Paths.Any(p => p.IndexOf('*') >= 0) ? "any field " : "") + Literals.Comment(field.Name);

    private static string DescribeOr(OrPredicate o)
    {
        var fields = o.Operands.OfType<FieldPredicate>().Select(f => f.Field).Distinct().ToList();
        if (fields.Count == 1 && o.Operands.All(p => p is FieldPredicate)) return $"{Name(fields[0])} matches any of {o.Operands.Count} values";
        return $"any of {o.Operands.Count} conditions holds";
    }

    public static string Describe(ValueMatcher matcher) => matcher switch
    {
        StringMatcher s => $"{Verb(s.Operation)} {Quote(s.Value)}{CaseNote(s.Case, s.Value)}",
        StringSetMatcher s => $"is one of {s.Values.Count} values{CaseNote(s.Case)}",
        StringListMatcher l => $"{Verb(l.Operation)} one of {l.Values.Count} values{CaseNote(l.Case, string.Concat(l.Values))}",
        WildcardMatcher w => $"matches the wildcard {Quote(w.Pattern.ToString())}{CaseNote(w.Case, w.Pattern.ToString())}",
        RegexMatcher r => $"matches the regular expression {Quote(r.Pattern)}",
        NumberMatcher n => $"is a number{(n.AcceptNumericStrings ? " (or numeric string)" : "")} {Operator(n.Operator)} {n.Value}",
        BooleanMatcher b => $"is {(b.Value ? "true" : "false")}{(b.AcceptStrings ? $" (or the string \"{(b.Value ? "true" : "false")}\")" : "")}",
        CidrMatcher c => $"is an IP address in {string.Join(", ", c.Networks)}",
        DatePartMatcher d => $"is a timestamp whose {d.Part.ToString().ToLowerInvariant()} is {Operator(d.Operator)} {d.Value}",
        TextRangeMatcher t => $"is text {Operator(t.Operator)} {Quote(t.Value)} (byte order)",
        TextPhraseMatcher or TextPhraseSetMatcher or TextTokenWildcardMatcher or LowercaseMatcher or ElasticNumberMatcher or ElasticBooleanMatcher
            => TypedDescriptions.Describe(matcher),
        _ => matcher.GetType().Name,
    };

    private static string Quote(string text) => "\"" + Literals.Comment(text) + "\"";

    private static string CaseNote(CaseMode mode) => mode == CaseMode.Sensitive ? " (case-sensitive)" : " (ignoring ASCII case)";

    // Case is only worth a word when the text has letters that have case.
    private static string CaseNote(CaseMode mode, string text) =>
        text.Any(c => char.ToUpperInvariant(c) != char.ToLowerInvariant(c)) ? CaseNote(mode) : "";

    private static string Verb(StringOperation op) => op switch
    {
        StringOperation.Equals => "is exactly",
        StringOperation.StartsWith => "starts with",
        StringOperation.EndsWith => "ends with",
        _ => "contains",
    };

    private static string Relation(StringOperation op) => op switch
    {
        StringOperation.Equals => "equals",
        StringOperation.StartsWith => "starts with",
        StringOperation.EndsWith => "ends with",
        _ => "contains",
    };

    public static string Operator(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        _ => ">=",
    };
}

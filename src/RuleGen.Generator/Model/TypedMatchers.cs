namespace RuleGen.Generator.Model;

// Matchers for Elasticsearch's field types beyond exact text (Elastic rules; see FieldTypes/). Literal values in
// them are already analysed or normalised at build time, exactly as Elasticsearch analyses query values.

/// <summary>
/// An analysed text field (text, match_only_text) holds the phrase: <see cref="Tokens"/> (the standard analyzer's
/// lowercase output) at consecutive positions of one value. One token is a term query.
/// </summary>
public sealed record TextPhraseMatcher(EquatableArray<string> Tokens) : ValueMatcher;

/// <summary>An analysed text field holds one of several phrases (an ORed value list, tokenized once).</summary>
public sealed record TextPhraseSetMatcher(EquatableArray<TextPhraseMatcher> Phrases) : ValueMatcher;

/// <summary>Some token of an analysed text field matches the wildcard pattern (its literal parts already lowercase).</summary>
public sealed record TextTokenWildcardMatcher(WildcardPattern Pattern) : ValueMatcher;

/// <summary>
/// The value lowercased (Unicode simple mappings, as the lowercase normalizer does) passes <see cref="Inner"/>,
/// whose literals are already lowercase: a <see cref="StringMatcher"/>, <see cref="WildcardMatcher"/>,
/// <see cref="StringSetMatcher"/> or <see cref="TextRangeMatcher"/>.
/// </summary>
public sealed record LowercaseMatcher(ValueMatcher Inner) : ValueMatcher;

/// <summary>
/// The value, as a numeric field of type <see cref="NumberType"/> (long, float, ...) indexes it, compares with
/// <see cref="Value"/> (invariant text, already converted to the type).
/// </summary>
public sealed record ElasticNumberMatcher(string NumberType, ComparisonOperator Operator, string Value) : ValueMatcher;

/// <summary>The value is the boolean as a boolean field indexes it (true/false, "true"/"false", "" as false).</summary>
public sealed record ElasticBooleanMatcher(bool Value) : ValueMatcher;

/// <summary>One step of Elasticsearch date math (see the runtime's DateMathStep).</summary>
public sealed record DateMathStepModel(string Operation, int Amount, string Unit);

/// <summary>
/// A bound of a date range in epoch milliseconds: fixed (<see cref="Steps"/> empty) or <c>now</c> plus date-math
/// steps, resolved per event against the event's time.
/// </summary>
public sealed record DateBound(long Millis, EquatableArray<DateMathStepModel> Steps)
{
    public bool IsRelative => !Steps.IsEmpty;
}

/// <summary>
/// Some value of a date field lies within <see cref="Lower"/> .. <see cref="Upper"/> (both inclusive; null means
/// unbounded). Relative bounds read the event's time from <see cref="Clock"/> (the rule's timestamp fields, first
/// that holds a date).
/// </summary>
public sealed record DateRangePredicate(FieldRef Field, DateBound? Lower, DateBound? Upper, EquatableArray<FieldRef> Clock) : Predicate;

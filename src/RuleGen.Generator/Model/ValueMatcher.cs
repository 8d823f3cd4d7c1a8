using System;

namespace RuleGen.Generator.Model;

/// <summary>How letters compare.</summary>
public enum CaseMode
{
    /// <summary>Byte for byte (Elasticsearch keyword fields, EQL <c>==</c>, Sigma <c>|cased</c>).</summary>
    Sensitive,

    /// <summary>ASCII letters fold (Sigma values, EQL <c>:</c> and <c>~</c>); other characters compare exactly.</summary>
    IgnoreAsciiCase,
}

/// <summary>Which JSON value kinds a matcher looks at, and so which text it sees.</summary>
[Flags]
public enum ValueKinds
{
    None = 0,

    /// <summary>JSON strings, compared by their decoded UTF-8 bytes.</summary>
    String = 1,

    /// <summary>JSON numbers, compared by their literal text (<c>4688</c> as "4688").</summary>
    Number = 2,

    /// <summary>JSON booleans, compared as the text "true" or "false".</summary>
    Boolean = 4,

    Scalars = String | Number | Boolean,
}

/// <summary>A string relation between a value and a literal.</summary>
public enum StringOperation
{
    Equals,
    StartsWith,
    EndsWith,
    Contains,
}

/// <summary>A numeric comparison: value OP literal.</summary>
public enum ComparisonOperator
{
    Equal,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary>A test applied to one JSON value of a field.</summary>
public abstract record ValueMatcher;

/// <summary>The value's text relates to <see cref="Value"/> by <see cref="Operation"/>.</summary>
public sealed record StringMatcher(StringOperation Operation, string Value, CaseMode Case, ValueKinds Kinds) : ValueMatcher;

/// <summary>The value's text equals one of <see cref="Values"/>; a set test that many ORed equalities lower into.</summary>
public sealed record StringSetMatcher(EquatableArray<string> Values, CaseMode Case, ValueKinds Kinds) : ValueMatcher;

/// <summary>
/// The value's text relates by <see cref="Operation"/> (StartsWith, EndsWith or Contains) to at least one of
/// <see cref="Values"/>: one pass over the text for many prefixes, suffixes or substrings (a trie / Aho-Corasick).
/// </summary>
public sealed record StringListMatcher(StringOperation Operation, EquatableArray<string> Values, CaseMode Case, ValueKinds Kinds) : ValueMatcher;

/// <summary>The value's whole text matches a wildcard pattern.</summary>
public sealed record WildcardMatcher(WildcardPattern Pattern, CaseMode Case, ValueKinds Kinds) : ValueMatcher;

/// <summary>Options of a regular expression, as the source language states them.</summary>
[Flags]
public enum RegexFlags
{
    None = 0,
    IgnoreCase = 1,
    Multiline = 2,
    Singleline = 4,
}

/// <summary>
/// A .NET regular expression searched in the value's text (unanchored unless the pattern anchors itself); the
/// language front end translates its dialect into .NET syntax.
/// </summary>
public sealed record RegexMatcher(string Pattern, RegexFlags Flags, ValueKinds Kinds) : ValueMatcher;

/// <summary>
/// The value is a number (a JSON number, or a numeric string when <see cref="AcceptNumericStrings"/>) that compares
/// with <see cref="Value"/> (invariant decimal text).
/// </summary>
public sealed record NumberMatcher(ComparisonOperator Operator, string Value, bool AcceptNumericStrings) : ValueMatcher;

/// <summary>The value is the JSON boolean <see cref="Value"/> (or its text, when <see cref="AcceptStrings"/>).</summary>
public sealed record BooleanMatcher(bool Value, bool AcceptStrings) : ValueMatcher;

/// <summary>The value is an IP address inside one of the networks (CIDR notation, or single addresses).</summary>
public sealed record CidrMatcher(EquatableArray<string> Networks) : ValueMatcher;

/// <summary>
/// The value's text compares with <see cref="Value"/> in ordinal (byte) order, as Elasticsearch ranges on keyword
/// fields do.
/// </summary>
public sealed record TextRangeMatcher(ComparisonOperator Operator, string Value, ValueKinds Kinds) : ValueMatcher;

/// <summary>A part of a date and time (Sigma's time modifiers).</summary>
public enum DatePart
{
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// <summary>
/// The value is a timestamp (ISO 8601 text as written, without time zone conversion; or a number of seconds or
/// milliseconds since the Unix epoch) whose <see cref="Part"/> compares with <see cref="Value"/>.
/// </summary>
public sealed record DatePartMatcher(DatePart Part, ComparisonOperator Operator, int Value) : ValueMatcher;

namespace RuleGen.Generator.Model;

// Expressions over field values, for conditions that a single field test cannot express: functions (length,
// substring, startsWith of two fields, ...), arithmetic, and comparisons between computed values. A language lowers
// into these only what it cannot lower into FieldPredicate matchers, which stay the fast path.

/// <summary>
/// How a field's JSON values are read into expression values: Elasticsearch coerces each value to the field's mapped
/// type before a script sees it.
/// </summary>
public enum FieldValueKind
{
    /// <summary>keyword-like: strings as they are; numbers and booleans as their JSON text (4624 is "4624").</summary>
    Keyword,

    /// <summary>long, integer, short, byte: numbers and numeric strings, truncated toward zero.</summary>
    Integer,

    /// <summary>double, float, half_float, scaled_float: numbers and numeric strings.</summary>
    Float,

    /// <summary>boolean: true and false, and the strings "true" and "false".</summary>
    Boolean,

    /// <summary>ip: strings that are IP addresses, in their canonical text (IPv6 compressed, IPv4 dotted).</summary>
    Ip,
}

/// <summary>The static type of an expression value.</summary>
public enum ScalarType
{
    Null,
    Boolean,
    Integer,
    Float,
    String,
}

/// <summary>A value computed from the event's fields.</summary>
public abstract record ValueExpression;

/// <summary>One value of a field, read as <see cref="Kind"/>; null when the field has no value.</summary>
public sealed record FieldExpression(FieldRef Field, FieldValueKind Kind) : ValueExpression;

/// <summary>A constant: <see cref="Text"/> is the string, the invariant number text, "true"/"false", or "" for null.</summary>
public sealed record LiteralExpression(ScalarType Type, string Text) : ValueExpression
{
    public static readonly LiteralExpression Null = new(ScalarType.Null, "");

    public static LiteralExpression String(string value) => new(ScalarType.String, value);

    public static LiteralExpression Integer(long value) => new(ScalarType.Integer, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static LiteralExpression Boolean(bool value) => new(ScalarType.Boolean, value ? "true" : "false");
}

/// <summary>The scalar functions an expression can call (EQL's function set, and the arithmetic operators).</summary>
public enum ScalarFunction
{
    Add,
    Between,
    CidrMatch,
    Concat,
    Divide,
    /// <summary>The argument is null (EQL <c>expr == null</c>).</summary>
    IsNull,
    /// <summary>The argument is not null (EQL <c>expr != null</c>).</summary>
    IsNotNull,
    EndsWith,
    IndexOf,
    Length,
    Modulo,
    Multiply,
    Negate,
    Number,
    StartsWith,
    String,
    StringContains,
    Substring,
    Subtract,
}

/// <summary>A function applied to arguments; <see cref="IgnoreCase"/> folds ASCII letters where the function compares text.</summary>
public sealed record FunctionExpression(ScalarFunction Function, bool IgnoreCase, EquatableArray<ValueExpression> Arguments) : ValueExpression;

/// <summary>How two values compare.</summary>
public enum ValueComparison
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary>
/// A comparison of two values: numbers numerically, strings in ordinal (UTF-8 byte) order and case-sensitively,
/// booleans by value. A null operand makes the comparison null (not true).
/// </summary>
public sealed record ComparisonExpression(ValueComparison Operator, ValueExpression Left, ValueExpression Right) : ValueExpression;

/// <summary>The operand is a string that satisfies the matcher (a wildcard, a set, a regular expression).</summary>
public sealed record MatchExpression(ValueExpression Operand, ValueMatcher Matcher) : ValueExpression;

/// <summary>
/// A boolean expression over field values. It holds when some choice of one value per distinct field (null for a
/// field without values) makes <see cref="Condition"/> true; every use of the same field sees the same value, as
/// Elasticsearch's scripts do for multi-valued fields.
/// </summary>
public sealed record ExpressionPredicate(ValueExpression Condition) : Predicate;

/// <summary>Walks expressions (the fields they read, in order of first use).</summary>
public static class ValueExpressions
{
    public static System.Collections.Generic.List<FieldExpression> Fields(ValueExpression expression)
    {
        var result = new System.Collections.Generic.List<FieldExpression>();
        var seen = new System.Collections.Generic.HashSet<FieldRef>();
        Visit(expression);
        return result;

        void Visit(ValueExpression e)
        {
            switch (e)
            {
                case FieldExpression f:
                    if (seen.Add(f.Field)) result.Add(f);
                    break;
                case FunctionExpression call:
                    foreach (var a in call.Arguments) Visit(a);
                    break;
                case ComparisonExpression c:
                    Visit(c.Left);
                    Visit(c.Right);
                    break;
                case MatchExpression m:
                    Visit(m.Operand);
                    break;
            }
        }
    }
}

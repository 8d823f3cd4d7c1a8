using System.Collections.Generic;

namespace RuleGen.Generator.Languages.Eql;

// The EQL syntax tree, as written (before types and semantics). Every node knows where it is in the query text
// (Start, Length), so the lowering can point diagnostics at it.

/// <summary>A node of the syntax tree and its span in the query text.</summary>
public abstract class EqlNode
{
    protected EqlNode(int start, int length)
    {
        Start = start;
        Length = length;
    }

    public int Start { get; }

    public int Length { get; }

    public int End => Start + Length;
}

/// <summary>A whole query: an event query, a sequence or a sample.</summary>
public abstract class EqlQuery : EqlNode
{
    protected EqlQuery(int start, int length) : base(start, length) { }
}

/// <summary><c>category where condition</c>; <see cref="Category"/> is null for <c>any</c>.</summary>
public sealed class EqlEventQuery : EqlQuery
{
    public EqlEventQuery(string? category, EqlExpression condition, int start, int length) : base(start, length)
    {
        Category = category;
        Condition = condition;
    }

    public string? Category { get; }

    public EqlExpression Condition { get; }
}

/// <summary>One bracketed step of a sequence or sample, with its own join keys and options.</summary>
public sealed class EqlStep : EqlNode
{
    public EqlStep(EqlEventQuery query, IReadOnlyList<EqlExpression> keys, bool missing, EqlNumber? runs, int start, int length) : base(start, length)
    {
        Query = query;
        Keys = keys;
        Missing = missing;
        Runs = runs;
    }

    public EqlEventQuery Query { get; }

    public IReadOnlyList<EqlExpression> Keys { get; }

    /// <summary>Written <c>![...]</c>: the step matches when no such event occurs.</summary>
    public bool Missing { get; }

    /// <summary>The <c>with runs=n</c> count, or null.</summary>
    public EqlNumber? Runs { get; }
}

/// <summary>A time span such as <c>30s</c> or <c>5m</c>.</summary>
public sealed class EqlTimeSpan : EqlNode
{
    public EqlTimeSpan(long nanoseconds, string text, int start, int length) : base(start, length)
    {
        Nanoseconds = nanoseconds;
        Text = text;
    }

    public long Nanoseconds { get; }

    public string Text { get; }
}

/// <summary><c>sequence [by keys] [with maxspan=t] step step ... [until step]</c>.</summary>
public sealed class EqlSequenceQuery : EqlQuery
{
    public EqlSequenceQuery(IReadOnlyList<EqlExpression> keys, EqlTimeSpan? maxSpan, IReadOnlyList<EqlStep> steps, EqlStep? until, int start, int length)
        : base(start, length)
    {
        Keys = keys;
        MaxSpan = maxSpan;
        Steps = steps;
        Until = until;
    }

    public IReadOnlyList<EqlExpression> Keys { get; }

    public EqlTimeSpan? MaxSpan { get; }

    public IReadOnlyList<EqlStep> Steps { get; }

    public EqlStep? Until { get; }
}

/// <summary><c>sample by keys step step ...</c>.</summary>
public sealed class EqlSampleQuery : EqlQuery
{
    public EqlSampleQuery(IReadOnlyList<EqlExpression> keys, IReadOnlyList<EqlStep> steps, int start, int length) : base(start, length)
    {
        Keys = keys;
        Steps = steps;
    }

    public IReadOnlyList<EqlExpression> Keys { get; }

    public IReadOnlyList<EqlStep> Steps { get; }
}

/// <summary>A pipe after the query (<c>| head 10</c>): parsed so it can be reported, never compiled.</summary>
public sealed class EqlPipe : EqlNode
{
    public EqlPipe(string name, int start, int length) : base(start, length) => Name = name;

    public string Name { get; }
}

/// <summary>An expression of the condition language.</summary>
public abstract class EqlExpression : EqlNode
{
    protected EqlExpression(int start, int length) : base(start, length) { }
}

public enum EqlLogicalOperator
{
    And,
    Or,
}

public sealed class EqlLogical : EqlExpression
{
    public EqlLogical(EqlLogicalOperator op, EqlExpression left, EqlExpression right, int start, int length) : base(start, length)
    {
        Operator = op;
        Left = left;
        Right = right;
    }

    public EqlLogicalOperator Operator { get; }

    public EqlExpression Left { get; }

    public EqlExpression Right { get; }
}

public sealed class EqlNot : EqlExpression
{
    public EqlNot(EqlExpression operand, int start, int length) : base(start, length) => Operand = operand;

    public EqlExpression Operand { get; }
}

/// <summary>The comparison operators (<c>:</c> is a comparison with one value, and a lookup with a list).</summary>
public enum EqlComparisonOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

public sealed class EqlComparison : EqlExpression
{
    public EqlComparison(EqlComparisonOperator op, EqlExpression left, EqlExpression right, int operatorStart, int operatorLength, int start, int length)
        : base(start, length)
    {
        Operator = op;
        Left = left;
        Right = right;
        OperatorStart = operatorStart;
        OperatorLength = operatorLength;
    }

    public EqlComparisonOperator Operator { get; }

    public EqlExpression Left { get; }

    public EqlExpression Right { get; }

    public int OperatorStart { get; }

    public int OperatorLength { get; }
}

/// <summary>The pattern and lookup operators that take one value or a parenthesised list.</summary>
public enum EqlMatchOperator
{
    /// <summary><c>:</c>: case-insensitive, wildcards (the same as <c>like~</c>).</summary>
    Colon,
    Like,
    LikeInsensitive,
    Regex,
    RegexInsensitive,
    /// <summary><c>in</c>: case-sensitive exact lookup.</summary>
    In,
    /// <summary><c>in~</c>: case-insensitive exact lookup.</summary>
    InInsensitive,
}

/// <summary><c>x op value</c> or <c>x op (v1, v2, ...)</c>, optionally <c>x not in (...)</c>.</summary>
public sealed class EqlMatch : EqlExpression
{
    public EqlMatch(EqlMatchOperator op, bool negated, EqlExpression operand, IReadOnlyList<EqlExpression> values, bool isList,
        int operatorStart, int operatorLength, int start, int length) : base(start, length)
    {
        Operator = op;
        Negated = negated;
        Operand = operand;
        Values = values;
        IsList = isList;
        OperatorStart = operatorStart;
        OperatorLength = operatorLength;
    }

    public EqlMatchOperator Operator { get; }

    /// <summary><c>not in</c> / <c>not in~</c>.</summary>
    public bool Negated { get; }

    public EqlExpression Operand { get; }

    public IReadOnlyList<EqlExpression> Values { get; }

    public bool IsList { get; }

    public int OperatorStart { get; }

    public int OperatorLength { get; }
}

public enum EqlArithmeticOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

public sealed class EqlArithmetic : EqlExpression
{
    public EqlArithmetic(EqlArithmeticOperator op, EqlExpression left, EqlExpression right, int start, int length) : base(start, length)
    {
        Operator = op;
        Left = left;
        Right = right;
    }

    public EqlArithmeticOperator Operator { get; }

    public EqlExpression Left { get; }

    public EqlExpression Right { get; }
}

/// <summary>Unary minus (unary plus is dropped by the parser).</summary>
public sealed class EqlNegate : EqlExpression
{
    public EqlNegate(EqlExpression operand, int start, int length) : base(start, length) => Operand = operand;

    public EqlExpression Operand { get; }
}

/// <summary>A function call; <see cref="IgnoreCase"/> when written <c>name~(...)</c>.</summary>
public sealed class EqlCall : EqlExpression
{
    public EqlCall(string name, bool ignoreCase, IReadOnlyList<EqlExpression> arguments, int nameLength, int start, int length) : base(start, length)
    {
        Name = name;
        IgnoreCase = ignoreCase;
        Arguments = arguments;
        NameLength = nameLength;
    }

    public string Name { get; }

    public bool IgnoreCase { get; }

    public IReadOnlyList<EqlExpression> Arguments { get; }

    /// <summary>Characters of the name (with its <c>~</c>), for diagnostics about the function itself.</summary>
    public int NameLength { get; }
}

/// <summary>A field reference; <see cref="Optional"/> when written <c>?field</c>.</summary>
public sealed class EqlField : EqlExpression
{
    public EqlField(string path, bool optional, int start, int length) : base(start, length)
    {
        Path = path;
        Optional = optional;
    }

    public string Path { get; }

    public bool Optional { get; }
}

public sealed class EqlString : EqlExpression
{
    public EqlString(string value, bool raw, int start, int length) : base(start, length)
    {
        Value = value;
        Raw = raw;
    }

    /// <summary>The value with escapes resolved.</summary>
    public string Value { get; }

    /// <summary>Written as a <c>"""raw"""</c> string.</summary>
    public bool Raw { get; }
}

public sealed class EqlNumber : EqlExpression
{
    public EqlNumber(string text, bool isInteger, int start, int length) : base(start, length)
    {
        Text = text;
        IsInteger = isInteger;
    }

    public string Text { get; }

    public bool IsInteger { get; }
}

public sealed class EqlBoolean : EqlExpression
{
    public EqlBoolean(bool value, int start, int length) : base(start, length) => Value = value;

    public bool Value { get; }
}

public sealed class EqlNull : EqlExpression
{
    public EqlNull(int start, int length) : base(start, length) { }
}

/// <summary>A parse: the query and its pipes.</summary>
public sealed class EqlStatement
{
    public EqlStatement(EqlQuery query, IReadOnlyList<EqlPipe> pipes)
    {
        Query = query;
        Pipes = pipes;
    }

    public EqlQuery Query { get; }

    public IReadOnlyList<EqlPipe> Pipes { get; }
}

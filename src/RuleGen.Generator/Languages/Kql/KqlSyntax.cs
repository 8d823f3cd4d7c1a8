using System.Collections.Generic;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Kql;

// The KQL syntax tree, as Kibana's kuery grammar (kbn-es-query grammar.peggy) builds it. Positions are character
// offsets in the query text; lowering turns the tree into the shared predicate model.

public abstract class KqlNode
{
    protected KqlNode(int start, int end)
    {
        Start = start;
        End = end;
    }

    public int Start { get; }
    public int End { get; }
}

public enum KqlConnective
{
    And,
    Or,
}

/// <summary><c>a and b and c</c> / <c>a or b</c>.</summary>
public sealed class KqlBooleanQuery : KqlNode
{
    public KqlBooleanQuery(KqlConnective connective, List<KqlNode> operands, int start, int end) : base(start, end)
    {
        Connective = connective;
        Operands = operands;
    }

    public KqlConnective Connective { get; }
    public List<KqlNode> Operands { get; }
}

/// <summary><c>not q</c>.</summary>
public sealed class KqlNotQuery : KqlNode
{
    public KqlNotQuery(KqlNode operand, int start, int end) : base(start, end) => Operand = operand;

    public KqlNode Operand { get; }
}

/// <summary>The empty query, which matches every document.</summary>
public sealed class KqlMatchAll : KqlNode
{
    public KqlMatchAll(int start, int end) : base(start, end) { }
}

/// <summary><c>field: values</c>, or a value with no field (<see cref="Field"/> null: searched in every field).</summary>
public sealed class KqlFieldQuery : KqlNode
{
    public KqlFieldQuery(KqlLiteral? field, KqlValueExpression values, int start, int end) : base(start, end)
    {
        Field = field;
        Values = values;
    }

    public KqlLiteral? Field { get; }
    public KqlValueExpression Values { get; }
}

public enum KqlRangeOperator
{
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary><c>field &lt; value</c> and friends.</summary>
public sealed class KqlRangeQuery : KqlNode
{
    public KqlRangeQuery(KqlLiteral field, KqlRangeOperator op, KqlLiteral value, int start, int end) : base(start, end)
    {
        Field = field;
        Operator = op;
        Value = value;
    }

    public KqlLiteral Field { get; }
    public KqlRangeOperator Operator { get; }
    public KqlLiteral Value { get; }
}

/// <summary><c>field: { query }</c>: one element of <c>field</c> must satisfy the whole inner query.</summary>
public sealed class KqlNestedQuery : KqlNode
{
    public KqlNestedQuery(KqlLiteral field, KqlNode query, int start, int end) : base(start, end)
    {
        Field = field;
        Query = query;
    }

    public KqlLiteral Field { get; }
    public KqlNode Query { get; }
}

/// <summary>The value side of <c>field: ...</c>: a value or a parenthesised list combined with and/or/not.</summary>
public abstract class KqlValueExpression : KqlNode
{
    protected KqlValueExpression(int start, int end) : base(start, end) { }
}

public sealed class KqlValueList : KqlValueExpression
{
    public KqlValueList(KqlConnective connective, List<KqlValueExpression> operands, int start, int end) : base(start, end)
    {
        Connective = connective;
        Operands = operands;
    }

    public KqlConnective Connective { get; }
    public List<KqlValueExpression> Operands { get; }
}

public sealed class KqlValueNot : KqlValueExpression
{
    public KqlValueNot(KqlValueExpression operand, int start, int end) : base(start, end) => Operand = operand;

    public KqlValueExpression Operand { get; }
}

public sealed class KqlValue : KqlValueExpression
{
    public KqlValue(KqlLiteral literal) : base(literal.Start, literal.End) => Literal = literal;

    public KqlLiteral Literal { get; }
}

/// <summary>What an unquoted literal turned out to be.</summary>
public enum KqlLiteralKind
{
    /// <summary>Text (quoted, or unquoted without an unescaped <c>*</c>).</summary>
    Text,
    /// <summary>Unquoted text with at least one unescaped <c>*</c>.</summary>
    Wildcard,
    /// <summary>Unquoted <c>true</c> / <c>false</c>.</summary>
    Boolean,
    /// <summary>Unquoted <c>null</c>.</summary>
    Null,
}

/// <summary>A field name or value, escapes resolved. Quoted literals never hold wildcards.</summary>
public sealed class KqlLiteral : KqlNode
{
    public KqlLiteral(bool quoted, KqlLiteralKind kind, WildcardPattern pattern, int start, int end) : base(start, end)
    {
        Quoted = quoted;
        Kind = kind;
        Pattern = pattern;
    }

    public bool Quoted { get; }
    public KqlLiteralKind Kind { get; }

    /// <summary>The literal as parts (only <see cref="KqlLiteralKind.Wildcard"/> literals have wild parts).</summary>
    public WildcardPattern Pattern { get; }

    /// <summary>The text with wildcards shown as <c>*</c> (for messages and field names).</summary>
    public string Text
    {
        get
        {
            var sb = new StringBuilder();
            foreach (var part in Pattern.Parts) sb.Append(part.Kind == WildcardPartKind.Literal ? part.Literal : "*");
            return sb.ToString();
        }
    }

    /// <summary>A lone unescaped <c>*</c>.</summary>
    public bool IsLoneWildcard => Kind == KqlLiteralKind.Wildcard && Pattern.Parts.Count == 1 && Pattern.Parts[0].Kind == WildcardPartKind.AnyRun;
}

using System.Globalization;
using System.Text;
using RuleGen.Generator.Languages.Kql;

namespace RuleGen.Tests.Kql;

/// <summary>
/// Prints a KQL syntax tree as a compact S-expression, so parser tests can state the whole tree they expect:
/// <c>(and (is 'a' '1') (not (is 'b' w'x*')))</c>. Literals: <c>"quoted"</c>, <c>'unquoted'</c>, <c>w'wild*card'</c>
/// (a literal <c>*</c> in it printed <c>\*</c>), <c>true</c>, <c>false</c>, <c>null</c>; a field-less value has field
/// <c>_</c>; control characters print as <c>\t \r \n \uXXXX</c>.
/// </summary>
public static class KqlTreePrinter
{
    public static string Print(KqlNode node) => node switch
    {
        KqlMatchAll => "(all)",
        KqlBooleanQuery b => "(" + (b.Connective == KqlConnective.And ? "and" : "or") + string.Concat(b.Operands.Select(o => " " + Print(o))) + ")",
        KqlNotQuery n => "(not " + Print(n.Operand) + ")",
        KqlNestedQuery n => "(nested " + Print(n.Field) + " " + Print(n.Query) + ")",
        KqlRangeQuery r => "(range " + Print(r.Field) + " " + Operator(r.Operator) + " " + Print(r.Value) + ")",
        KqlFieldQuery f => "(is " + (f.Field is null ? "_" : Print(f.Field)) + " " + Print(f.Values) + ")",
        KqlValueList l => "(" + (l.Connective == KqlConnective.And ? "and" : "or") + string.Concat(l.Operands.Select(o => " " + Print(o))) + ")",
        KqlValueNot n => "(not " + Print(n.Operand) + ")",
        KqlValue v => Print(v.Literal),
        KqlLiteral l => Literal(l),
        _ => throw new ArgumentException("Unknown node " + node.GetType().Name),
    };

    private static string Operator(KqlRangeOperator op) => op switch
    {
        KqlRangeOperator.LessThan => "<",
        KqlRangeOperator.LessThanOrEqual => "<=",
        KqlRangeOperator.GreaterThan => ">",
        _ => ">=",
    };

    private static string Literal(KqlLiteral literal)
    {
        if (literal.Quoted) return "\"" + Escape(literal.Text) + "\"";
        return literal.Kind switch
        {
            KqlLiteralKind.Boolean => literal.Text,
            KqlLiteralKind.Null => "null",
            KqlLiteralKind.Wildcard => "w'" + Escape(literal.Pattern.ToString()) + "'",
            _ => "'" + Escape(literal.Text) + "'",
        };
    }

    private static string Escape(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            switch (c)
            {
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case '\n': sb.Append("\\n"); break;
                default:
                    if (char.IsControl(c) || char.IsWhiteSpace(c) && c != ' ' || c > '\u007e')
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}

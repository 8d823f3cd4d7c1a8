using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;

namespace RuleGen.Generator.Emit;

/// <summary>
/// Emits each <see cref="ExpressionPredicate"/> of a scope as a method that loops over every combination of its
/// fields' values (a field without values contributes one null) and evaluates the expression with the runtime's
/// <c>Eql</c> functions, returning true at the first combination that makes it true. Computed text lives in the
/// thread's <c>EqlScratch</c>, rewound after each combination, so nothing is allocated per event.
/// </summary>
internal sealed class ExpressionEmitter
{
    private const string Rt = ConditionEmitter.Rt;

    private readonly RuleFields _fields;
    private readonly Func<ValueMatcher, string> _matcherStatic;
    private readonly Func<string, string, string, string> _static;
    private readonly List<(string Name, ExpressionPredicate Predicate)> _methods = new();

    /// <param name="matcherStatic">Declares the static object a set, wildcard or regex matcher needs; returns its name.</param>
    /// <param name="static">Declares a static field (type, name prefix, initializer); returns its name.</param>
    public ExpressionEmitter(RuleFields fields, Func<ValueMatcher, string> matcherStatic, Func<string, string, string, string> @static)
    {
        _fields = fields;
        _matcherStatic = matcherStatic;
        _static = @static;
    }

    public bool IsEmpty => _methods.Count == 0;

    /// <summary>Registers the predicate and returns the call that evaluates it.</summary>
    public string Call(ExpressionPredicate predicate)
    {
        var name = "Expression" + _methods.Count;
        _methods.Add((name, predicate));
        return $"{name}(in ev)";
    }

    /// <summary>Writes the registered methods (call after every <see cref="Call"/>).</summary>
    public void EmitMethods(SourceWriter w)
    {
        for (var m = 0; m < _methods.Count; m++)
        {
            var (name, predicate) = _methods[m];
            var fields = ValueExpressions.Fields(predicate.Condition);
            var variables = new Dictionary<FieldRef, string>();
            for (var i = 0; i < fields.Count; i++) variables[fields[i].Field] = "v" + i;
            var body = Value(predicate.Condition, variables);

            w.Line();
            w.Line($"// {Literals.Comment(ExpressionText.Describe(predicate.Condition))}");
            w.Line(fields.Count <= 1
                ? "// holds when it is true for some value of the field (null when the field has none)."
                : "// holds when it is true for some combination of the fields' values (null for a field without values).");
            using (w.Block($"private static bool {name}(scoped in {Rt}EventView ev)"))
            {
                w.Line($"var scratch = {Rt}EqlScratch.ForCurrentThread();");
                w.Line("var start = scratch.Position;");
                using (w.Block("try"))
                {
                    var blocks = new List<IDisposable>();
                    for (var i = 0; i < fields.Count; i++)
                    {
                        var f = fields[i];
                        w.Line($"// {Literals.Comment(f.Field.ToString())}, read as {KindName(f.Kind)}");
                        blocks.Add(w.Block($"foreach (var v{i} in ev.EqlValues({_fields.SlotOf(f.Field)}, {Rt}EqlFieldKind.{f.Kind}, scratch))"));
                    }
                    w.Line("var mark = scratch.Position;");
                    w.Line($"var holds = {body}.IsTrue;");
                    w.Line("scratch.Position = mark;");
                    w.Line("if (holds) return true;");
                    for (var i = blocks.Count - 1; i >= 0; i--) blocks[i].Dispose();
                    w.Line("return false;");
                }
                using (w.Block("finally"))
                {
                    w.Line("scratch.Position = start;");
                }
            }
        }
    }

    private static string KindName(FieldValueKind kind) => kind switch
    {
        FieldValueKind.Keyword => "keyword text",
        FieldValueKind.Integer => "integers",
        FieldValueKind.Float => "numbers",
        FieldValueKind.Boolean => "booleans",
        _ => "IP addresses",
    };

    private string Value(ValueExpression expression, Dictionary<FieldRef, string> variables)
    {
        switch (expression)
        {
            case FieldExpression field:
                return variables[field.Field];
            case LiteralExpression literal:
                return Literal(literal);
            case ComparisonExpression comparison:
                return $"{Rt}Eql.Compare({Value(comparison.Left, variables)}, {Value(comparison.Right, variables)}, {Rt}EqlComparison.{comparison.Operator})";
            case MatchExpression match:
                return Match(Value(match.Operand, variables), match.Matcher);
            case FunctionExpression call:
                return Call(call, variables);
            default:
                throw new NotSupportedException("No emitter for expression " + expression.GetType().Name);
        }
    }

    private static string Literal(LiteralExpression literal) => literal.Type switch
    {
        ScalarType.Null => $"{Rt}EqlValue.Null",
        ScalarType.Boolean => literal.Text == "true" ? $"{Rt}EqlValue.True" : $"{Rt}EqlValue.False",
        ScalarType.Integer => $"{Rt}EqlValue.Of({literal.Text}L)",
        ScalarType.Float => $"{Rt}EqlValue.Of({Literals.Double(literal.Text)})",
        _ => $"{Rt}EqlValue.Of({Literals.Utf8(literal.Text)})",
    };

    private string Match(string operand, ValueMatcher matcher)
    {
        switch (matcher)
        {
            case StringMatcher s:
            {
                var ignoreCase = s.Case == CaseMode.IgnoreAsciiCase;
                var value = ignoreCase ? Literals.AsciiLower(s.Value) : s.Value;
                return $"{Rt}Eql.MatchesText({operand}, {Rt}TextRelation.{s.Operation}, {Literals.Utf8(value)}, {Literals.Bool(ignoreCase)})";
            }
            case StringSetMatcher:
                return $"{Rt}Eql.MatchesSet({operand}, {_matcherStatic(matcher)})";
            case WildcardMatcher:
                return $"{Rt}Eql.MatchesWildcard({operand}, {_matcherStatic(matcher)})";
            case RegexMatcher:
                return $"{Rt}Eql.MatchesRegex({operand}, {_matcherStatic(matcher)})";
            default:
                throw new NotSupportedException("No expression emitter for matcher " + matcher.GetType().Name);
        }
    }

    private string Call(FunctionExpression call, Dictionary<FieldRef, string> variables)
    {
        var args = call.Arguments.Select(a => Value(a, variables)).ToList();
        var ignoreCase = Literals.Bool(call.IgnoreCase);
        switch (call.Function)
        {
            case ScalarFunction.Add:
            case ScalarFunction.Subtract:
            case ScalarFunction.Multiply:
            case ScalarFunction.Divide:
            case ScalarFunction.Modulo:
                return $"{Rt}Eql.{call.Function}({args[0]}, {args[1]})";
            case ScalarFunction.Negate:
            case ScalarFunction.IsNull:
            case ScalarFunction.IsNotNull:
            case ScalarFunction.Length:
                return $"{Rt}Eql.{call.Function}({args[0]})";
            case ScalarFunction.StartsWith:
            case ScalarFunction.EndsWith:
            case ScalarFunction.StringContains:
                return $"{Rt}Eql.{call.Function}({args[0]}, {args[1]}, {ignoreCase})";
            case ScalarFunction.IndexOf:
                return args.Count == 3
                    ? $"{Rt}Eql.IndexOf({args[0]}, {args[1]}, {args[2]}, {ignoreCase})"
                    : $"{Rt}Eql.IndexOf({args[0]}, {args[1]}, {ignoreCase})";
            case ScalarFunction.Substring:
                return args.Count == 3
                    ? $"{Rt}Eql.Substring({args[0]}, {args[1]}, {args[2]})"
                    : $"{Rt}Eql.Substring({args[0]}, {args[1]})";
            case ScalarFunction.Between:
            {
                var greedy = call.Arguments.Count == 4 && call.Arguments[3] is LiteralExpression { Type: ScalarType.Boolean, Text: "true" };
                return $"{Rt}Eql.Between({args[0]}, {args[1]}, {args[2]}, {Literals.Bool(greedy)}, {ignoreCase})";
            }
            case ScalarFunction.Concat:
            {
                var result = $"{Rt}Eql.String({args[0]}, scratch)";
                if (args.Count > 1)
                {
                    result = args[0];
                    for (var i = 1; i < args.Count; i++) result = $"{Rt}Eql.Concat({result}, {args[i]}, scratch)";
                }
                return result;
            }
            case ScalarFunction.String:
                return $"{Rt}Eql.String({args[0]}, scratch)";
            case ScalarFunction.Number:
            {
                var radix = call.Arguments.Count == 2 && call.Arguments[1] is LiteralExpression { Type: ScalarType.Integer } r ? r.Text : "0";
                return $"{Rt}Eql.Number({args[0]}, {radix})";
            }
            case ScalarFunction.CidrMatch:
            {
                var networks = call.Arguments.Skip(1).Cast<LiteralExpression>().ToList();
                if (networks.Any(n => n.Type == ScalarType.Null)) return $"{Rt}EqlValue.Null";
                var name = _static($"{Rt}IpNetworkSet", "networks", $"new({string.Join(", ", networks.Select(n => Literals.String(n.Text)))})");
                return $"{Rt}Eql.CidrMatch({args[0]}, {name})";
            }
            default:
                throw new NotSupportedException("No emitter for function " + call.Function);
        }
    }
}

/// <summary>Writes an expression back as EQL-like text, for comments in generated code.</summary>
public static class ExpressionText
{
    public static string Describe(ValueExpression expression) => expression switch
    {
        FieldExpression f => f.Field.ToString(),
        LiteralExpression { Type: ScalarType.Null } => "null",
        LiteralExpression { Type: ScalarType.String } l => "\"" + l.Text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
        LiteralExpression l => l.Text,
        ComparisonExpression c => $"{Describe(c.Left)} {Operator(c.Operator)} {Describe(c.Right)}",
        MatchExpression m => $"{Describe(m.Operand)} {PredicateDescriber.Describe(m.Matcher)}",
        FunctionExpression { Function: ScalarFunction.IsNull } n => $"{Describe(n.Arguments[0])} == null",
        FunctionExpression { Function: ScalarFunction.IsNotNull } n => $"{Describe(n.Arguments[0])} != null",
        FunctionExpression { Function: ScalarFunction.Negate } n => $"-{Describe(n.Arguments[0])}",
        FunctionExpression call => $"{FunctionName(call.Function)}{(call.IgnoreCase ? "~" : "")}({string.Join(", ", call.Arguments.Select(Describe))})",
        _ => expression.GetType().Name,
    };

    private static string FunctionName(ScalarFunction function)
    {
        var name = function.ToString();
        return char.ToLowerInvariant(name[0]) + name.Substring(1);
    }

    private static string Operator(ValueComparison op) => op switch
    {
        ValueComparison.Equal => "==",
        ValueComparison.NotEqual => "!=",
        ValueComparison.LessThan => "<",
        ValueComparison.LessThanOrEqual => "<=",
        ValueComparison.GreaterThan => ">",
        _ => ">=",
    };
}

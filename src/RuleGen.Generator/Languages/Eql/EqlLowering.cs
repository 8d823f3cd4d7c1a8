using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Eql;

/// <summary>What an EQL rule says around its query: the fields that give events their category and order.</summary>
/// <param name="CategoryField">The event category field (<c>event.category</c>, or the rule's <c>event_category_override</c>).</param>
/// <param name="TimestampField">The field that orders a sequence's events (<c>timestamp_field</c>, default <c>@timestamp</c>).</param>
/// <param name="TiebreakerField">Orders events with equal timestamps (<c>tiebreaker_field</c>), or null.</param>
/// <param name="LookbackNanos">The rule's look-back (Kibana's <c>from</c>), which bounds how long join state lives without maxspan.</param>
public sealed record EqlRuleOptions(string CategoryField, string TimestampField, string? TiebreakerField, long LookbackNanos, IEqlFieldTypes Types)
{
    /// <summary>Kibana's default look-back, <c>from = "now-6m"</c>.</summary>
    public const long DefaultLookbackNanos = 6L * 60 * 1_000_000_000;

    public static EqlRuleOptions Default { get; } = new("event.category", "@timestamp", null, DefaultLookbackNanos, ResolvedEqlFieldTypes.BuiltIn);
}

/// <summary>
/// Lowers EQL into the shared predicate model with Elasticsearch's semantics: a single-event query becomes a
/// <see cref="Predicate"/>; a sequence or sample becomes a <see cref="SequenceModel"/> whose steps are predicates.
/// </summary>
/// <remarks>
/// Field tests with constants become field matchers (the fast path), chosen by the field's Elasticsearch type:
/// keyword fields compare text exactly (numbers and booleans by their JSON text), numeric fields compare numbers
/// (numeric strings coerced), boolean fields booleans, ip fields addresses (CIDR blocks allowed). <c>==</c>,
/// <c>!=</c>, <c>in</c>, <c>like</c> and <c>regex</c> are case-sensitive; <c>:</c>, <c>in~</c>, <c>like~</c>,
/// <c>regex~</c> and <c>fn~()</c> fold ASCII case; only <c>:</c> and <c>like</c> expand <c>*</c> and <c>?</c>.
/// Everything else (functions over fields, arithmetic) becomes an <see cref="ExpressionPredicate"/>, evaluated over
/// every combination of the fields' values as Elasticsearch's scripts are. Negation is two-valued (a bool query's
/// must_not): <c>x != "a"</c> holds when <c>x</c> is missing.
/// </remarks>
public sealed class EqlLowering
{
    private readonly Func<int, int, SourceLocation> _locate;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly EqlRuleOptions _options;
    private readonly string _text;

    private EqlLowering(string text, Func<int, int, SourceLocation> locate, List<DiagnosticInfo> diagnostics, EqlRuleOptions options)
    {
        _text = text;
        _locate = locate;
        _diagnostics = diagnostics;
        _options = options;
    }

    /// <summary>The lowered query: a single-event condition, or a sequence / sample (one of the two, or neither on error).</summary>
    public sealed record Result(Predicate? Condition, SequenceModel? Sequence);

    /// <summary>
    /// Parses and lowers <paramref name="query"/>; <paramref name="locate"/> maps a span of the query to the rule
    /// file. Problems are added to <paramref name="diagnostics"/> (RG03xx) at the offending token.
    /// </summary>
    public static Result Compile(string query, Func<int, int, SourceLocation> locate, List<DiagnosticInfo> diagnostics, EqlRuleOptions options)
    {
        var (statement, error) = EqlParser.Parse(query);
        if (statement is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EqlSyntax, locate(error!.Start, error.Length), error.Message));
            return new Result(null, null);
        }
        var lowering = new EqlLowering(query, locate, diagnostics, options);
        var before = diagnostics.Count(d => d.IsError);
        foreach (var pipe in statement.Pipes)
        {
            var reason = pipe.Name is "head" or "tail"
                ? "it limits the results of one search, and RuleGen evaluates events as a stream: remove it"
                : "Elasticsearch EQL does not support it either (its only pipes are head and tail): remove it";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EqlUnsupportedPipe, locate(pipe.Start, pipe.Length), pipe.Name, reason));
        }
        Result result;
        try
        {
            result = statement.Query switch
            {
                EqlEventQuery e => new Result(lowering.LowerEventQuery(e), null),
                EqlSequenceQuery s => new Result(null, lowering.LowerSequence(s)),
                EqlSampleQuery s => new Result(null, lowering.LowerSample(s)),
                _ => new Result(null, null),
            };
        }
        catch (LoweringException)
        {
            result = new Result(null, null);
        }
        if (diagnostics.Count(d => d.IsError) > before) return new Result(null, null);
        return result;
    }

    /// <summary>Thrown after a diagnostic was reported, to abandon the current subtree.</summary>
    private sealed class LoweringException : Exception
    {
    }

    private LoweringException Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, EqlNode at, params string[] arguments) =>
        Report(descriptor, at.Start, at.Length, arguments);

    private LoweringException Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, int start, int length, params string[] arguments)
    {
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, _locate(start, length), arguments));
        return new LoweringException();
    }

    private string Source(EqlNode node) => _text.Substring(node.Start, Math.Min(node.Length, _text.Length - node.Start));

    // ---------------------------------------------------------------------------------------------------------
    // Queries

    private Predicate LowerEventQuery(EqlEventQuery query)
    {
        var condition = LowerCondition(query.Condition);
        if (query.Category is null) return condition;
        var category = new FieldPredicate(FieldRef.Of(_options.CategoryField), Matchers.Exact(query.Category, CaseMode.Sensitive, ValueKinds.Scalars));
        return And(category, condition);
    }

    private SequenceModel LowerSequence(EqlSequenceQuery query)
    {
        var shared = query.Keys.Select(JoinKeyOf).ToList();
        var steps = new List<SequenceStep>();
        var positions = 0;
        foreach (var step in query.Steps)
        {
            var runs = 1;
            if (step.Runs is { } runsNode)
            {
                if (!int.TryParse(runsNode.Text, NumberStyles.None, CultureInfo.InvariantCulture, out runs) || runs < 1 || runs > 100)
                    throw Report(DiagnosticDescriptors.EqlInvalidSequence, runsNode, $"'runs' must be between 1 and 100, not {runsNode.Text}");
            }
            positions += runs;
            steps.Add(LowerStep(step, shared, runs));
        }
        SequenceStep? until = query.Until is null ? null : LowerStep(query.Until, shared, 1);
        CheckKeyCounts(query.Steps, query.Until, steps, until);
        if (positions < 2)
            throw Report(DiagnosticDescriptors.EqlInvalidSequence, query.Steps[0], "a sequence needs at least two steps (or one step with runs=2 or more)");
        if (steps.All(s => s.Missing))
            throw Report(DiagnosticDescriptors.EqlInvalidSequence, query.Steps[0], "a sequence needs at least one step that is not a missing-event step");
        if (steps.Any(s => s.Missing) && query.MaxSpan is null)
        {
            var missing = query.Steps.First(s => s.Missing);
            throw Report(DiagnosticDescriptors.EqlInvalidSequence, missing.Start, 2, "a sequence with missing-event steps ![...] needs 'with maxspan=...' after 'sequence'");
        }
        return new SequenceModel(SequenceKind.Sequence, steps.ToEquatableArray(), until, query.MaxSpan?.Nanoseconds ?? 0, _options.LookbackNanos,
            FieldRef.Of(_options.TimestampField), _options.TiebreakerField is null ? null : FieldRef.Of(_options.TiebreakerField));
    }

    private SequenceModel LowerSample(EqlSampleQuery query)
    {
        var shared = query.Keys.Select(JoinKeyOf).ToList();
        var steps = query.Steps.Select(s => LowerStep(s, shared, 1)).ToList();
        CheckKeyCounts(query.Steps, null, steps, null);
        return new SequenceModel(SequenceKind.Sample, steps.ToEquatableArray(), null, 0, _options.LookbackNanos,
            FieldRef.Of(_options.TimestampField), _options.TiebreakerField is null ? null : FieldRef.Of(_options.TiebreakerField));
    }

    private void CheckKeyCounts(IReadOnlyList<EqlStep> syntax, EqlStep? untilSyntax, List<SequenceStep> steps, SequenceStep? until)
    {
        var expected = steps[0].Keys.Count;
        for (var i = 1; i < steps.Count; i++)
        {
            if (steps[i].Keys.Count != expected)
                throw Report(DiagnosticDescriptors.EqlInvalidSequence, syntax[i], $"every step must have the same number of join keys: the first has {expected}, this one {steps[i].Keys.Count}");
        }
        if (until is not null && until.Keys.Count != expected)
            throw Report(DiagnosticDescriptors.EqlInvalidSequence, untilSyntax!, $"the until step must have as many join keys as the steps ({expected}), not {until.Keys.Count}");
    }

    private SequenceStep LowerStep(EqlStep step, List<JoinKey> shared, int runs)
    {
        var condition = LowerEventQuery(step.Query);
        var keys = shared.Concat(step.Keys.Select(JoinKeyOf)).ToEquatableArray();
        return new SequenceStep(condition, keys, runs, step.Missing, Source(step));
    }

    private JoinKey JoinKeyOf(EqlExpression key)
    {
        if (key is EqlField field) return new JoinKey(Ref(field.Path), field.Optional);
        throw Report(DiagnosticDescriptors.EqlUnsupported, key, $"join keys must be fields, not '{Source(key)}'");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Conditions

    private Predicate LowerCondition(EqlExpression expression)
    {
        switch (expression)
        {
            case EqlLogical logical:
                return LowerChain(logical);
            case EqlNot not:
                return Not(LowerCondition(not.Operand));
            case EqlBoolean b:
                return b.Value ? ConstantPredicate.True : ConstantPredicate.False;
            case EqlNull:
                return ConstantPredicate.False;
            case EqlComparison comparison:
                return LowerComparison(comparison);
            case EqlMatch match:
                return LowerMatch(match);
            case EqlCall call:
                return LowerCallCondition(call);
            case EqlField field:
            {
                var type = TypeOf(field.Path);
                if (type == EqlFieldType.Boolean)
                    return new FieldPredicate(Ref(field.Path), new BooleanMatcher(true, AcceptStrings: true));
                throw Report(DiagnosticDescriptors.EqlArgumentType, field,
                    $"'{field.Path}' is not a boolean field, so it is not a condition by itself: compare it, e.g. {field.Path} != null");
            }
            default:
                throw Report(DiagnosticDescriptors.EqlArgumentType, expression, $"'{Source(expression)}' is not a condition: it does not give true or false");
        }
    }

    /// <summary>
    /// A chain of one operator (<c>a and b and c ...</c>, however parenthesised) as one flat predicate, its operands
    /// lowered left to right. Built once: folding the chain pair by pair copied the operands so far at every step,
    /// quadratic in its length (10,000 <c>and</c>s took seconds, found by the rule-file fuzzer).
    /// </summary>
    private Predicate LowerChain(EqlLogical chain)
    {
        var operands = new List<Predicate>();
        var pending = new Stack<EqlExpression>();
        pending.Push(chain);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (next is EqlLogical link && link.Operator == chain.Operator)
            {
                pending.Push(link.Right);
                pending.Push(link.Left);
                continue;
            }
            var operand = LowerCondition(next);
            if (chain.Operator == EqlLogicalOperator.And)
            {
                if (operand is ConstantPredicate { Value: true }) continue;
                if (operand is AndPredicate and) operands.AddRange(and.Operands);
                else operands.Add(operand);
            }
            else if (operand is OrPredicate or) operands.AddRange(or.Operands);
            else operands.Add(operand);
        }
        if (chain.Operator == EqlLogicalOperator.Or) return new OrPredicate(operands.ToEquatableArray());
        return operands.Count switch
        {
            0 => ConstantPredicate.True,
            1 => operands[0],
            _ => new AndPredicate(operands.ToEquatableArray()),
        };
    }

    private static Predicate And(Predicate left, Predicate right)
    {
        if (left is ConstantPredicate { Value: true }) return right;
        if (right is ConstantPredicate { Value: true }) return left;
        var operands = new List<Predicate>();
        foreach (var p in new[] { left, right })
        {
            if (p is AndPredicate and) operands.AddRange(and.Operands);
            else operands.Add(p);
        }
        return new AndPredicate(operands.ToEquatableArray());
    }

    private static Predicate Not(Predicate operand) => operand switch
    {
        NotPredicate not => not.Operand,
        ConstantPredicate c => c.Value ? ConstantPredicate.False : ConstantPredicate.True,
        _ => new NotPredicate(operand),
    };

    private EqlFieldType TypeOf(string field) => _options.Types.TypeOf(field);

    /// <summary>The field as the event holds it (a declared multi-field such as <c>file_name.keyword</c> reads <c>file_name</c>).</summary>
    private FieldRef Ref(string field) => FieldRef.Of(_options.Types.PathOf(field));

    // ---------------------------------------------------------------------------------------------------------
    // Comparisons: field OP constant is a matcher; anything else an expression.

    private Predicate LowerComparison(EqlComparison comparison)
    {
        var left = Value(comparison.Left);
        var right = Value(comparison.Right);
        var op = comparison.Operator;

        // x == null / x != null: "no value" and "some value" (eql Optimizer ReplaceNullChecks).
        if (left.IsNullLiteral || right.IsNullLiteral)
        {
            var other = left.IsNullLiteral ? right : left;
            if (other.IsNullLiteral || op is not (EqlComparisonOperator.Equal or EqlComparisonOperator.NotEqual)) return ConstantPredicate.False;
            if (other.Syntax is EqlField field)
            {
                var exists = new ExistsPredicate(Ref(field.Path), ExistenceKind.NonNullValue);
                return op == EqlComparisonOperator.Equal ? Not(exists) : exists;
            }
            var check = op == EqlComparisonOperator.Equal ? ScalarFunction.IsNull : ScalarFunction.IsNotNull;
            return new ExpressionPredicate(new FunctionExpression(check, false, EquatableArray.Create(other.Expression)));
        }

        if (left.HasFields && right.HasFields)
        {
            throw Report(DiagnosticDescriptors.EqlUnsupported, comparison,
                "Elasticsearch EQL cannot compare a field with another field (even through functions): compare each with a constant, or use a function such as startsWith(a, b) or stringContains(a, b)");
        }

        // Orient as field OP constant.
        if (right.Syntax is EqlField && left.Constant is not null)
        {
            (left, right) = (right, left);
            op = Flip(op);
        }
        if (left.Syntax is EqlField fieldSyntax && right.Constant is { } constant)
        {
            var predicate = FieldComparison(fieldSyntax, op == EqlComparisonOperator.NotEqual ? EqlComparisonOperator.Equal : op, constant, comparison);
            return op == EqlComparisonOperator.NotEqual ? Not(predicate) : predicate;
        }

        CheckComparable(left, right, comparison);
        return new ExpressionPredicate(new ComparisonExpression(ToValueComparison(op), left.Expression, right.Expression));
    }

    private static EqlComparisonOperator Flip(EqlComparisonOperator op) => op switch
    {
        EqlComparisonOperator.LessThan => EqlComparisonOperator.GreaterThan,
        EqlComparisonOperator.LessThanOrEqual => EqlComparisonOperator.GreaterThanOrEqual,
        EqlComparisonOperator.GreaterThan => EqlComparisonOperator.LessThan,
        EqlComparisonOperator.GreaterThanOrEqual => EqlComparisonOperator.LessThanOrEqual,
        _ => op,
    };

    private static ValueComparison ToValueComparison(EqlComparisonOperator op) => op switch
    {
        EqlComparisonOperator.Equal => ValueComparison.Equal,
        EqlComparisonOperator.NotEqual => ValueComparison.NotEqual,
        EqlComparisonOperator.LessThan => ValueComparison.LessThan,
        EqlComparisonOperator.LessThanOrEqual => ValueComparison.LessThanOrEqual,
        EqlComparisonOperator.GreaterThan => ValueComparison.GreaterThan,
        _ => ValueComparison.GreaterThanOrEqual,
    };

    private static ComparisonOperator ToRange(EqlComparisonOperator op) => op switch
    {
        EqlComparisonOperator.LessThan => ComparisonOperator.LessThan,
        EqlComparisonOperator.LessThanOrEqual => ComparisonOperator.LessThanOrEqual,
        EqlComparisonOperator.GreaterThan => ComparisonOperator.GreaterThan,
        EqlComparisonOperator.GreaterThanOrEqual => ComparisonOperator.GreaterThanOrEqual,
        _ => ComparisonOperator.Equal,
    };

    private static string Describe(ScalarType? type) => type switch
    {
        ScalarType.String => "a string",
        ScalarType.Integer => "an integer",
        ScalarType.Float => "a number",
        ScalarType.Boolean => "a boolean",
        ScalarType.Null => "null",
        _ => "a value",
    };

    private void CheckComparable(Operand left, Operand right, EqlNode at)
    {
        if (left.Type is null || right.Type is null) return;
        var a = left.Type.Value;
        var b = right.Type.Value;
        var numeric = a is ScalarType.Integer or ScalarType.Float && b is ScalarType.Integer or ScalarType.Float;
        if (a != b && !numeric)
        {
            throw Report(DiagnosticDescriptors.EqlArgumentType, at,
                $"cannot compare {Describe(a)} ('{Source(left.Syntax)}') with {Describe(b)} ('{Source(right.Syntax)}')");
        }
    }

    /// <summary><c>field OP constant</c> (OP is never NotEqual here) as a field matcher for the field's type.</summary>
    private Predicate FieldComparison(EqlField fieldSyntax, EqlComparisonOperator op, LiteralExpression constant, EqlNode at)
    {
        var field = Ref(fieldSyntax.Path);
        var type = TypeOf(fieldSyntax.Path);
        var equality = op == EqlComparisonOperator.Equal;
        switch (type)
        {
            case EqlFieldType.Text:
                throw Report(DiagnosticDescriptors.EqlUnsupported, fieldSyntax,
                    $"'{fieldSyntax.Path}' is a text field, which Elasticsearch EQL does not search (text fields are analysed): use a keyword field, or a KQL rule");
            case EqlFieldType.Integer:
            case EqlFieldType.Float:
            {
                var number = NumberOf(constant);
                if (number is null)
                    throw Report(DiagnosticDescriptors.EqlArgumentType, at, $"'{fieldSyntax.Path}' is a numeric field: compare it with a number, not {Describe(constant.Type)}");
                return new FieldPredicate(field, new NumberMatcher(ToRange(op), number, AcceptNumericStrings: true));
            }
            case EqlFieldType.Boolean:
            {
                bool? value = constant.Type == ScalarType.Boolean ? constant.Text == "true"
                    : constant.Type == ScalarType.String && constant.Text is "true" or "false" ? constant.Text == "true" : null;
                if (value is null || !equality)
                    throw Report(DiagnosticDescriptors.EqlArgumentType, at, $"'{fieldSyntax.Path}' is a boolean field: compare it with == true or == false");
                return new FieldPredicate(field, new BooleanMatcher(value.Value, AcceptStrings: true));
            }
            case EqlFieldType.Ip:
            {
                if (!equality)
                    throw Report(DiagnosticDescriptors.EqlUnsupported, at, $"'{fieldSyntax.Path}' is an ip field: ranges over addresses are not supported; use cidrMatch({fieldSyntax.Path}, \"10.0.0.0/8\")");
                if (constant.Type != ScalarType.String || !IpText.IsNetwork(constant.Text))
                    throw Report(DiagnosticDescriptors.EqlArgumentType, at, $"'{fieldSyntax.Path}' is an ip field: compare it with an IP address or CIDR block such as \"10.0.0.1\" or \"10.0.0.0/8\"");
                return new FieldPredicate(field, new CidrMatcher(EquatableArray.Create(constant.Text)));
            }
            case EqlFieldType.Date:
                return DateTerm(fieldSyntax, field, ToRange(op), constant, at);
            case EqlFieldType.Unknown:
                if (constant.Type is ScalarType.Integer or ScalarType.Float)
                    return new FieldPredicate(field, new NumberMatcher(ToRange(op), NumberOf(constant)!, AcceptNumericStrings: true));
                if (constant.Type == ScalarType.Boolean && equality)
                    return new FieldPredicate(field, new BooleanMatcher(constant.Text == "true", AcceptStrings: true));
                goto default;
            default:
                // keyword family (and date, object, unknown strings): the value's text, byte for byte.
                if (equality) return new FieldPredicate(field, Matchers.Exact(constant.Text, CaseMode.Sensitive, ValueKinds.Scalars));
                return new FieldPredicate(field, new TextRangeMatcher(ToRange(op), constant.Text, ValueKinds.Scalars));
        }
    }

    /// <summary>
    /// <c>date OP constant</c>: Elasticsearch runs a term or range query on the date field, which parses the constant
    /// as a date (or date math, whose <c>now</c> is the event's timestamp field), the same as KQL's date tests.
    /// </summary>
    private Predicate DateTerm(EqlField fieldSyntax, FieldRef field, ComparisonOperator op, LiteralExpression constant, EqlNode at)
    {
        if (constant.Type is not (ScalarType.String or ScalarType.Integer))
            throw Report(DiagnosticDescriptors.EqlArgumentType, at, $"'{fieldSyntax.Path}' is a date field: compare it with a date such as \"2024-01-31T12:00:00Z\" or epoch milliseconds, not {Describe(constant.Type)}");
        if (!global::RuleGen.Generator.FieldTypes.DateQueries.TryCreate(field, op, constant.Text, new[] { _options.TimestampField }, out var predicate, out var error))
            throw Report(DiagnosticDescriptors.EqlArgumentType, at, $"'{fieldSyntax.Path}' is a date field, and \"{constant.Text}\" is not a date Elasticsearch accepts: {error}");
        return predicate;
    }

    private static string? NumberOf(LiteralExpression constant)
    {
        switch (constant.Type)
        {
            case ScalarType.Integer:
            case ScalarType.Float:
                return Languages.Kql.NumberText.TryNormalize(constant.Text, out var n) ? n : null;
            case ScalarType.String:
                return Languages.Kql.NumberText.TryNormalize(constant.Text, out var s) ? s : null;
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Lookups and patterns: in, in~, :, like, like~, regex, regex~

    private Predicate LowerMatch(EqlMatch match)
    {
        var predicate = LowerMatchPositive(match);
        return match.Negated ? Not(predicate) : predicate;
    }

    private Predicate LowerMatchPositive(EqlMatch match)
    {
        // x : null is a null test, as with == (Elasticsearch's QA query equalsNullHead: bad_field : null matches every
        // event without bad_field). null : (a > 1) does not parse here: a parenthesis after : starts a list of constants.
        if (match.Operator == EqlMatchOperator.Colon && !match.IsList && match.Values.Count == 1 && (match.Operand is EqlNull || match.Values[0] is EqlNull))
        {
            return LowerComparison(new EqlComparison(EqlComparisonOperator.Equal, match.Operand, match.Values[0],
                match.OperatorStart, match.OperatorLength, match.Start, match.Length));
        }
        var operand = Value(match.Operand);
        var constants = new List<(LiteralExpression Value, EqlExpression Syntax)>();
        foreach (var value in match.Values)
        {
            var v = Value(value);
            if (v.Constant is null)
                throw Report(DiagnosticDescriptors.EqlUnsupported, value, $"the values of '{OperatorText(match.Operator)}' must be constants, not '{Source(value)}'");
            constants.Add((v.Constant, value));
        }

        var lookup = match.Operator is EqlMatchOperator.In or EqlMatchOperator.InInsensitive;
        var caseMode = match.Operator is EqlMatchOperator.Colon or EqlMatchOperator.LikeInsensitive or EqlMatchOperator.RegexInsensitive or EqlMatchOperator.InInsensitive
            ? CaseMode.IgnoreAsciiCase : CaseMode.Sensitive;

        if (operand.Syntax is EqlField fieldSyntax)
        {
            var field = Ref(fieldSyntax.Path);
            var type = TypeOf(fieldSyntax.Path);
            if (type == EqlFieldType.Text)
                throw Report(DiagnosticDescriptors.EqlUnsupported, fieldSyntax,
                    $"'{fieldSyntax.Path}' is a text field, which Elasticsearch EQL does not search (text fields are analysed): use a keyword field, or a KQL rule");
            if (lookup) return FieldLookup(field, fieldSyntax, type, constants, caseMode);
            if (type is EqlFieldType.Integer or EqlFieldType.Float or EqlFieldType.Boolean or EqlFieldType.Ip)
            {
                throw Report(DiagnosticDescriptors.EqlArgumentType, match.OperatorStart, match.OperatorLength,
                    $"'{OperatorText(match.Operator)}' compares strings, and '{fieldSyntax.Path}' is a {TypeName(type)} field: use == or in (...)");
            }
            var matchers = PatternMatchers(match, constants, caseMode, ValueKinds.Scalars);
            return AnyOf(matchers.Select(m => (Predicate)new FieldPredicate(field, m)));
        }

        // A computed operand: the same tests over the expression's value.
        if (lookup)
        {
            if (operand.Type == ScalarType.String || operand.Type is null && constants.All(c => c.Value.Type == ScalarType.String))
            {
                var values = constants.Where(c => c.Value.Type != ScalarType.Null).Select(c => c.Value.Text).ToList();
                ValueMatcher set = values.Count == 1 ? Matchers.Exact(values[0], caseMode, ValueKinds.String) : new StringSetMatcher(values.ToEquatableArray(), caseMode, ValueKinds.String);
                return new ExpressionPredicate(new MatchExpression(operand.Expression, set));
            }
            return AnyOf(constants.Select(c =>
            {
                CheckComparable(operand, new Operand(c.Value, c.Value.Type, false, c.Syntax), c.Syntax);
                return (Predicate)new ExpressionPredicate(new ComparisonExpression(ValueComparison.Equal, operand.Expression, c.Value));
            }));
        }
        if (operand.Type is not null and not ScalarType.String)
            throw Report(DiagnosticDescriptors.EqlArgumentType, match.Operand, $"'{OperatorText(match.Operator)}' compares strings, and '{Source(match.Operand)}' is {Describe(operand.Type)}");
        return AnyOf(PatternMatchers(match, constants, caseMode, ValueKinds.String).Select(m => (Predicate)new ExpressionPredicate(new MatchExpression(operand.Expression, m))));
    }

    private static string TypeName(EqlFieldType type) => type switch
    {
        EqlFieldType.Integer => "integer",
        EqlFieldType.Float => "floating-point",
        EqlFieldType.Boolean => "boolean",
        EqlFieldType.Ip => "ip",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string OperatorText(EqlMatchOperator op) => op switch
    {
        EqlMatchOperator.Colon => ":",
        EqlMatchOperator.Like => "like",
        EqlMatchOperator.LikeInsensitive => "like~",
        EqlMatchOperator.Regex => "regex",
        EqlMatchOperator.RegexInsensitive => "regex~",
        EqlMatchOperator.In => "in",
        _ => "in~",
    };

    private static Predicate AnyOf(IEnumerable<Predicate> predicates)
    {
        var list = predicates.ToList();
        if (list.Count == 0) return ConstantPredicate.False;
        return list.Count == 1 ? list[0] : new OrPredicate(list.ToEquatableArray());
    }

    /// <summary>The matchers of a pattern operator's values (wildcards for : and like, regular expressions for regex).</summary>
    private List<ValueMatcher> PatternMatchers(EqlMatch match, List<(LiteralExpression Value, EqlExpression Syntax)> constants, CaseMode caseMode, ValueKinds kinds)
    {
        var result = new List<ValueMatcher>();
        var regex = match.Operator is EqlMatchOperator.Regex or EqlMatchOperator.RegexInsensitive;
        var exact = new List<string>();
        foreach (var (value, syntax) in constants)
        {
            if (value.Type == ScalarType.Null) continue; // a null pattern never matches
            if (value.Type != ScalarType.String)
                throw Report(DiagnosticDescriptors.EqlArgumentType, syntax, $"'{OperatorText(match.Operator)}' takes string patterns, not {Describe(value.Type)}");
            if (regex)
            {
                var pattern = LuceneRegex.Translate(value.Text, caseMode == CaseMode.IgnoreAsciiCase, out var error);
                if (pattern is null) throw Report(DiagnosticDescriptors.EqlInvalidRegex, syntax, value.Text, error);
                result.Add(new RegexMatcher(pattern, RegexFlags.None, kinds));
                continue;
            }
            var wildcard = EqlPatterns.Like(value.Text);
            if (!wildcard.HasWildcards)
            {
                exact.Add(value.Text);
                continue;
            }
            result.Add(Matchers.ForPattern(wildcard, caseMode, kinds));
        }
        if (exact.Count == 1) result.Insert(0, Matchers.Exact(exact[0], caseMode, kinds));
        else if (exact.Count > 1) result.Insert(0, new StringSetMatcher(exact.Distinct(StringComparer.Ordinal).ToEquatableArray(), caseMode, kinds));
        return result;
    }

    private Predicate FieldLookup(FieldRef field, EqlField syntax, EqlFieldType type, List<(LiteralExpression Value, EqlExpression Syntax)> constants, CaseMode caseMode)
    {
        var values = constants.Where(c => c.Value.Type != ScalarType.Null).ToList();
        switch (type)
        {
            case EqlFieldType.Integer:
            case EqlFieldType.Float:
                return AnyOf(values.Select(c =>
                {
                    var number = NumberOf(c.Value) ?? throw Report(DiagnosticDescriptors.EqlArgumentType, c.Syntax, $"'{syntax.Path}' is a numeric field: list numbers, not {Describe(c.Value.Type)}");
                    return (Predicate)new FieldPredicate(field, new NumberMatcher(ComparisonOperator.Equal, number, AcceptNumericStrings: true));
                }));
            case EqlFieldType.Boolean:
                return AnyOf(values.Select(c =>
                {
                    if (c.Value.Type != ScalarType.Boolean && !(c.Value.Type == ScalarType.String && c.Value.Text is "true" or "false"))
                        throw Report(DiagnosticDescriptors.EqlArgumentType, c.Syntax, $"'{syntax.Path}' is a boolean field: list true or false");
                    return (Predicate)new FieldPredicate(field, new BooleanMatcher(c.Value.Text == "true", AcceptStrings: true));
                }));
            case EqlFieldType.Date:
                return AnyOf(values.Select(c => DateTerm(syntax, field, ComparisonOperator.Equal, c.Value, c.Syntax)));
            case EqlFieldType.Ip:
                foreach (var c in values)
                {
                    if (c.Value.Type != ScalarType.String || !IpText.IsNetwork(c.Value.Text))
                        throw Report(DiagnosticDescriptors.EqlArgumentType, c.Syntax, $"'{syntax.Path}' is an ip field: list IP addresses or CIDR blocks");
                }
                return values.Count == 0 ? ConstantPredicate.False : new FieldPredicate(field, new CidrMatcher(values.Select(c => c.Value.Text).ToEquatableArray()));
            default:
            {
                var predicates = new List<Predicate>();
                var texts = new List<string>();
                foreach (var c in values)
                {
                    if (type == EqlFieldType.Unknown && c.Value.Type is ScalarType.Integer or ScalarType.Float)
                        predicates.Add(new FieldPredicate(field, new NumberMatcher(ComparisonOperator.Equal, NumberOf(c.Value)!, AcceptNumericStrings: true)));
                    else
                        texts.Add(c.Value.Text);
                }
                texts = texts.Distinct(StringComparer.Ordinal).ToList();
                if (texts.Count == 1) predicates.Insert(0, new FieldPredicate(field, Matchers.Exact(texts[0], caseMode, ValueKinds.Scalars)));
                else if (texts.Count > 1) predicates.Insert(0, new FieldPredicate(field, new StringSetMatcher(texts.ToEquatableArray(), caseMode, ValueKinds.Scalars)));
                return AnyOf(predicates);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Functions as conditions

    private Predicate LowerCallCondition(EqlCall call)
    {
        var value = Value(call);
        if (value.Type is not null and not ScalarType.Boolean)
            throw Report(DiagnosticDescriptors.EqlArgumentType, call, $"'{Source(call)}' gives {Describe(value.Type)}, not true or false: compare it (for example {Source(call)} > 0)");
        if (value.Expression is LiteralExpression literal) return literal.Type == ScalarType.Boolean && literal.Text == "true" ? ConstantPredicate.True : ConstantPredicate.False;
        var function = (FunctionExpression)value.Expression;
        var args = function.Arguments;
        var caseMode = function.IgnoreCase ? CaseMode.IgnoreAsciiCase : CaseMode.Sensitive;

        // Elasticsearch translates these on a field with a constant into queries (eql planner/QueryTranslator):
        // startsWith is a prefix query; endsWith and stringContains wildcard queries built without escaping.
        if (args.Count >= 2 && args[0] is FieldExpression { Kind: FieldValueKind.Keyword } field)
        {
            switch (function.Function)
            {
                case ScalarFunction.StartsWith when args[1] is LiteralExpression { Type: ScalarType.String } prefix:
                    return new FieldPredicate(field.Field, new StringMatcher(StringOperation.StartsWith, prefix.Text, caseMode, ValueKinds.Scalars));
                case ScalarFunction.EndsWith when args[1] is LiteralExpression { Type: ScalarType.String } suffix:
                    return new FieldPredicate(field.Field, Matchers.ForPattern(EqlPatterns.WildcardQuery("*" + suffix.Text), caseMode, ValueKinds.Scalars));
                case ScalarFunction.StringContains when args[1] is LiteralExpression { Type: ScalarType.String } inner:
                    return new FieldPredicate(field.Field, Matchers.ForPattern(EqlPatterns.WildcardQuery("*" + inner.Text + "*"), caseMode, ValueKinds.Scalars));
                case ScalarFunction.StartsWith or ScalarFunction.EndsWith or ScalarFunction.StringContains when args[1] is LiteralExpression { Type: ScalarType.Null }:
                    return ConstantPredicate.False;
            }
        }
        if (function.Function == ScalarFunction.CidrMatch && args[0] is FieldExpression ipField && args.Skip(1).All(a => a is LiteralExpression))
        {
            var networks = args.Skip(1).Cast<LiteralExpression>().ToList();
            if (networks.Any(n => n.Type == ScalarType.Null)) return ConstantPredicate.False;
            return new FieldPredicate(ipField.Field, new CidrMatcher(networks.Select(n => n.Text).ToEquatableArray()));
        }
        return new ExpressionPredicate(function);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Values

    /// <summary>An expression with what is statically known about it.</summary>
    private readonly struct Operand
    {
        public Operand(ValueExpression expression, ScalarType? type, bool hasFields, EqlExpression syntax)
        {
            Expression = expression;
            Type = type;
            HasFields = hasFields;
            Syntax = syntax;
        }

        public ValueExpression Expression { get; }

        /// <summary>The static type, or null when unknown (a field of unknown type).</summary>
        public ScalarType? Type { get; }

        public bool HasFields { get; }

        public EqlExpression Syntax { get; }

        public LiteralExpression? Constant => Expression as LiteralExpression;

        public bool IsNullLiteral => Expression is LiteralExpression { Type: ScalarType.Null };
    }

    private Operand Value(EqlExpression expression)
    {
        switch (expression)
        {
            case EqlString s:
                return new Operand(LiteralExpression.String(s.Value), ScalarType.String, false, s);
            case EqlNumber n:
                return new Operand(NumberLiteral(n.Text, n.IsInteger, n), n.IsInteger ? ScalarType.Integer : ScalarType.Float, false, n);
            case EqlBoolean b:
                return new Operand(LiteralExpression.Boolean(b.Value), ScalarType.Boolean, false, b);
            case EqlNull nul:
                return new Operand(LiteralExpression.Null, ScalarType.Null, false, nul);
            case EqlField f:
            {
                var type = TypeOf(f.Path);
                if (type == EqlFieldType.Text)
                    throw Report(DiagnosticDescriptors.EqlUnsupported, f, $"'{f.Path}' is a text field, which Elasticsearch EQL does not search (text fields are analysed): use a keyword field, or a KQL rule");
                ScalarType? staticType = type == EqlFieldType.Unknown ? null : type.StaticType();
                return new Operand(new FieldExpression(Ref(f.Path), type.ValueKind()), staticType, true, f);
            }
            case EqlNegate neg:
            {
                var inner = Value(neg.Operand);
                if (inner.Type is not null and not (ScalarType.Integer or ScalarType.Float or ScalarType.Null))
                    throw Report(DiagnosticDescriptors.EqlArgumentType, neg, $"'-' needs a number, not {Describe(inner.Type)}");
                if (inner.Constant is { Type: ScalarType.Integer } i && long.TryParse(i.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                    return new Operand(LiteralExpression.Integer(-l), ScalarType.Integer, false, neg);
                if (inner.Constant is { Type: ScalarType.Float } d)
                    return new Operand(new LiteralExpression(ScalarType.Float, FormatDouble(-double.Parse(d.Text, CultureInfo.InvariantCulture))), ScalarType.Float, false, neg);
                return new Operand(new FunctionExpression(ScalarFunction.Negate, false, EquatableArray.Create(inner.Expression)), inner.Type, inner.HasFields, neg);
            }
            case EqlArithmetic arithmetic:
            {
                var function = arithmetic.Operator switch
                {
                    EqlArithmeticOperator.Add => ScalarFunction.Add,
                    EqlArithmeticOperator.Subtract => ScalarFunction.Subtract,
                    EqlArithmeticOperator.Multiply => ScalarFunction.Multiply,
                    EqlArithmeticOperator.Divide => ScalarFunction.Divide,
                    _ => ScalarFunction.Modulo,
                };
                var left = Value(arithmetic.Left);
                var right = Value(arithmetic.Right);
                return Arithmetic(function, left, right, arithmetic);
            }
            case EqlCall call:
                return Call(call);
            case EqlComparison comparison:
                return ComparisonValue(comparison);
            default:
                // Elasticsearch evaluates a condition used as a value (in a script); RuleGen compiles comparisons
                // there (null == (a > 1)), not yet the other conditions.
                throw Report(DiagnosticDescriptors.EqlUnsupported, expression,
                    $"RuleGen does not compile '{Source(expression)}' as a value (Elasticsearch does): it compiles comparisons used as values, such as null == (a > 1); write this condition on its own, outside the comparison");
        }
    }

    /// <summary>
    /// A comparison used as a value (<c>null == (exit_code > -1)</c>): true, false, or null when either side is null,
    /// as Elasticsearch's comparisons are (its <c>exitCodeGtMinusOne</c> and <c>nullEqualityWithGtAndHead</c> QA
    /// queries: <c>exit_code > -1</c> is null for an event without exit_code). A null test inside
    /// (<c>(x == null)</c>) is true or false, never null (the planner's ReplaceNullChecks turns it into IsNull).
    /// </summary>
    private Operand ComparisonValue(EqlComparison comparison)
    {
        var left = Value(comparison.Left);
        var right = Value(comparison.Right);
        var op = comparison.Operator;
        if (left.IsNullLiteral || right.IsNullLiteral)
        {
            var other = left.IsNullLiteral ? right : left;
            ValueExpression test = other.IsNullLiteral || op is not (EqlComparisonOperator.Equal or EqlComparisonOperator.NotEqual)
                ? LiteralExpression.Null
                : new FunctionExpression(op == EqlComparisonOperator.Equal ? ScalarFunction.IsNull : ScalarFunction.IsNotNull, false, EquatableArray.Create(other.Expression));
            return new Operand(test, test is LiteralExpression ? ScalarType.Null : ScalarType.Boolean, other.HasFields, comparison);
        }
        if (left.HasFields && right.HasFields)
        {
            throw Report(DiagnosticDescriptors.EqlUnsupported, comparison,
                "RuleGen does not compare a field with another field (even through functions): compare each with a constant, or use a function such as startsWith(a, b) or stringContains(a, b)");
        }
        CheckComparable(left, right, comparison);
        return new Operand(new ComparisonExpression(ToValueComparison(op), left.Expression, right.Expression), ScalarType.Boolean, left.HasFields || right.HasFields, comparison);
    }

    private LiteralExpression NumberLiteral(string text, bool isInteger, EqlNode at)
    {
        if (isInteger)
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                throw Report(DiagnosticDescriptors.EqlSyntax, at, $"the number {text} is too large for a 64-bit integer");
            return LiteralExpression.Integer(value);
        }
        var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(d)) throw Report(DiagnosticDescriptors.EqlSyntax, at, $"the number {text} is too large");
        return new LiteralExpression(ScalarType.Float, FormatDouble(d));
    }

    private static string FormatDouble(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private Operand Arithmetic(ScalarFunction function, Operand left, Operand right, EqlNode at)
    {
        foreach (var operand in new[] { left, right })
        {
            if (operand.Type is not null and not (ScalarType.Integer or ScalarType.Float or ScalarType.Null))
                throw Report(DiagnosticDescriptors.EqlArgumentType, operand.Syntax, $"arithmetic needs numbers, and '{Source(operand.Syntax)}' is {Describe(operand.Type)}");
        }
        ScalarType? type = left.Type == ScalarType.Null || right.Type == ScalarType.Null ? ScalarType.Null
            : left.Type is null || right.Type is null ? null
            : left.Type == ScalarType.Integer && right.Type == ScalarType.Integer ? ScalarType.Integer : ScalarType.Float;
        var expression = new FunctionExpression(function, false, EquatableArray.Create(left.Expression, right.Expression));
        var folded = Fold(expression);
        return new Operand(folded ?? (ValueExpression)expression, type, left.HasFields || right.HasFields, (EqlExpression)at);
    }

    /// <summary>Folds integer arithmetic over two constants (the common <c>length(x) - 1</c> stays an expression).</summary>
    private static LiteralExpression? Fold(FunctionExpression expression)
    {
        if (expression.Arguments.Count != 2) return null;
        if (expression.Arguments[0] is not LiteralExpression { Type: ScalarType.Integer } a || expression.Arguments[1] is not LiteralExpression { Type: ScalarType.Integer } b) return null;
        var x = long.Parse(a.Text, CultureInfo.InvariantCulture);
        var y = long.Parse(b.Text, CultureInfo.InvariantCulture);
        try
        {
            checked
            {
                return expression.Function switch
                {
                    ScalarFunction.Add => LiteralExpression.Integer(x + y),
                    ScalarFunction.Subtract => LiteralExpression.Integer(x - y),
                    ScalarFunction.Multiply => LiteralExpression.Integer(x * y),
                    ScalarFunction.Divide when y != 0 => LiteralExpression.Integer(x / y),
                    ScalarFunction.Modulo when y != 0 => LiteralExpression.Integer(x % y),
                    _ => null,
                };
            }
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private Operand Call(EqlCall call)
    {
        var info = EqlFunctions.Find(call.Name);
        if (info is null)
        {
            var hint = call.Name.Equals("wildcard", StringComparison.OrdinalIgnoreCase) ? "; for wildcards use field : \"pattern*\" or like"
                : call.Name.Equals("match", StringComparison.OrdinalIgnoreCase) ? "; for regular expressions use field regex \"...\"" : "";
            throw Report(DiagnosticDescriptors.EqlUnknownFunction, call.Start, call.NameLength, call.Name, EqlFunctions.Names + hint);
        }
        if (call.IgnoreCase && !info.CaseInsensitiveForm)
        {
            throw Report(DiagnosticDescriptors.EqlArgumentType, call.Start, call.NameLength,
                $"'{info.Name}' has no case-insensitive form: remove the '~' (only between, endsWith, indexOf, startsWith and stringContains take it)");
        }
        if (!info.AcceptsCount(call.Arguments.Count))
        {
            throw Report(DiagnosticDescriptors.EqlArgumentCount, call, info.Name, info.Arity,
                call.Arguments.Count == 1 ? "1 argument" : $"{call.Arguments.Count} arguments");
        }
        var args = new List<Operand>();
        for (var i = 0; i < call.Arguments.Count; i++)
        {
            var arg = Value(call.Arguments[i]);
            CheckArgument(info, i, arg);
            args.Add(arg);
        }
        ScalarType? result = info.Result;
        if (info.Function is ScalarFunction.Add or ScalarFunction.Subtract or ScalarFunction.Multiply or ScalarFunction.Divide or ScalarFunction.Modulo)
            return Arithmetic(info.Function, args[0], args[1], call);
        if (info.Function == ScalarFunction.Number) result = null;
        if (info.Function == ScalarFunction.CidrMatch)
        {
            foreach (var (arg, index) in args.Skip(1).Select((a, i) => (a, i + 1)))
            {
                if (arg.Constant is { Type: ScalarType.String } network && !IpText.IsNetwork(network.Text))
                    throw Report(DiagnosticDescriptors.EqlArgumentType, call.Arguments[index], $"\"{network.Text}\" is not a CIDR block or IP address (such as \"10.0.0.0/8\")");
            }
        }
        var expression = new FunctionExpression(info.Function, call.IgnoreCase, args.Select(a => a.Expression).ToEquatableArray());
        return new Operand(expression, result, args.Any(a => a.HasFields), call);
    }

    private void CheckArgument(EqlFunctionInfo info, int index, Operand arg)
    {
        var kind = info.ParameterAt(index);
        var position = $"argument {index + 1} of {info.Name}";
        var type = arg.Type;
        if (type == ScalarType.Null) return;
        var fieldType = arg.Syntax is EqlField f ? TypeOf(f.Path) : (EqlFieldType?)null;
        string? problem = kind switch
        {
            EqlParameterKind.String when fieldType == EqlFieldType.Ip => $"'{Source(arg.Syntax)}' is an ip field: convert it with string({Source(arg.Syntax)})",
            EqlParameterKind.String when type is not null and not ScalarType.String => $"it must be a string, and '{Source(arg.Syntax)}' is {Describe(type)}",
            EqlParameterKind.Number when type is not null and not (ScalarType.Integer or ScalarType.Float) => $"it must be a number, and '{Source(arg.Syntax)}' is {Describe(type)}",
            EqlParameterKind.Integer when type is { } t && t != ScalarType.Integer => $"it must be an integer, and '{Source(arg.Syntax)}' is {Describe(type)}",
            EqlParameterKind.BooleanConstant when arg.Constant is not { Type: ScalarType.Boolean } => "it must be the constant true or false",
            EqlParameterKind.IntegerConstant when arg.Constant is not { Type: ScalarType.Integer } => "it must be an integer constant",
            EqlParameterKind.StringConstant when arg.Constant is not { Type: ScalarType.String } => "it must be a string constant",
            EqlParameterKind.Ip when type is { } t2 && t2 != ScalarType.String => $"it must be an IP address, and '{Source(arg.Syntax)}' is {Describe(type)}",
            _ => null,
        };
        if (problem is not null) throw Report(DiagnosticDescriptors.EqlArgumentType, arg.Syntax, $"Wrong type for {position}: {problem}");
    }
}

/// <summary>Checks IP address and CIDR text at compile time, as strictly as the runtime's parser reads it.</summary>
public static class IpText
{
    public static bool IsNetwork(string text)
    {
        var slash = text.IndexOf('/');
        var address = (slash < 0 ? text : text.Substring(0, slash)).Trim();
        int bits;
        if (address.IndexOf(':') >= 0)
        {
            if (!System.Net.IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return false;
            bits = 128;
        }
        else
        {
            var parts = address.Split('.');
            if (parts.Length != 4) return false;
            foreach (var part in parts)
            {
                if (part.Length is 0 or > 3 || !part.All(c => c is >= '0' and <= '9') || int.Parse(part, CultureInfo.InvariantCulture) > 255) return false;
            }
            bits = 32;
        }
        if (slash < 0) return true;
        return int.TryParse(text.Substring(slash + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix >= 0 && prefix <= bits;
    }
}

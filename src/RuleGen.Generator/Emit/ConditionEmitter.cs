using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;

namespace RuleGen.Generator.Emit;

/// <summary>
/// Emits one scope's condition (a rule's, or a nested query's) as C# over an <c>EventView</c>: an
/// <c>Evaluate</c> method whose checks each carry a comment saying what they test, the static matchers they use
/// (wildcards, sets, regexes, networks: built once), and nested scopes as nested classes.
/// </summary>
internal sealed partial class ConditionEmitter
{
    internal const string Rt = "RuleGenRt.";

    /// <summary>The schema a rule or nested scope scans with alone: its field table (see <c>SchemaEmitter.EmitTable</c>).</summary>
    internal const string ScopeSchema = Rt + "TableSchema<Schema>";

    /// <summary>How many slots a scope's own scan feeds.</summary>
    internal const string ScopeSlotCount = "Schema.Table.SlotCount";

    private readonly RuleFields _fields;
    private readonly List<string> _statics = new();
    private readonly List<(string Name, NestedPredicate Predicate)> _nested = new();
    private readonly string _nestedPrefix;
    private readonly string _ruleId;
    private readonly ExpressionEmitter _expressions;

    /// <param name="fields">The scope's fields (its slots).</param>
    /// <param name="ruleId">The rule's id, under which the runtime counts its regexes' timeouts.</param>
    /// <param name="nestedPrefix">
    /// How this scope's nested scopes are named (Nested0, Nested1, ...; inside Nested0: Nested0_0, ...), so a nested
    /// class never shares its name with the class around it.
    /// </param>
    public ConditionEmitter(RuleFields fields, string ruleId, string nestedPrefix = "Nested")
    {
        _fields = fields;
        _ruleId = ruleId;
        _nestedPrefix = nestedPrefix;
        _expressions = new ExpressionEmitter(fields, MatcherStatic, Static);
    }

    /// <summary>
    /// Writes Evaluate, the static matchers, nested scopes and the schema struct into the current class body (a scope
    /// without a gate: a nested query's class).
    /// </summary>
    public void EmitMembers(SourceWriter w, Predicate condition, string evaluateModifiers) =>
        EmitMembers(w, condition, evaluateModifiers, gate: null, documented: true, schemaAccessibility: "private");

    /// <summary>
    /// The members of a rule class deriving from the runtime's <c>EventRule</c>: as <see cref="EmitMembers(SourceWriter, Predicate, string)"/>,
    /// with Evaluate and EvaluateDetection documented by the interfaces they implement (<c>IEventRule</c>,
    /// <c>IGatedEventRule</c>) and a public schema, which the base class names. With a gate, EvaluateDetection is the
    /// condition alone; a gate of the rule's own is EvaluateGate and Evaluate is gate AND condition; a shared gate's
    /// Evaluate is the base's.
    /// </summary>
    public void EmitRuleMembers(SourceWriter w, Predicate condition, Predicate? gate) =>
        EmitMembers(w, condition, "public", gate, documented: false, schemaAccessibility: "public");

    private void EmitMembers(SourceWriter w, Predicate condition, string evaluateModifiers, Predicate? gate, bool documented, string schemaAccessibility)
    {
        var sharedGate = gate is null ? null : GateEmitter.SharedClassName(gate);
        if (gate is null)
        {
            if (documented) w.Line("/// <summary>The condition over an event scanned with this scope's slots (<c>Schema</c>).</summary>");
            using (w.Block($"{evaluateModifiers} static bool Evaluate(scoped in {Rt}EventView ev)"))
            {
                EmitBody(w, condition);
            }
        }
        else
        {
            // Rules with the same gate share its code (Rules.Gates); it reads this rule's first slots, the gate's
            // fields. A rule set evaluates the gate itself before the detection, and a rule class's Evaluate (gate,
            // then detection) is its base's (SharedGateEventRule), so only a gate of the rule's own is emitted here.
            if (sharedGate is null)
            {
                if (documented) w.Line("/// <summary>The rule over a scanned event: gate and detection.</summary>");
                w.Line($"{evaluateModifiers} static bool Evaluate(scoped in {Rt}EventView ev) => EvaluateGate(in ev) && EvaluateDetection(in ev);");
                w.Line();
                w.Line("/// <summary>The gate the rule format adds around the detection (a Sigma rule's logsource).</summary>");
                using (w.Block($"{evaluateModifiers} static bool EvaluateGate(scoped in {Rt}EventView ev)"))
                {
                    EmitBody(w, gate);
                }
            }
            if (sharedGate is null) w.Line();
            if (documented) w.Line("/// <summary>The detection alone, without the gate.</summary>");
            using (w.Block($"{evaluateModifiers} static bool EvaluateDetection(scoped in {Rt}EventView ev)"))
            {
                EmitBody(w, condition);
            }
        }
        EmitSupport(w, schemaAccessibility);
    }

    /// <summary>A named condition method over a scanned event (a sequence step), sharing this scope's statics and schema.</summary>
    public void EmitConditionMethod(SourceWriter w, string name, string summary, Predicate condition, string modifiers)
    {
        w.Line($"/// <summary>{Literals.Xml(summary)}</summary>");
        using (w.Block($"{modifiers} static bool {name}(scoped in {Rt}EventView ev)"))
        {
            EmitBody(w, condition);
        }
    }

    /// <summary>What the scope's methods use: nested queries, expression methods, static matchers, the schema.</summary>
    public void EmitSupport(SourceWriter w, string schemaAccessibility = "private")
    {
        foreach (var (name, nested) in _nested.ToList())
        {
            w.Line();
            var slot = _fields.SlotOf(nested.Field);
            w.Line($"// Some object element of {Literals.Comment(nested.Field.ToString())} satisfies the nested query as a whole.");
            using (w.Block($"private static bool Any{name}(scoped in {Rt}EventView ev)"))
            {
                using (w.Block($"foreach (var element in ev.Values({slot}))"))
                {
                    w.Line($"if (element.Kind == global::System.Text.Json.JsonValueKind.Object && {name}.IsMatch(element.Utf8)) return true;");
                }
                w.Line("return false;");
            }
        }

        _expressions.EmitMethods(w);

        if (_statics.Count > 0)
        {
            w.Line();
            foreach (var line in _statics) w.Lines(line);
        }

        foreach (var (name, nested) in _nested)
        {
            w.Line();
            EmitScopeClass(w, name, "private", nested.Inner, $"The nested query on {nested.Field}.", _ruleId);
        }

        w.Line();
        SchemaEmitter.EmitTable(w, "Schema", _fields.Fields, _fields.UsesAllStrings, schemaAccessibility);
    }

    /// <summary>A class with IsMatch + Evaluate + schema for a nested scope.</summary>
    internal static void EmitScopeClass(SourceWriter w, string name, string accessibility, Predicate condition, string summary, string ruleId)
    {
        w.Line($"/// <summary>{Literals.Xml(summary)}</summary>");
        using (w.Block($"{accessibility} static class {name}"))
        {
            EmitIsMatch(w, "public", summary: "Whether one object element (UTF-8 JSON) satisfies the nested query as a whole.");
            w.Line();
            new ConditionEmitter(RuleFields.Of(condition), ruleId, name + "_").EmitMembers(w, condition, "public");
        }
    }

    /// <summary>IsMatch: scan the event with this scope's schema, then evaluate (the runtime's <c>EventScanner.Matches</c>).</summary>
    internal static void EmitIsMatch(SourceWriter w, string accessibility, string name = "IsMatch", string evaluate = "Evaluate",
        string summary = "Whether a UTF-8 JSON event matches (false if malformed). Allocates nothing.")
    {
        w.Line($"/// <summary>{summary}</summary>");
        w.Line($"{accessibility} static bool {name}(global::System.ReadOnlySpan<byte> utf8Json) => {Rt}EventScanner.Matches<{ScopeSchema}>(utf8Json, {evaluate});");
    }

    /// <summary>The statements of a method that returns whether <paramref name="condition"/> holds (a shared gate's body).</summary>
    internal void EmitBodyOnly(SourceWriter w, Predicate condition) => EmitBody(w, condition);

    private void EmitBody(SourceWriter w, Predicate condition)
    {
        // Constants folded first: a test of a constant would leave unreachable code behind (CS0162).
        condition = ConstantFolding.Fold(condition);
        switch (condition)
        {
            case AndPredicate and:
                foreach (var operand in and.Operands)
                {
                    w.Line("// " + PredicateDescriber.Describe(operand));
                    // "if (!!x)" would read badly: a negated operand fails the rule when its operand holds.
                    if (operand is NotPredicate negated) WriteStatement(w, "if (", Expression(negated.Operand), ") return false;");
                    else WriteStatement(w, "if (!", Expression(operand), ") return false;");
                }
                w.Line("return true;");
                break;
            case OrPredicate or:
                foreach (var operand in or.Operands)
                {
                    w.Line("// " + PredicateDescriber.Describe(operand));
                    WriteStatement(w, "if (", Expression(operand), ") return true;");
                }
                w.Line("return false;");
                break;
            default:
                w.Line("// " + PredicateDescriber.Describe(condition));
                WriteStatement(w, "return ", Expression(condition), ";");
                break;
        }
    }

    private static void WriteStatement(SourceWriter w, string prefix, List<string> lines, string suffix)
    {
        if (lines.Count == 1)
        {
            w.Line(prefix + lines[0] + suffix);
            return;
        }
        w.Line(prefix + lines[0]);
        for (var i = 1; i < lines.Count - 1; i++) w.Line(lines[i]);
        w.Line(lines[lines.Count - 1] + suffix);
    }

    /// <summary>The predicate as expression lines (continuation lines carry their own relative indentation).</summary>
    private List<string> Expression(Predicate predicate)
    {
        switch (predicate)
        {
            case ConstantPredicate c:
                return new List<string> { c.Value ? "true" : "false" };
            case AndPredicate and:
                return Join(and.Operands, "&&");
            case OrPredicate or:
                return Join(or.Operands, "||");
            case NotPredicate not:
            {
                // Every single-line expression is a call or a constant, so '!' needs no parentheses.
                var inner = Expression(not.Operand);
                inner[0] = "!" + inner[0];
                return inner;
            }
            case FieldPredicate f:
                return new List<string> { Matcher(_fields.SlotOf(f.Field), f.Matcher) };
            case ExistsPredicate e:
                return new List<string> { e.Kind == ExistenceKind.NonNullValue ? $"ev.HasValue({_fields.SlotOf(e.Field)})" : $"ev.HasKey({_fields.SlotOf(e.Field)})" };
            case AnyFieldPredicate a:
                return new List<string> { Matcher(_fields.AllStringsSlot, a.Matcher) };
            case NestedPredicate n:
            {
                var name = _nestedPrefix + _nested.Count;
                _nested.Add((name, n));
                return new List<string> { $"Any{name}(in ev)" };
            }
            case ExpressionPredicate e:
                return new List<string> { _expressions.Call(e) };
            case FieldComparePredicate c:
                return new List<string>
                {
                    $"ev.AnyRelated({_fields.SlotOf(c.Left)}, {_fields.SlotOf(c.Right)}, {Rt}TextRelation.{c.Operation}, ignoreCase: {Literals.Bool(c.Case == CaseMode.IgnoreAsciiCase)})",
                };
            case DateRangePredicate d:
                return new List<string> { DateRange(d) };
            default:
                throw new NotSupportedException("No emitter for predicate " + predicate.GetType().Name);
        }
    }

    private List<string> Join(EquatableArray<Predicate> operands, string op)
    {
        if (operands.Count == 1) return Expression(operands[0]);
        var lines = new List<string> { "(" };
        for (var i = 0; i < operands.Count; i++)
        {
            lines.Add("    // " + PredicateDescriber.Describe(operands[i]));
            var inner = Expression(operands[i]);
            for (var j = 0; j < inner.Count; j++)
            {
                var lead = j == 0 && i > 0 ? op + " " : "";
                lines.Add("    " + lead + inner[j]);
            }
        }
        lines.Add(")");
        return lines;
    }

    private string Matcher(int slot, ValueMatcher matcher)
    {
        switch (matcher)
        {
            case StringMatcher s:
            {
                var ignoreCase = s.Case == CaseMode.IgnoreAsciiCase;
                var value = ignoreCase ? Literals.AsciiLower(s.Value) : s.Value;
                return $"ev.Any{s.Operation}{(ignoreCase ? "IgnoreCase" : "")}({slot}, {Literals.Utf8(value)}{KindsArgument(s.Kinds)})";
            }
            case StringSetMatcher set:
                return $"ev.AnyInSet({slot}, {MatcherStatic(set)}{KindsArgument(set.Kinds)})";
            case StringListMatcher list:
                return $"ev.AnyInTextSet({slot}, {MatcherStatic(list)}{KindsArgument(list.Kinds)})";
            case WildcardMatcher wildcard:
                return $"ev.AnyWildcard({slot}, {MatcherStatic(wildcard)}{KindsArgument(wildcard.Kinds)})";
            case RegexMatcher regex:
                return $"ev.AnyRegex({slot}, {MatcherStatic(regex)}{KindsArgument(regex.Kinds)})";
            case NumberMatcher number:
                return $"ev.AnyNumber({slot}, {Rt}NumberComparison.{Comparison(number.Operator)}, {Literals.Double(number.Value)}, acceptNumericStrings: {Literals.Bool(number.AcceptNumericStrings)})";
            case BooleanMatcher boolean:
                return $"ev.AnyBoolean({slot}, {Literals.Bool(boolean.Value)}, acceptStrings: {Literals.Bool(boolean.AcceptStrings)})";
            case CidrMatcher cidr:
            {
                var name = Static($"{Rt}IpNetworkSet", "networks", $"new({string.Join(", ", cidr.Networks.Select(Literals.String))})");
                return $"ev.AnyInNetworks({slot}, {name})";
            }
            case DatePartMatcher date:
                return $"ev.AnyDatePart({slot}, {Rt}DatePart.{date.Part}, {Rt}NumberComparison.{Comparison(date.Operator)}, {date.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
            case TextRangeMatcher range:
                return $"ev.AnyTextCompare({slot}, {Rt}NumberComparison.{Comparison(range.Operator)}, {Literals.Utf8(range.Value)}{KindsArgument(range.Kinds)})";
            default:
                return TypedMatcher(slot, matcher) ?? throw new NotSupportedException("No emitter for matcher " + matcher.GetType().Name);
        }
    }

    /// <summary>Declares the static object a set, wildcard or regex matcher uses (built once); returns its name.</summary>
    private string MatcherStatic(ValueMatcher matcher)
    {
        switch (matcher)
        {
            case StringSetMatcher set:
                return Static($"{Rt}Utf8StringSet", "set",
                    $"new({Literals.Bool(set.Case == CaseMode.IgnoreAsciiCase)}, {string.Join(", ", set.Values.Select(Literals.String))})");
            case StringListMatcher list:
                return Static($"{Rt}Utf8TextSet", "texts",
                    $"new({Rt}TextRelation.{list.Operation}, {Literals.Bool(list.Case == CaseMode.IgnoreAsciiCase)}, {string.Join(", ", list.Values.Select(Literals.String))})");
            case WildcardMatcher wildcard:
                return Static($"{Rt}Wildcard", "wildcard",
                    $"{Rt}Wildcard.Parse({Literals.String(wildcard.Pattern.ToString())}, ignoreCase: {Literals.Bool(wildcard.Case == CaseMode.IgnoreAsciiCase)})");
            case RegexMatcher regex:
            {
                var options = new List<string> { "global::System.Text.RegularExpressions.RegexOptions.CultureInvariant" };
                string engine;
                var prefilter = "";
                if (BacktrackingConstructs.Find(regex.Pattern) is { } construct)
                {
                    // Compiled: the backtracking engine turns the pattern into IL once (about a millisecond, on the
                    // first match); matching then runs several times faster than its interpreter.
                    options.Add("global::System.Text.RegularExpressions.RegexOptions.Compiled");
                    engine = $"Backtracking, with a timeout (RuleGenRt.RegexText.MatchTimeout; a timeout is no match, counted for the rule): the pattern uses {construct}, which the linear-time engine cannot run.";
                    if (LinearSuperset.Of(regex.Pattern) is { } superset)
                    {
                        prefilter = ", prefilter: " + Literals.String(superset);
                        engine += " A value must first match the pre-filter, the pattern relaxed to run in linear time (lookarounds dropped, backreferences any text), which matches everything the pattern matches.";
                    }
                }
                else
                {
                    // Not Compiled: the non-backtracking engine accepts it, but measured no faster with it (it builds
                    // its automaton lazily either way; README, "Linear-time matching").
                    options.Add("global::System.Text.RegularExpressions.RegexOptions.NonBacktracking");
                    engine = "Linear time (NonBacktracking): no backreference, lookaround or other construct that needs backtracking.";
                }
                if ((regex.Flags & RegexFlags.IgnoreCase) != 0) options.Add("global::System.Text.RegularExpressions.RegexOptions.IgnoreCase");
                if ((regex.Flags & RegexFlags.Multiline) != 0) options.Add("global::System.Text.RegularExpressions.RegexOptions.Multiline");
                if ((regex.Flags & RegexFlags.Singleline) != 0) options.Add("global::System.Text.RegularExpressions.RegexOptions.Singleline");
                // One instance per thread (ThreadRegex): a shared Regex allocates when threads match it at once.
                return Static($"{Rt}ThreadRegex", "regex",
                    $"new({Literals.String(regex.Pattern)}, {string.Join(" | ", options)}, rule: {Literals.String(_ruleId)}{prefilter})",
                    Literals.Comment(engine));
            }
            default:
                throw new NotSupportedException("No static object for matcher " + matcher.GetType().Name);
        }
    }

    private string Static(string type, string prefix, string initializer) => Static(type, prefix, initializer, comment: null);

    /// <param name="comment">A line said about the static in the generated code (why it is built this way), or null.</param>
    private string Static(string type, string prefix, string initializer, string? comment)
    {
        var name = $"s_{prefix}{_statics.Count}";
        var declaration = $"private static readonly {type} {name} = {initializer};";
        _statics.Add(comment is null ? declaration : $"// {comment}\n{declaration}");
        return name;
    }

    private static string Comparison(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "Equal",
        ComparisonOperator.LessThan => "LessThan",
        ComparisonOperator.LessThanOrEqual => "LessThanOrEqual",
        ComparisonOperator.GreaterThan => "GreaterThan",
        _ => "GreaterThanOrEqual",
    };

    /// <summary>The kinds argument of an <c>EventView.Any*</c> test: left out for scalars, the runtime's default.</summary>
    internal static string KindsArgument(ValueKinds kinds) => kinds == ValueKinds.Scalars ? "" : ", " + Kinds(kinds);

    internal static string Kinds(ValueKinds kinds)
    {
        if (kinds == ValueKinds.Scalars) return Rt + "ValueKinds.Scalars";
        var parts = new List<string>();
        if ((kinds & ValueKinds.String) != 0) parts.Add(Rt + "ValueKinds.String");
        if ((kinds & ValueKinds.Number) != 0) parts.Add(Rt + "ValueKinds.Number");
        if ((kinds & ValueKinds.Boolean) != 0) parts.Add(Rt + "ValueKinds.Boolean");
        return parts.Count == 0 ? Rt + "ValueKinds.None" : string.Join(" | ", parts);
    }
}

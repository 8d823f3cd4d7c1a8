using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;

namespace RuleGen.Generator.Emit;

/// <summary>A logsource gate that rules share: its class in <c>Rules.Gates</c>, the gate, and how many rules use it.</summary>
public sealed record SharedGate(string ClassName, Predicate Gate, int Rules);

/// <summary>
/// Emits the logsource gates that rules share once, in <c>Rules.Gates</c>: the SigmaHQ corpus has 2,834 rules with a
/// gate but 57 distinct gates (<c>Channel</c> is Sysmon's and <c>EventID</c> is 1, ...), and each rule carrying its
/// own copy was 2.6 MB of generated code and as many methods for the JIT. A rule's <c>EvaluateGate</c> calls its gate's
/// class, named for the gate's code (a hash of it), so a rule's file does not change when other rules do.
/// </summary>
/// <remarks>
/// A gate is shared when its code depends on nothing but itself: tests of fields by text or presence, combined with
/// and, or and not. A rule's first slots are its gate's fields in the gate's own order (<see cref="RuleFields.OfRule"/>
/// visits the gate first), so the shared code reads the same slots as the rule's own copy would, through the rule's
/// scan or its slot map in a rule set. Any other gate stays in the rule's file.
/// </remarks>
public static class GateEmitter
{
    /// <summary>The nested class of <c>Rules</c> that holds the shared gates (a name no rule's type may take).</summary>
    public const string ClassName = "Gates";

    /// <summary>The generated file's name.</summary>
    public const string HintName = "RuleGates.g.cs";

    /// <summary>The gate's class in <see cref="ClassName"/>, or null when the gate stays in its rule.</summary>
    public static string? SharedClassName(Predicate gate) =>
        IsShareable(gate) && !RuleFields.Of(gate).UsesAllStrings ? "Gate" + Fnv1a(Body(gate)).ToString("x16", CultureInfo.InvariantCulture) : null;

    /// <summary>The distinct shared gates of the rules, in the order of their first rule.</summary>
    public static EquatableArray<SharedGate> Plan(EquatableArray<RuleEmitInput> rules)
    {
        var gates = new List<SharedGate>();
        var index = new Dictionary<string, int>();
        foreach (var rule in rules)
        {
            if (rule.Rule.Gate is not { } gate || SharedClassName(gate) is not { } name) continue;
            if (index.TryGetValue(name, out var at)) gates[at] = gates[at] with { Rules = gates[at].Rules + 1 };
            else
            {
                index[name] = gates.Count;
                gates.Add(new SharedGate(name, gate, 1));
            }
        }
        return gates.ToEquatableArray();
    }

    /// <summary>The file with every shared gate, or null when there is none.</summary>
    public static string? Emit(string ns, EquatableArray<SharedGate> gates)
    {
        if (gates.Count == 0) return null;
        var w = new SourceWriter();
        RuleEmitter.FileHeader(w, $"the logsource gates of {gates.Sum(g => g.Rules)} rules");
        w.Line($"namespace {ns};");
        w.Line();
        using (w.Block("public static partial class Rules"))
        {
            w.Line("/// <summary>");
            w.Line($"/// The {gates.Count} distinct logsource gates of the rules, each emitted once: a rule with one of them derives from");
            w.Line("/// <c>SharedGateEventRule</c> with the gate as a type argument, whose <c>Evaluate</c> runs the gate over the rule's own");
            w.Line("/// slots (its first slots are the gate's fields), then the rule's detection.");
            w.Line("/// </summary>");
            w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"RuleGen\", \"{RuleEmitter.GeneratorVersion}\")]");
            using (w.Block($"public static class {ClassName}"))
            {
                var first = true;
                foreach (var gate in gates)
                {
                    if (!first) w.Line();
                    first = false;
                    w.Line($"/// <summary>{Literals.Xml(Describe(gate.Gate))} ({gate.Rules} rule(s)).</summary>");
                    using (w.Block($"public readonly struct {gate.ClassName} : {ConditionEmitter.Rt}IEventGate"))
                    {
                        w.Lines(Body(gate.Gate).TrimEnd('\n'));
                    }
                }
            }
        }
        return w.ToString();
    }

    /// <summary>The gate's <c>Evaluate</c> method over its own fields: what is shared, and what its name hashes.</summary>
    private static string Body(Predicate gate)
    {
        var w = new SourceWriter();
        using (w.Block($"public static bool Evaluate(scoped in {ConditionEmitter.Rt}EventView ev)"))
        {
            new ConditionEmitter(RuleFields.Of(gate), "").EmitBodyOnly(w, gate);
        }
        return w.ToString();
    }

    private static bool IsShareable(Predicate p) => p switch
    {
        AndPredicate and => and.Operands.All(IsShareable),
        OrPredicate or => or.Operands.All(IsShareable),
        NotPredicate not => IsShareable(not.Operand),
        FieldPredicate { Matcher: StringMatcher } f => f.Field.Paths.All(path => path.IndexOf('*') < 0),
        ExistsPredicate e => e.Field.Paths.All(path => path.IndexOf('*') < 0),
        _ => false,
    };

    /// <summary>The gate on one line: its tests, with and, or, not and parentheses (a shared gate's description).</summary>
    public static string Describe(Predicate gate) => Truncate(Inline(gate, parent: null));

    private static string Inline(Predicate p, Predicate? parent) => p switch
    {
        AndPredicate and => Group(string.Join(" and ", and.Operands.Select(o => Inline(o, and))), parent is OrPredicate or NotPredicate),
        OrPredicate or => Group(string.Join(" or ", or.Operands.Select(o => Inline(o, or))), parent is AndPredicate or NotPredicate),
        NotPredicate not => "not " + Inline(not.Operand, not),
        _ => PredicateDescriber.Describe(p),
    };

    private static string Group(string text, bool parenthesize) => parenthesize ? "(" + text + ")" : text;

    private static string Truncate(string text) => text.Length <= 300 ? text : text.Substring(0, 300) + " ...";

    /// <summary>64-bit FNV-1a of the text's UTF-16 code units: stable across runs and machines, unlike string.GetHashCode.</summary>
    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}

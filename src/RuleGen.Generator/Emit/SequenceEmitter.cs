using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;

namespace RuleGen.Generator.Emit;

/// <summary>
/// Emits a sequence or sample rule's members: its definition as typed data (<c>Sequence</c>), one matcher per step
/// (<c>Step0</c>, <c>Step1</c>, ..., <c>Until</c>), <c>EvaluateSteps</c> (the mask of steps an event matches, what the
/// rule set hands to the sequence engine) and <c>MatchSteps</c> over UTF-8 JSON.
/// </summary>
public static class SequenceEmitter
{
    private const string Rt = ConditionEmitter.Rt;

    internal static void EmitMembers(SourceWriter w, SequenceModel sequence, RuleFields fields, string ruleId)
    {
        var kind = sequence.Kind == SequenceKind.Sequence ? "sequence" : "sample";
        w.Line($"/// <summary>The {kind}: its steps and their join keys (as this rule's slots), its window, and the fields that order events.</summary>");
        w.Line($"public static {Rt}SequenceDefinition Sequence {{ get; }} = new(");
        using (w.Indent())
        {
            w.Line($"{Rt}SequenceKind.{sequence.Kind},");
            w.Line($"new {Rt}SequenceStepDefinition[]");
            w.Line("{");
            using (w.Indent())
            {
                for (var i = 0; i < sequence.Steps.Count; i++) w.Line(StepDefinition(i, sequence.Steps[i], fields) + ",");
            }
            w.Line("},");
            w.Line((sequence.Until is { } until ? StepDefinition(63, until, fields) : "null") + ",");
            w.Line($"maxSpanNanos: {sequence.MaxSpanNanos.ToString(CultureInfo.InvariantCulture)}L, windowNanos: {sequence.WindowNanos.ToString(CultureInfo.InvariantCulture)}L,");
            w.Line($"timestampField: {Literals.String(sequence.TimestampField.ToString())}, timestampSlot: {fields.SlotOf(sequence.TimestampField)},");
            w.Line(sequence.TiebreakerField is { } tiebreaker
                ? $"tiebreakerField: {Literals.String(tiebreaker.ToString())}, tiebreakerSlot: {fields.SlotOf(tiebreaker)});"
                : "tiebreakerField: null, tiebreakerSlot: -1);");
        }
        w.Line();

        w.Line($"/// <summary>Which steps one UTF-8 JSON event matches (bit i: step i; <c>SequenceDefinition.UntilBit</c>: the until step). 0 for malformed JSON.</summary>");
        using (w.Block("public static ulong MatchSteps(global::System.ReadOnlySpan<byte> utf8Json)"))
        {
            w.Line($"var fields = {Rt}EventFields.ForCurrentThread({ConditionEmitter.ScopeSlotCount});");
            using (w.Block("try"))
            {
                w.Line($"return {Rt}EventScanner.TryScan<{ConditionEmitter.ScopeSchema}>(utf8Json, fields) ? EvaluateSteps(new {Rt}EventView(utf8Json, fields)) : 0UL;");
            }
            using (w.Block("finally"))
            {
                w.Line($"{Rt}EventFields.Release();");
            }
        }
        w.Line();

        w.Line("/// <summary>Which steps an event already scanned with this rule's slots matches.</summary>");
        using (w.Block($"public static ulong EvaluateSteps(scoped in {Rt}EventView ev)"))
        {
            w.Line("var steps = 0UL;");
            for (var i = 0; i < sequence.Steps.Count; i++)
            {
                w.Line($"if (Step{i}(in ev)) steps |= 1UL << {i};");
            }
            if (sequence.Until is not null) w.Line($"if (Until(in ev)) steps |= {Rt}SequenceDefinition.UntilBit;");
            w.Line("return steps;");
        }

        var emitter = new ConditionEmitter(fields, ruleId);
        for (var i = 0; i < sequence.Steps.Count; i++)
        {
            var step = sequence.Steps[i];
            w.Line();
            var role = step.Missing ? "missing-event step" : "step";
            var runs = step.Runs > 1 ? $" (with runs={step.Runs})" : "";
            emitter.EmitConditionMethod(w, $"Step{i}", $"The {kind}'s {role} {i}{runs}: {OneLine(step.Text)}", step.Condition, "public");
        }
        if (sequence.Until is { } untilStep)
        {
            w.Line();
            emitter.EmitConditionMethod(w, "Until", $"The until step, which cancels pending sequences: {OneLine(untilStep.Text)}", untilStep.Condition, "public");
        }
        emitter.EmitSupport(w);
    }

    private static string StepDefinition(int index, SequenceStep step, RuleFields fields)
    {
        var slots = string.Join(", ", step.Keys.Select(k => fields.SlotOf(k.Field).ToString(CultureInfo.InvariantCulture)));
        var optional = string.Join(", ", step.Keys.Select(k => Literals.Bool(k.Optional)));
        return $"new({index}, {Literals.Text(step.Text)}, runs: {step.Runs}, missing: {Literals.Bool(step.Missing)}, keySlots: new int[] {{ {slots} }}, optionalKeys: new bool[] {{ {optional} }})";
    }

    private static string OneLine(string text)
    {
        var collapsed = string.Join(" ", text.Split(new[] { ' ', '\t', '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries));
        return collapsed.Length > 200 ? collapsed.Substring(0, 200) + " ..." : collapsed;
    }
}

using System.Linq;
using RuleGen.Generator.Planning;

namespace RuleGen.Generator.Emit;

/// <summary>
/// Emits the compilation's rule set: one scan of each event with the shared schema (every field any rule reads),
/// then each rule's <c>Evaluate</c> through its slot map, matches written into the caller's buffer.
/// </summary>
public static class RuleSetEmitter
{
    private const string Rt = ConditionEmitter.Rt;

    /// <summary>Rules per generated evaluation method: keeps methods small enough for the JIT to optimise.</summary>
    private const int RulesPerChunk = 64;

    public static string Emit(RuleSetPlan plan)
    {
        // Rules are addressed with global:: names: the set's own Rules property would hide the Rules class.
        var shared = plan.SharedFields();
        var allStringsSlot = plan.UsesAllStrings ? shared.Count : -1;
        var rules = $"global::{plan.Namespace}.Rules.";
        var w = new SourceWriter();
        RuleEmitter.FileHeader(w, $"{plan.Rules.Count} rule file(s)");
        w.Line($"namespace {plan.Namespace};");
        w.Line();
        w.Line("/// <summary>");
        w.Line($"/// Every compiled rule of this project ({plan.Rules.Count}), evaluated together: one pass over each event's bytes");
        w.Line("/// extracts the fields any rule reads, then each rule's condition runs on them.");
        w.Line("/// </summary>");
        w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"RuleGen\", \"{RuleEmitter.GeneratorVersion}\")]");
        using (w.Block($"public sealed class RuleSet : {Rt}IRuleSet"))
        {
            w.Line("/// <summary>The rule set (it holds no state; evaluation is thread-safe).</summary>");
            w.Line("public static RuleSet Instance { get; } = new();");
            w.Line();
            w.Line($"/// <summary>How many rules the set holds.</summary>");
            w.Line($"public const int Count = {plan.Rules.Count};");
            w.Line();
            w.Line($"private static readonly {Rt}CompiledRule[] s_rules = new {Rt}CompiledRule[]");
            w.Line("{");
            for (var i = 0; i < plan.Rules.Count; i++)
            {
                var rule = plan.Rules[i];
                if (rule.IsSequence)
                {
                    // A sequence rule never matches a single event; the sequence engine joins its steps.
                    w.Line($"    new({i}, {rules}{rule.TypeName}.Info, static json => false) {{ Sequence = {rules}{rule.TypeName}.Sequence }},");
                    continue;
                }
                var detection = rule.HasGate ? $", static json => {rules}{rule.TypeName}.IsDetectionMatch(json.Span)" : "";
                w.Line($"    new({i}, {rules}{rule.TypeName}.Info, static json => {rules}{rule.TypeName}.IsMatch(json.Span){detection}),");
            }
            w.Line("};");
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Rt}CompiledRule> Rules => s_rules;");
            w.Line();
            w.Line("/// <inheritdoc/>");
            using (w.Block("public int Evaluate(global::System.ReadOnlySpan<byte> utf8Json, global::System.Span<int> matches)"))
            {
                w.Line($"var fields = {Rt}EventFields.ForCurrentThread(Schema.SlotCount);");
                using (w.Block("try"))
                {
                    w.Line($"{Rt}EventScanner.Scan<Schema>(utf8Json, fields);");
                    w.Line($"return EvaluateScanned(new {Rt}EventView(utf8Json, fields), matches, false);");
                }
                using (w.Block("finally"))
                {
                    w.Line($"{Rt}EventFields.Release();");
                }
            }
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line("public bool TryEvaluate(global::System.ReadOnlySpan<byte> utf8Json, global::System.Span<int> matches, out int matchCount) =>");
            w.Line($"    TryEvaluate(utf8Json, matches, out matchCount, {Rt}MatchScope.Full);");
            w.Line();
            w.Line("/// <inheritdoc/>");
            using (w.Block($"public bool TryEvaluate(global::System.ReadOnlySpan<byte> utf8Json, global::System.Span<int> matches, out int matchCount, {Rt}MatchScope scope)"))
            {
                w.Line($"var fields = {Rt}EventFields.ForCurrentThread(Schema.SlotCount);");
                using (w.Block("try"))
                {
                    using (w.Block($"if (!{Rt}EventScanner.TryScan<Schema>(utf8Json, fields))"))
                    {
                        w.Line("matchCount = 0;");
                        w.Line("return false;");
                    }
                    w.Line($"matchCount = EvaluateScanned(new {Rt}EventView(utf8Json, fields), matches, scope == {Rt}MatchScope.DetectionOnly);");
                    w.Line("return true;");
                }
                using (w.Block("finally"))
                {
                    w.Line($"{Rt}EventFields.Release();");
                }
            }
            w.Line();

            w.Line("/// <inheritdoc/>");
            using (w.Block($"public bool TryEvaluate(global::System.ReadOnlySpan<byte> utf8Json, global::System.Span<int> matches, out int matchCount, {Rt}MatchScope scope, {Rt}ISequenceSink? sequences)"))
            {
                w.Line($"var fields = {Rt}EventFields.ForCurrentThread(Schema.SlotCount);");
                using (w.Block("try"))
                {
                    using (w.Block($"if (!{Rt}EventScanner.TryScan<Schema>(utf8Json, fields))"))
                    {
                        w.Line("matchCount = 0;");
                        w.Line("return false;");
                    }
                    w.Line($"var ev = new {Rt}EventView(utf8Json, fields);");
                    w.Line($"matchCount = EvaluateScanned(in ev, matches, scope == {Rt}MatchScope.DetectionOnly);");
                    w.Line("if (sequences is not null) EvaluateSequences(in ev, sequences);");
                    w.Line("return true;");
                }
                using (w.Block("finally"))
                {
                    w.Line($"{Rt}EventFields.Release();");
                }
            }
            w.Line();
            EmitSequences(w, plan, shared, rules);
            w.Line();

            var chunks = (plan.Rules.Count + RulesPerChunk - 1) / RulesPerChunk;
            using (w.Block($"private static int EvaluateScanned(scoped in {Rt}EventView ev, global::System.Span<int> matches, bool detectionOnly)"))
            {
                w.Line("var count = 0;");
                for (var c = 0; c < chunks; c++) w.Line($"count = EvaluateChunk{c}(in ev, matches, count, detectionOnly);");
                w.Line("return count;");
            }

            for (var c = 0; c < chunks; c++)
            {
                w.Line();
                using (w.Block($"private static int EvaluateChunk{c}(scoped in {Rt}EventView ev, global::System.Span<int> matches, int count, bool detectionOnly)"))
                {
                    for (var i = c * RulesPerChunk; i < System.Math.Min(plan.Rules.Count, (c + 1) * RulesPerChunk); i++)
                    {
                        var rule = plan.Rules[i];
                        if (rule.IsSequence) continue;
                        w.Line($"// {i}: {Literals.Comment(rule.Name)} ({Literals.Comment(rule.DisplayPath)})");
                        var call = rule.HasGate
                            ? $"(detectionOnly ? {rules}{rule.TypeName}.EvaluateDetection(ev.WithSlotMap(Map{i})) : {rules}{rule.TypeName}.Evaluate(ev.WithSlotMap(Map{i})))"
                            : $"{rules}{rule.TypeName}.Evaluate(ev.WithSlotMap(Map{i}))";
                        using (w.Block($"if ({call})"))
                        {
                            w.Line("if (count < matches.Length) matches[count] = " + i + ";");
                            w.Line("count++;");
                        }
                    }
                    w.Line("return count;");
                }
            }
            w.Line();

            w.Line("// Slot maps: a rule's own slot i reads shared slot Map[i].");
            for (var i = 0; i < plan.Rules.Count; i++)
            {
                var map = RuleSetPlan.SlotMap(plan.Rules[i], shared, allStringsSlot);
                // A static array, not a constant span: see SchemaEmitter (CreateSpan allocates in unoptimised code).
                w.Line($"private static readonly int[] Map{i} = new int[] {{ {string.Join(", ", map)} }};");
            }
            w.Line();

            var slotNames = shared.Select(f => f.ToString()).ToList();
            if (allStringsSlot >= 0) slotNames.Add("(every string value of the event)");
            SchemaEmitter.Emit(w, "Schema", SchemaPlan.Build(shared, allStringsSlot), slotNames);
        }
        return w.ToString();
    }

    /// <summary>
    /// The sequence rules' part of the pass: each clock's time (a distinct timestamp field among them) read once,
    /// then each sequence rule's steps, reported to the sink when the event matches any.
    /// </summary>
    private static void EmitSequences(SourceWriter w, RuleSetPlan plan, System.Collections.Generic.IReadOnlyList<Model.FieldRef> shared, string rules)
    {
        var sequenceRules = Enumerable.Range(0, plan.Rules.Count).Where(i => plan.Rules[i].IsSequence).ToList();
        var clocks = sequenceRules.Select(i => plan.Rules[i].SequenceClock!).Distinct().OrderBy(f => f.ToString(), System.StringComparer.Ordinal).ToList();
        var chunks = (sequenceRules.Count + RulesPerChunk - 1) / RulesPerChunk;
        w.Line($"// Sequence rules ({sequenceRules.Count}): the steps each event matches go to the sequence engine.");
        using (w.Block($"private static void EvaluateSequences(scoped in {Rt}EventView ev, {Rt}ISequenceSink sink)"))
        {
            for (var k = 0; k < clocks.Count; k++)
            {
                var slot = Enumerable.Range(0, shared.Count).First(s => shared[s].Equals(clocks[k]));
                w.Line($"// clock {k}: {Literals.Comment(clocks[k].ToString())}");
                w.Line($"var time{k} = {Rt}EventTime.Read(in ev, {slot});");
                w.Line($"sink.OnEventTime({k}, time{k});");
            }
            for (var c = 0; c < chunks; c++)
            {
                w.Line($"EvaluateSequenceChunk{c}(in ev, sink{string.Concat(Enumerable.Range(0, clocks.Count).Select(k => $", time{k}"))});");
            }
        }
        for (var c = 0; c < chunks; c++)
        {
            w.Line();
            var parameters = string.Concat(Enumerable.Range(0, clocks.Count).Select(k => $", long time{k}"));
            using (w.Block($"private static void EvaluateSequenceChunk{c}(scoped in {Rt}EventView ev, {Rt}ISequenceSink sink{parameters})"))
            {
                w.Line("ulong steps;");
                foreach (var i in sequenceRules.Skip(c * RulesPerChunk).Take(RulesPerChunk))
                {
                    var rule = plan.Rules[i];
                    var clock = clocks.IndexOf(rule.SequenceClock!);
                    w.Line($"// {i}: {Literals.Comment(rule.Name)} ({Literals.Comment(rule.DisplayPath)})");
                    w.Line($"steps = {rules}{rule.TypeName}.EvaluateSteps(ev.WithSlotMap(Map{i}));");
                    w.Line($"if (steps != 0) sink.OnSteps({i}, {clock}, time{clock}, steps, ev.WithSlotMap(Map{i}));");
                }
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RuleGen.Generator.Planning;

namespace RuleGen.Generator.Emit;

/// <summary>
/// Emits a rule set: one scan of each event with the shared schema (every field any rule reads), the candidate index
/// (each rule's witness literals, <see cref="Witnesses"/>), then the <c>Evaluate</c> of each candidate rule through
/// its slot map, matches written into the caller's buffer in rule order.
/// </summary>
public static class RuleSetEmitter
{
    private const string Rt = ConditionEmitter.Rt;

    /// <summary>Rules per generated evaluation method: keeps methods small enough for the JIT to optimise.</summary>
    private const int RulesPerChunk = 64;

    /// <summary>The alias the rule set's file gives the runtime's <c>JsonEventMatch</c> delegate (one per rule in its dispatch).</summary>
    internal const string MatchAlias = "RuleGenMatch";

    /// <summary>
    /// Rules from which a set consults its candidate index. Below, it evaluates every rule: the index folds and hashes
    /// each indexed value of the event, which costs more than a few rules' own first tests (usually the same literal).
    /// </summary>
    public const int IndexFromRules = 8;

    public static string Emit(RuleSetPlan plan)
    {
        // Rules are addressed through an alias of the Rules class: the set's own Rules property hides its name.
        var shared = plan.SharedFields();
        var allStringsSlot = plan.UsesAllStrings ? shared.Count : -1;
        var rules = RuleEmitter.RulesAlias + ".";
        var w = new SourceWriter();
        RuleEmitter.FileHeader(w, $"{plan.Rules.Count} rule file(s)", plan.Rules.Count > 0 ? plan.Namespace : null);
        w.Line($"namespace {plan.Namespace};");
        w.Line();
        w.Line("/// <summary>");
        w.Line(plan.ClassName == RuleSetNames.Default
            ? $"/// The compiled rules of this project ({plan.Rules.Count}) whose folders name no other rule set, evaluated together: one pass over each event's bytes"
            : $"/// The compiled rules of the rule folders that name the rule set {plan.ClassName} ({plan.Rules.Count}), evaluated together: one pass over each event's bytes");
        w.Line("/// extracts the fields any rule reads, then each rule's condition runs on them.");
        w.Line("/// </summary>");
        w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"RuleGen\", \"{RuleEmitter.GeneratorVersion}\")]");
        using (w.Block($"public sealed class {plan.ClassName} : {Rt}IIndexedRuleSet"))
        {
            w.Line("/// <summary>The rule set (it holds no state; evaluation is thread-safe).</summary>");
            w.Line($"public static {plan.ClassName} Instance {{ get; }} = new();");
            w.Line();
            var useIndex = plan.Rules.Count >= IndexFromRules;
            w.Line(useIndex
                ? $"// {plan.Rules.Count} rules: each event evaluates only the candidates its witness literals select (s_index)."
                : $"// {plan.Rules.Count} rule(s), fewer than {IndexFromRules}: each event evaluates every rule; the candidate index would cost more than it saves.");
            w.Line($"private const bool UseIndex = {(useIndex ? "true" : "false")};");
            w.Line();
            w.Line($"/// <summary>How many rules the set holds.</summary>");
            w.Line($"public const int Count = {plan.Rules.Count};");
            w.Line();
            EmitRules(w, plan, rules);
            w.Line("/// <inheritdoc/>");
            w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Rt}CompiledRule> Rules => s_rules;");
            w.Line();
            EmitRunSettings(w, plan);
            w.Line();
            if (plan.Correlations.Count > 0) CorrelationEmitter.EmitMembers(w, plan);
            w.Line("/// <inheritdoc/>");
            using (w.Block("public int Evaluate(global::System.ReadOnlySpan<byte> utf8Json, global::System.Span<int> matches)"))
            {
                w.Line($"var fields = {Rt}EventFields.ForCurrentThread(Schema.SlotCount);");
                using (w.Block("try"))
                {
                    w.Line($"{Rt}EventScanner.Scan<Schema>(utf8Json, fields);");
                    w.Line($"var ev = new {Rt}EventView(utf8Json, fields);");
                    w.Line($"return UseIndex ? EvaluateCandidates(in ev, matches, {Rt}MatchScope.Full) : EvaluateEveryRule(in ev, matches, {Rt}MatchScope.Full);");
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
            w.Line($"public bool TryEvaluate(global::System.ReadOnlySpan<byte> utf8Json, global::System.Span<int> matches, out int matchCount, {Rt}MatchScope scope) =>");
            w.Line("    TryEvaluate(utf8Json, matches, out matchCount, scope, null, useIndex: UseIndex);");
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line($"public bool TryEvaluate(global::System.ReadOnlySpan<byte> utf8Json, global::System.Span<int> matches, out int matchCount, {Rt}MatchScope scope, {Rt}ISequenceSink? sequences) =>");
            w.Line("    TryEvaluate(utf8Json, matches, out matchCount, scope, sequences, useIndex: UseIndex);");
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line($"public bool TryEvaluateEveryRule(global::System.ReadOnlySpan<byte> utf8Json, global::System.Span<int> matches, out int matchCount, {Rt}MatchScope scope) =>");
            w.Line("    TryEvaluate(utf8Json, matches, out matchCount, scope, null, useIndex: false);");
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line($"public {Rt}CandidateIndexInfo Index => s_index.Info;");
            w.Line();
            w.Line("/// <inheritdoc/>");
            using (w.Block($"public int CollectCandidates(global::System.ReadOnlySpan<byte> utf8Json, {Rt}MatchScope scope, global::System.Span<int> rules)"))
            {
                w.Line($"var fields = {Rt}EventFields.ForCurrentThread(Schema.SlotCount);");
                using (w.Block("try"))
                {
                    w.Line($"if (!{Rt}EventScanner.TryScan<Schema>(utf8Json, fields)) return -1;");
                    w.Line($"global::System.Span<ulong> candidates = stackalloc ulong[{(plan.Rules.Count + 63) / 64}];");
                    w.Line($"s_index.Collect(new {Rt}EventView(utf8Json, fields), scope, candidates);");
                    w.Line("var count = 0;");
                    using (w.Block("for (var word = 0; word < candidates.Length; word++)"))
                    {
                        w.Line("for (var bits = candidates[word]; bits != 0; bits &= bits - 1)");
                        w.Line("    if (count < rules.Length) rules[count++] = (word << 6) + global::System.Numerics.BitOperations.TrailingZeroCount(bits);");
                    }
                    w.Line("return count;");
                }
                using (w.Block("finally"))
                {
                    w.Line($"{Rt}EventFields.Release();");
                }
            }
            w.Line();
            using (w.Block($"private static bool TryEvaluate(global::System.ReadOnlySpan<byte> utf8Json, global::System.Span<int> matches, out int matchCount, {Rt}MatchScope scope, {Rt}ISequenceSink? sequences, bool useIndex)"))
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
                    w.Line("matchCount = useIndex ? EvaluateCandidates(in ev, matches, scope) : EvaluateEveryRule(in ev, matches, scope);");
                    w.Line("if (sequences is not null) EvaluateSequences(in ev, sequences);");
                    w.Line("return true;");
                }
                using (w.Block("finally"))
                {
                    w.Line($"{Rt}EventFields.Release();");
                }
            }
            w.Line();

            var words = (plan.Rules.Count + 63) / 64;
            w.Line("// The rules whose witness the event holds, and those without one; in rule order.");
            using (w.Block($"private static int EvaluateCandidates(scoped in {Rt}EventView ev, global::System.Span<int> matches, {Rt}MatchScope scope)"))
            {
                w.Line($"global::System.Span<ulong> candidates = stackalloc ulong[{words}];");
                w.Line("s_index.Collect(in ev, scope, candidates);");
                w.Line($"var detectionOnly = scope == {Rt}MatchScope.DetectionOnly;");
                w.Line("var count = 0;");
                using (w.Block("for (var word = 0; word < candidates.Length; word++)"))
                {
                    w.Line("var bits = candidates[word];");
                    using (w.Block("while (bits != 0)"))
                    {
                        w.Line("var rule = (word << 6) + global::System.Numerics.BitOperations.TrailingZeroCount(bits);");
                        w.Line("bits &= bits - 1;");
                        using (w.Block("if (EvaluateRule(rule, in ev, detectionOnly))"))
                        {
                            w.Line("if (count < matches.Length) matches[count] = rule;");
                            w.Line("count++;");
                        }
                    }
                }
                w.Line("return count;");
            }
            w.Line();
            using (w.Block($"private static int EvaluateEveryRule(scoped in {Rt}EventView ev, global::System.Span<int> matches, {Rt}MatchScope scope)"))
            {
                w.Line($"var detectionOnly = scope == {Rt}MatchScope.DetectionOnly;");
                w.Line("var count = 0;");
                using (w.Block("for (var rule = 0; rule < Count; rule++)"))
                {
                    using (w.Block("if (EvaluateRule(rule, in ev, detectionOnly))"))
                    {
                        w.Line("if (count < matches.Length) matches[count] = rule;");
                        w.Line("count++;");
                    }
                }
                w.Line("return count;");
            }
            w.Line();

            EmitSequences(w, plan, shared, rules);
            w.Line();

            var chunks = (plan.Rules.Count + RulesPerChunk - 1) / RulesPerChunk;
            // Rules that share a logsource gate (Rules.Gates) have it evaluated here, before their detection: the
            // chunks then call the detection alone, and the rules need no member for their gate.
            var gateNames = new List<string>();
            var gateOf = new int[plan.Rules.Count];
            for (var i = 0; i < plan.Rules.Count; i++)
            {
                var name = plan.Rules[i].IsSequence || plan.Rules[i].Gate is not { } g ? null : GateEmitter.SharedClassName(g);
                if (name is null) { gateOf[i] = -1; continue; }
                var at = gateNames.IndexOf(name);
                if (at < 0) { at = gateNames.Count; gateNames.Add(name); }
                gateOf[i] = at;
            }
            w.Line("// Single-event rules (a sequence rule's steps are evaluated by EvaluateSequences instead).");
            using (w.Block($"private static bool EvaluateRule(int rule, scoped in {Rt}EventView ev, bool detectionOnly)"))
            {
                w.Line("// The rule's own slots read the set's shared slots through its slot map.");
                w.Line("var view = ev.WithSlotMap(SlotMap(rule));");
                if (gateNames.Count > 0)
                    w.Line("if (!detectionOnly && !EvaluateSharedGate(s_sharedGateOf[rule], in view)) return false;");
                using (w.Block($"switch (rule / {RulesPerChunk})"))
                {
                    for (var c = 0; c < chunks; c++) w.Line($"case {c}: return EvaluateChunk{c}(rule, in view, detectionOnly);");
                    w.Line("default: return false;");
                }
            }
            if (gateNames.Count > 0)
            {
                w.Line();
                w.Line($"// Each rule's shared logsource gate, by number (-1: none; the rule's own Evaluate has its gate, if any).");
                w.Line($"private static readonly short[] s_sharedGateOf = new short[] {{ {string.Join(", ", gateOf.Select(x => x.ToString(CultureInfo.InvariantCulture)))} }};");
                w.Line();
                using (w.Block($"private static bool EvaluateSharedGate(int gate, scoped in {Rt}EventView view) => gate switch"))
                {
                    for (var k = 0; k < gateNames.Count; k++) w.Line($"{k} => {rules}{GateEmitter.ClassName}.{gateNames[k]}.Evaluate(in view),");
                    w.Line("_ => true,");
                }
                w.Line(";");
            }

            for (var c = 0; c < chunks; c++)
            {
                w.Line();
                // Each case is the rule's type: the rule's file has its query and a comment per check.
                using (w.Block($"private static bool EvaluateChunk{c}(int rule, scoped in {Rt}EventView view, bool detectionOnly)"))
                {
                    using (w.Block("switch (rule)"))
                    {
                        for (var i = c * RulesPerChunk; i < System.Math.Min(plan.Rules.Count, (c + 1) * RulesPerChunk); i++)
                        {
                            var rule = plan.Rules[i];
                            if (rule.IsSequence) continue;
                            var type = rules + rule.TypeName;
                            var call = gateOf[i] >= 0 ? $"{type}.EvaluateDetection(in view)"
                                : rule.HasGate ? $"detectionOnly ? {type}.EvaluateDetection(in view) : {type}.Evaluate(in view)"
                                : $"{type}.Evaluate(in view)";
                            w.Line($"case {i}: return {call};");
                        }
                        w.Line("default: return false;");
                    }
                }
            }
            w.Line();

            EmitIndex(w, plan, shared, allStringsSlot);
            w.Line();

            EmitSlotMaps(w, plan, shared, allStringsSlot);
            w.Line();

            var slotNames = shared.Select(f => f.ToString()).ToList();
            if (allStringsSlot >= 0) slotNames.Add("(every string value of the event)");
            SchemaEmitter.Emit(w, "Schema", SchemaPlan.Build(shared, allStringsSlot), slotNames);
        }
        return w.ToString();
    }

    /// <summary>
    /// The set's <c>CompiledRule</c>s, built in one loop over the set's dispatch (metadata and lone matchers by rule
    /// index, in chunked switches), so that starting the set neither decodes any rule's metadata nor runs any rule's
    /// type initializer: a type initializer with a delegate per rule was most of a corpus's start-up.
    /// </summary>
    private static void EmitRules(SourceWriter w, RuleSetPlan plan, string rules)
    {
        var sequences = Enumerable.Range(0, plan.Rules.Count).Where(i => plan.Rules[i].IsSequence).ToList();
        w.Line($"private static readonly {Rt}CompiledRule[] s_rules = CreateRules();");
        w.Line();
        using (w.Block($"private static {Rt}CompiledRule[] CreateRules()"))
        {
            w.Line($"var rules = new {Rt}CompiledRule[Count];");
            w.Line($"for (var i = 0; i < rules.Length; i++) rules[i] = new {Rt}CompiledRule(i, Dispatch.Instance);");
            if (sequences.Count > 0)
            {
                w.Line("// Sequence rules never match a single event; the sequence engine joins their steps.");
                foreach (var i in sequences)
                    w.Line($"rules[{i}] = new {Rt}CompiledRule({i}, Dispatch.Instance) {{ Sequence = {rules}{plan.Rules[i].TypeName}.Sequence }};");
            }
            w.Line("return rules;");
        }
        w.Line();
        w.Line("// Each rule's metadata and its matchers alone, by index (CompiledRule asks here).");
        using (w.Block($"private sealed class Dispatch : {Rt}IRuleDispatch"))
        {
            w.Line("public static readonly Dispatch Instance = new();");
            w.Line();
            w.Line($"public {Rt}RuleInfo InfoOf(int rule) => Info(rule);");
            w.Line();
            w.Line($"public bool IsMatch(int rule, global::System.ReadOnlySpan<byte> utf8Json, {Rt}MatchScope scope) => Match(rule, utf8Json, scope == {Rt}MatchScope.DetectionOnly);");
        }
        w.Line();
        // The metadata store (Rules.Metadata) holds every rule of the project in order, so a rule's metadata is the
        // store's entry at the rule's place there (the same cached RuleInfo as the rule's own Info).
        var store = $"{rules}{MetadataStoreEmitter.ClassName}.Store";
        var offset = plan.Rules.Count == 0 ? 0 : plan.Rules[0].StoreIndex;
        if (plan.Rules.Count == 0)
        {
            w.Line($"private static {Rt}RuleInfo Info(int rule) => throw new global::System.ArgumentOutOfRangeException(nameof(rule));");
        }
        else if (Enumerable.Range(0, plan.Rules.Count).All(i => plan.Rules[i].StoreIndex == i + offset))
        {
            w.Line($"private static {Rt}RuleInfo Info(int rule) => (uint)rule < Count ? {store}.Info(rule{(offset == 0 ? "" : " + " + offset.ToString(CultureInfo.InvariantCulture))}) : throw new global::System.ArgumentOutOfRangeException(nameof(rule));");
        }
        else
        {
            w.Line($"private static readonly int[] s_storeIndex = new int[] {{ {string.Join(", ", plan.Rules.Select(r => r.StoreIndex.ToString(CultureInfo.InvariantCulture)))} }};");
            w.Line();
            w.Line($"private static {Rt}RuleInfo Info(int rule) => {store}.Info(s_storeIndex[rule]);");
        }
        w.Line();
        // A rule alone scans with its own schema (its IsMatch), not the set's: what the agreement tests compare a pass
        // with. The matchers are a delegate per rule, made on first use (a rule set's own evaluation never needs them).
        var match = $"{Rt}JsonEventMatch";
        w.Line($"private static {match}[]? s_isMatch;");
        w.Line($"private static {match}?[]? s_isDetectionMatch;");
        w.Line();
        w.Line("// The detection-only scope uses a rule's IsDetectionMatch where it has a gate (null: the rule has none, so IsMatch).");
        using (w.Block("private static bool Match(int rule, global::System.ReadOnlySpan<byte> utf8Json, bool detectionOnly)"))
        {
            w.Line("if ((uint)rule >= Count) return false;");
            w.Line("if (detectionOnly && (s_isDetectionMatch ??= DetectionMatchers())[rule] is { } detection) return detection(utf8Json);");
            w.Line("return (s_isMatch ??= Matchers())[rule](utf8Json);");
        }
        w.Line();
        // Explicit delegate creation: a method group converted implicitly would get a compiler-made static field each
        // to cache it in, thousands of fields and their code for delegates made once anyway.
        EmitMatcherArray(w, plan, match, "Matchers", rule => rule.IsSequence ? $"{Rt}JsonEventMatches.Never" : $"new {MatchAlias}({rules}{rule.TypeName}.IsMatch)");
        w.Line();
        EmitMatcherArray(w, plan, match + "?", "DetectionMatchers", rule => !rule.IsSequence && rule.HasGate ? $"new {MatchAlias}({rules}{rule.TypeName}.IsDetectionMatch)" : "null");
        w.Line();
    }

    private static void EmitMatcherArray(SourceWriter w, RuleSetPlan plan, string elementType, string name, System.Func<RuleSetEntry, string> element)
    {
        w.Line($"private static {elementType}[] {name}() => new {elementType}[]");
        w.Line("{");
        for (var i = 0; i < plan.Rules.Count; i++) w.Line($"    {element(plan.Rules[i])},");
        w.Line("};");
    }

    /// <summary>
    /// Each rule's run settings as data: the distinct settings once, and per rule an index into them (-1: the rule's
    /// metadata decides more, such as a threshold, so a host reads it).
    /// </summary>
    private static void EmitRunSettings(SourceWriter w, RuleSetPlan plan)
    {
        var distinct = new List<RunSettings>();
        var of = new List<int>();
        foreach (var rule in plan.Rules)
        {
            if (rule.RunSettings is not { } settings)
            {
                of.Add(-1);
                continue;
            }
            var at = distinct.IndexOf(settings);
            if (at < 0)
            {
                at = distinct.Count;
                distinct.Add(settings);
            }
            of.Add(at);
        }
        string Text(string? value) => value is null ? "null" : Literals.String(value);
        w.Line($"// Run settings (interval, from, max_signals, timestamp_override; time fields and format) of the single-event queries, as their metadata states them:");
        w.Line($"// {of.Count(i => i >= 0)} of {plan.Rules.Count} rules, {distinct.Count} distinct. s_runSettingsOf[r] indexes s_runSettings; -1: read rule r's metadata.");
        w.Line($"private static readonly {Rt}RuleRunSettings[] s_runSettings = new {Rt}RuleRunSettings[]");
        w.Line("{");
        foreach (var settings in distinct)
        {
            var max = settings.MaxSignals is { } m ? m.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null";
            var time = settings.TimeFields.Count == 0 ? "" : $"TimeFields = new string[] {{ {string.Join(", ", settings.TimeFields.Select(Literals.String))} }}, ";
            w.Line($"    new({Text(settings.Interval)}, {Text(settings.From)}, {max}, {Text(settings.TimestampOverride)}) {{ {time}Format = {Text(settings.Format)} }},");
        }
        w.Line("};");
        w.Line("private static readonly short[] s_runSettingsOf = new short[]");
        w.Line("{");
        for (var i = 0; i < of.Count; i += 32) w.Line("    " + string.Join(", ", of.Skip(i).Take(32)) + ",");
        w.Line("};");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public {Rt}RuleRunSettings? RunSettingsOf(int rule) => (uint)rule < Count && s_runSettingsOf[rule] >= 0 ? s_runSettings[s_runSettingsOf[rule]] : null;");
    }

    /// <summary>
    /// Every rule's slot map in one array: rule r's own slot j reads shared slot s_slotMaps[s_slotMapStart[r] + j]. One
    /// array (stored as data by the compiler) rather than an array per rule, each of which the type initializer built.
    /// </summary>
    private static void EmitSlotMaps(SourceWriter w, RuleSetPlan plan, System.Collections.Generic.IReadOnlyList<Model.FieldRef> shared, int allStringsSlot)
    {
        var starts = new List<int>();
        w.Line("// Slot maps: rule r's own slot j reads shared slot s_slotMaps[s_slotMapStart[r] + j].");
        w.Line("private static readonly int[] s_slotMaps = new int[]");
        w.Line("{");
        var at = 0;
        for (var i = 0; i < plan.Rules.Count; i++)
        {
            var map = RuleSetPlan.SlotMap(plan.Rules[i], shared, allStringsSlot);
            starts.Add(at);
            at += map.Length;
            if (map.Length > 0) w.Line($"    /* {i} */ {string.Join(", ", map)},");
        }
        starts.Add(at);
        w.Line("};");
        w.Line($"private static readonly int[] s_slotMapStart = new int[] {{ {string.Join(", ", starts)} }};");
        w.Line();
        w.Line("private static global::System.ReadOnlySpan<int> SlotMap(int rule) => new(s_slotMaps, s_slotMapStart[rule], s_slotMapStart[rule + 1] - s_slotMapStart[rule]);");
    }

    /// <summary>The candidate index: each rule's witness for a full match and for the detection alone.</summary>
    private static void EmitIndex(SourceWriter w, RuleSetPlan plan, System.Collections.Generic.IReadOnlyList<Model.FieldRef> shared, int allStringsSlot)
    {
        var witnesses = Witnesses.Plan(plan.Rules, shared, allStringsSlot);
        string SlotName(int slot) => slot == allStringsSlot ? "any string" : shared[slot].Name;
        string Either(Witness witness) =>
            string.Join(" or ", witness.Atoms.Select(a => a.Kind switch
            {
                WitnessKind.Present => $"{SlotName(a.Slot)} has a value",
                WitnessKind.ContainsByte => $"{SlotName(a.Slot)} contains the byte 0x{(int)a.Literal[0]:X2}",
                _ => $"{SlotName(a.Slot)} {Verb(a.Kind)} \"{a.Literal}\"",
            }));
        string Describe(IReadOnlyList<Witness> groups) => groups.Count == 0 ? "none (always evaluated)"
            : groups[0].Atoms.Count == 0 ? "never evaluated as a single-event rule (it cannot match, or it is a sequence)"
            : string.Join("; and ", groups.Select(Either));
        // A rule's witness as the runtime reads it: "-" for none, else LENGTH ':' TEXT (LENGTH in UTF-8 bytes; the
        // text's atoms KIND SLOT ':' LENGTH ':' LITERAL, groups joined by '&').
        string Data(IReadOnlyList<Witness> groups)
        {
            if (groups.Count == 0) return "-";
            var text = string.Join("&", groups.Select(g => string.Concat(g.Atoms.Select(a => $"{Symbol(a.Kind)}{a.Slot}:{Utf8Length(a.Literal)}:{a.Literal}"))));
            return $"{Utf8Length(text)}:{text}";
        }

        var chunks = (plan.Rules.Count + RulesPerChunk - 1) / RulesPerChunk;
        w.Line("// The candidate index. Each rule's witness: literals (ASCII case folded) one of which every event it matches");
        w.Line("// holds. As data, rule after rule, 64 rules to a chunk: '-' for no witness (the rule is evaluated on every event),");
        w.Line("// else LENGTH:TEXT, the text's literals KIND SLOT:LENGTH:LITERAL with KIND '=' equals, '^' starts with, '$' ends");
        w.Line("// with, '*' contains, '%' contains the byte, '?' has a value (lengths in UTF-8 bytes). A rule can need several");
        w.Line("// witnesses at once, joined by '&': two of an AND's operands, the logsource's. First for a full match, then for");
        w.Line("// the detection alone; each chunk's rules are described above it (for the detection alone, the rules whose witnesses");
        w.Line("// are not all among their full match's).");
        w.Line($"private static readonly {Rt}CandidateIndex s_index = new({plan.Rules.Count}, {RulesPerChunk}, FullWitnesses, DetectionWitnesses);");
        foreach (var (name, full) in new[] { ("FullWitnesses", true), ("DetectionWitnesses", false) })
        {
            w.Line();
            w.Line($"private static global::System.ReadOnlySpan<byte> {name}(int chunk) => chunk switch");
            w.Line("{");
            using (w.Indent())
            {
                for (var c = 0; c < chunks; c++)
                {
                    var data = new System.Text.StringBuilder();
                    for (var i = c * RulesPerChunk; i < System.Math.Min(plan.Rules.Count, (c + 1) * RulesPerChunk); i++)
                    {
                        var groups = full ? witnesses[i].Full : witnesses[i].Detection;
                        // The detection's witnesses are most often the full match's less the logsource's: only the
                        // others are described again.
                        if (full || !witnesses[i].Detection.All(d => witnesses[i].Full.Contains(d)))
                            w.Line($"// {i}: {Literals.Comment(Truncate(Describe(groups)))}");
                        data.Append(Data(groups));
                    }
                    w.Line($"{c} => {Literals.Utf8(data.ToString())},");
                }
                w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(chunk)),");
            }
            w.Line("};");
        }
    }

    /// <summary>The UTF-8 length the runtime reads (a lone surrogate is written as U+FFFD, as <see cref="Literals.Utf8"/> writes it).</summary>
    private static int Utf8Length(string text) => new System.Text.UTF8Encoding(false, false).GetByteCount(text);

    private static string Truncate(string text) => text.Length <= 120 ? text : text.Substring(0, 120) + " ...";

    private static string Verb(WitnessKind kind) => kind switch
    {
        WitnessKind.Equals => "is",
        WitnessKind.StartsWith => "starts with",
        WitnessKind.EndsWith => "ends with",
        _ => "contains",
    };

    private static char Symbol(WitnessKind kind) => kind switch
    {
        WitnessKind.Equals => '=',
        WitnessKind.StartsWith => '^',
        WitnessKind.EndsWith => '$',
        WitnessKind.Contains => '*',
        WitnessKind.ContainsByte => '%',
        _ => '?',
    };

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
                    w.Line($"steps = {rules}{rule.TypeName}.EvaluateSteps(ev.WithSlotMap(SlotMap({i})));");
                    w.Line($"if (steps != 0) sink.OnSteps({i}, {clock}, time{clock}, steps, ev.WithSlotMap(SlotMap({i})));");
                }
            }
        }
    }
}

using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;
using RuleGen.Generator.RuleFormats;

namespace RuleGen.Generator.Emit;

/// <summary>
/// Emits a <see cref="SchemaPlan"/> in one of two forms. A rule set's schema (<see cref="Emit"/>), which every event
/// goes through, is an <c>IFieldSchema</c> struct whose key lookup is a generated decision tree (switch on key length,
/// then on the byte that best separates the candidates, then one sequence comparison). A rule's own schema, for its
/// <c>IsMatch</c> alone, is data (<see cref="EmitTable"/>): a runtime <c>FieldTable</c> built from its paths on first use, since
/// thousands of rules each with its own decision tree were most of a corpus's generated code.
/// </summary>
public static class SchemaEmitter
{
    private const string Rt = ConditionEmitter.Rt;

    /// <summary>
    /// A rule's (or nested scope's) schema as a table: a struct naming the <c>FieldTable</c> the runtime builds, on
    /// first use, from the fields' paths (<see cref="TableJson"/>). The remarks list the slots for the reader.
    /// </summary>
    public static void EmitTable(SourceWriter w, string typeName, IReadOnlyList<FieldRef> fields, bool allStrings, string accessibility = "private")
    {
        // The table's JSON lists each slot's paths in slot order: readable as it is, so no summary repeats them.
        if (allStrings) w.Line($"// Slot {fields.Count} takes every string value of the event.");
        using (w.Block($"{accessibility} readonly struct {typeName} : {Rt}IFieldTableSource"))
        {
            w.Line($"public static {Rt}FieldTable Table {{ get; }} = {Rt}FieldTable.FromJson({Literals.Utf8(TableJson(fields, allStrings))});");
        }
    }

    /// <summary>
    /// The fields as <c>FieldTable.FromJson</c> reads them: each slot's paths, the slots whose paths event keys with
    /// spaces also reach, and whether one more slot takes every string value (the trie is built from these).
    /// </summary>
    public static string TableJson(IReadOnlyList<FieldRef> fields, bool allStrings)
    {
        var sb = new StringBuilder("{\"fields\":[");
        for (var slot = 0; slot < fields.Count; slot++)
        {
            if (slot > 0) sb.Append(',');
            sb.Append('[');
            for (var p = 0; p < fields[slot].Paths.Count; p++)
            {
                if (p > 0) sb.Append(',');
                JsonText.AppendString(sb, fields[slot].Paths[p]);
            }
            sb.Append(']');
        }
        sb.Append(']');
        var spaceless = Enumerable.Range(0, fields.Count).Where(i => fields[i].IgnoreSpacesInKeys).ToList();
        if (spaceless.Count > 0) sb.Append(",\"spaceless\":[").Append(string.Join(",", spaceless.Select(i => i.ToString(CultureInfo.InvariantCulture)))).Append(']');
        if (allStrings) sb.Append(",\"allStrings\":true");
        return sb.Append('}').ToString();
    }

    public static void Emit(SourceWriter w, string typeName, SchemaPlan plan, IReadOnlyList<string> slotNames)
    {
        w.Line("/// <summary>The field paths read here, as a trie of dotted prefixes (node 0 is the event's root).</summary>");
        w.Line("/// <remarks>");
        w.Line("/// Slots:");
        for (var i = 0; i < slotNames.Count; i++) w.Line($"/// {i} = {Literals.Xml(slotNames[i])}<br/>");
        w.Line("/// </remarks>");
        using (w.Block($"private readonly struct {typeName} : {Rt}IFieldSchema"))
        {
            w.Line($"public static int SlotCount => {plan.SlotCount};");
            w.Line();
            w.Line($"public static int AllStringsSlot => {plan.AllStringsSlot};");
            w.Line();
            if (plan.Patterns.Count == 0)
            {
                w.Line($"public static {Rt}FieldPatternSet? Patterns => null;");
            }
            else
            {
                var patterns = string.Join(", ", plan.Patterns.Select(p => Literals.String(p.Pattern)));
                var slots = string.Join(", ", plan.Patterns.Select(p => p.Slot));
                w.Line($"private static readonly {Rt}FieldPatternSet s_patterns = new(new string[] {{ {patterns} }}, new int[] {{ {slots} }});");
                w.Line();
                w.Line($"public static {Rt}FieldPatternSet? Patterns => s_patterns;");
            }
            w.Line();

            // Per node, its slots as a slice of one array, and whether paths continue below it: table lookups, which
            // the scanner makes for every key it meets (a switch over hundreds of nodes spreads over kilobytes of code).
            // Static arrays, not constant spans (`=> new int[] { 1 }`): those compile to RuntimeHelpers.CreateSpan,
            // which allocates wherever the JIT does not optimise (Debug builds, tier 0).
            var nodeCount = plan.Nodes.Max(n => n.Id) + 1;
            var slotStart = new int[nodeCount];
            var slotCount = new int[nodeCount];
            var hasChildren = new bool[nodeCount];
            var slotList = new List<int>();
            foreach (var node in plan.Nodes.OrderBy(n => n.Id))
            {
                slotStart[node.Id] = slotList.Count;
                slotCount[node.Id] = node.Slots.Count;
                slotList.AddRange(node.Slots);
                hasChildren[node.Id] = node.HasChildren;
            }
            w.Line("// Node n feeds s_slots[s_slotStart[n] .. s_slotStart[n] + s_slotCount[n]). The nodes:");
            foreach (var node in plan.Nodes.OrderBy(n => n.Id))
            {
                var fed = node.Slots.Count == 0 ? "" : $" -> slot{(node.Slots.Count == 1 ? "" : "s")} {string.Join(", ", node.Slots)}";
                w.Line($"//   {node.Id}: {(node.Id == 0 ? "(the event)" : Literals.Comment(node.Path))}{fed}");
            }
            w.Line($"private static readonly int[] s_slots = new int[] {{ {string.Join(", ", slotList)} }};");
            w.Line($"private static readonly int[] s_slotStart = new int[] {{ {string.Join(", ", slotStart)} }};");
            w.Line($"private static readonly int[] s_slotCount = new int[] {{ {string.Join(", ", slotCount)} }};");
            w.Line($"private static readonly bool[] s_hasChildren = new bool[] {{ {string.Join(", ", hasChildren.Select(h => h ? "true" : "false"))} }};");
            w.Line();
            w.Line("public static global::System.ReadOnlySpan<int> Slots(int node) => new(s_slots, s_slotStart[node], s_slotCount[node]);");
            w.Line();
            w.Line("public static bool HasChildren(int node) => s_hasChildren[node];");
            w.Line();

            var parents = plan.Nodes.Where(n => n.HasChildren).ToList();
            using (w.Block("public static int Child(int node, global::System.ReadOnlySpan<byte> key)"))
            {
                if (parents.Count == 0)
                {
                    w.Line("return -1;");
                }
                else
                {
                    using (w.Block("switch (node)"))
                    {
                        foreach (var node in parents) w.Line($"case {node.Id}: return ChildOf{node.Id}(key);");
                        w.Line("default: return -1;");
                    }
                }
            }

            foreach (var node in parents)
            {
                w.Line();
                w.Line($"// Keys under {(node.Id == 0 ? "the root" : "\"" + Literals.Comment(node.Path) + "\"")}.");
                // A native key with spaces ("Threat Name") also reaches a field written without them (ThreatName).
                var spaceless = node.Children.Any(e => e.IgnoresSpaces);
                using (w.Block($"private static int ChildOf{node.Id}(global::System.ReadOnlySpan<byte> key)"))
                {
                    if (spaceless)
                    {
                        w.Line($"var found = ChildOf{node.Id}Exact(key);");
                        w.Line("if (found >= 0 || global::System.MemoryExtensions.IndexOf(key, (byte)' ') < 0) return found;");
                        w.Line("global::System.Span<byte> compact = key.Length <= 256 ? stackalloc byte[key.Length] : new byte[key.Length];");
                        w.Line($"var target = ChildOf{node.Id}Exact({Rt}KeyText.WithoutSpaces(key, compact));");
                        var targets = node.Children.Where(e => e.IgnoresSpaces).Select(e => e.Target).Distinct().OrderBy(t => t);
                        w.Line($"return target is {string.Join(" or ", targets)} ? target : -1;");
                    }
                    else
                    {
                        EmitLookup(w, node.Children.Select(e => (Utf8(e.Key), e.Target)).ToList());
                    }
                }
                if (spaceless)
                {
                    w.Line();
                    using (w.Block($"private static int ChildOf{node.Id}Exact(global::System.ReadOnlySpan<byte> key)"))
                    {
                        EmitLookup(w, node.Children.Select(e => (Utf8(e.Key), e.Target)).ToList());
                    }
                }
            }
        }
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    /// <summary>Above this many keys, each key length gets its own method: one huge method is not optimised by the JIT.</summary>
    private const int KeysPerMethod = 32;

    private static void EmitLookup(SourceWriter w, List<(byte[] Key, int Target)> candidates)
    {
        var groups = candidates.GroupBy(c => c.Key.Length).OrderBy(g => g.Key).ToList();
        var split = candidates.Count > KeysPerMethod;
        using (w.Block("switch (key.Length)"))
        {
            foreach (var group in groups)
            {
                if (split && group.Count() > 2)
                {
                    w.Line($"case {group.Key}: return KeysOfLength{group.Key}(key);");
                    continue;
                }
                w.Line($"case {group.Key}:");
                using (w.Indent())
                {
                    EmitDiscriminate(w, group.ToList());
                }
            }
        }
        w.Line("return -1;");
        if (!split) return;
        foreach (var group in groups.Where(g => g.Count() > 2))
        {
            w.Line();
            using (w.Block($"static int KeysOfLength{group.Key}(global::System.ReadOnlySpan<byte> key)"))
            {
                EmitDiscriminate(w, group.ToList());
            }
        }
    }

    // Candidates of equal length: switch on the byte position that splits them most, recursively, then compare.
    private static void EmitDiscriminate(SourceWriter w, List<(byte[] Key, int Target)> candidates)
    {
        if (candidates.Count <= 2)
        {
            foreach (var (key, target) in candidates)
            {
                w.Line($"if (global::System.MemoryExtensions.SequenceEqual(key, {Literals.Utf8(System.Text.Encoding.UTF8.GetString(key))})) return {target};");
            }
            w.Line("return -1;");
            return;
        }
        var length = candidates[0].Key.Length;
        var best = 0;
        var bestDistinct = 0;
        for (var i = 0; i < length; i++)
        {
            var distinct = candidates.Select(c => c.Key[i]).Distinct().Count();
            if (distinct > bestDistinct)
            {
                best = i;
                bestDistinct = distinct;
            }
        }
        if (bestDistinct <= 1)
        {
            // Identical keys cannot happen (prefixes are unique); be safe anyway.
            foreach (var (key, target) in candidates)
                w.Line($"if (global::System.MemoryExtensions.SequenceEqual(key, {Literals.Utf8(System.Text.Encoding.UTF8.GetString(key))})) return {target};");
            w.Line("return -1;");
            return;
        }
        using (w.Block($"switch (key[{best}])"))
        {
            foreach (var group in candidates.GroupBy(c => c.Key[best]).OrderBy(g => g.Key))
            {
                w.Line($"case {group.Key}:");
                using (w.Indent()) EmitDiscriminate(w, group.ToList());
            }
        }
        w.Line("return -1;");
    }
}

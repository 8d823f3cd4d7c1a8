using System;
using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Planning;

/// <summary>A trie node: a dotted path prefix, the slots its values feed, and the keys that lead on from it.</summary>
public sealed record SchemaNode(int Id, string Path, EquatableArray<int> Slots, EquatableArray<SchemaEdge> Children)
{
    public bool HasChildren => Children.Count > 0;
}

/// <summary>From a node, the key (which may contain dots) that reaches node <see cref="Target"/>.</summary>
public sealed record SchemaEdge(string Key, int Target)
{
    /// <summary>An event key also reaches <see cref="Target"/> when it equals <see cref="Key"/> once its spaces are removed.</summary>
    public bool IgnoresSpaces { get; init; }
}

/// <summary>A field-name pattern and the slot its matching values feed.</summary>
public sealed record SchemaPattern(string Pattern, int Slot);

/// <summary>
/// The field schema a scanner needs, planned from the fields and their slots: a trie of path prefixes (node 0 is
/// the root), the field-name patterns, and the all-strings slot. Emitted as an <c>IFieldSchema</c> struct.
/// </summary>
public sealed record SchemaPlan(int SlotCount, EquatableArray<SchemaNode> Nodes, EquatableArray<SchemaPattern> Patterns, int AllStringsSlot)
{
    public static SchemaPlan Build(IReadOnlyList<FieldRef> fields, int allStringsSlot)
    {
        var slotCount = fields.Count + (allStringsSlot >= 0 ? 1 : 0);
        var prefixes = new SortedDictionary<string, List<int>>(StringComparer.Ordinal) { [""] = new List<int>() };
        var patterns = new List<SchemaPattern>();
        var spaceless = new HashSet<string>(StringComparer.Ordinal);
        for (var slot = 0; slot < fields.Count; slot++)
        {
            foreach (var path in fields[slot].Paths)
            {
                if (path.IndexOf('*') >= 0)
                {
                    patterns.Add(new SchemaPattern(path, slot));
                    continue;
                }
                var dot = path.IndexOf('.');
                while (dot > 0)
                {
                    var prefix = path.Substring(0, dot);
                    if (!prefixes.ContainsKey(prefix)) prefixes[prefix] = new List<int>();
                    dot = path.IndexOf('.', dot + 1);
                }
                if (fields[slot].IgnoreSpacesInKeys) spaceless.Add(path);
                if (!prefixes.TryGetValue(path, out var slots)) prefixes[path] = slots = new List<int>();
                if (!slots.Contains(slot)) slots.Add(slot);
            }
        }

        // Root first, then prefixes in ordinal order: ids are stable for the same fields.
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var ordered = prefixes.Keys.ToList();
        for (var i = 0; i < ordered.Count; i++) ids[ordered[i]] = i;

        var nodes = new List<SchemaNode>();
        foreach (var prefix in ordered)
        {
            var edges = new List<SchemaEdge>();
            var lead = prefix.Length == 0 ? "" : prefix + ".";
            // Strings sharing a prefix are contiguous in ordinal order: scan from the first one.
            var at = ordered.BinarySearch(lead, StringComparer.Ordinal);
            if (at < 0) at = ~at;
            for (; at < ordered.Count && ordered[at].StartsWith(lead, StringComparison.Ordinal); at++)
            {
                var other = ordered[at];
                if (other.Length > lead.Length) edges.Add(new SchemaEdge(other.Substring(lead.Length), ids[other]) { IgnoresSpaces = spaceless.Contains(other) });
            }
            nodes.Add(new SchemaNode(ids[prefix], prefix, prefixes[prefix].ToEquatableArray(), edges.ToEquatableArray()));
        }
        return new SchemaPlan(slotCount, nodes.ToEquatableArray(), patterns.ToEquatableArray(), allStringsSlot);
    }
}

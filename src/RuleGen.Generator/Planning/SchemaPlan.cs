using System;
using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Model;
using RuleGen.Runtime;

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
/// the root; built by the trie the runtime shares, <c>FieldTrie</c>), the field-name patterns, and the all-strings slot.
/// Emitted as an <c>IFieldSchema</c> struct (a rule set) or as the paths a runtime <c>FieldTable</c> is built from (a rule).
/// </summary>
public sealed record SchemaPlan(int SlotCount, EquatableArray<SchemaNode> Nodes, EquatableArray<SchemaPattern> Patterns, int AllStringsSlot)
{
    public static SchemaPlan Build(IReadOnlyList<FieldRef> fields, int allStringsSlot)
    {
        var slotCount = fields.Count + (allStringsSlot >= 0 ? 1 : 0);
        var trie = FieldTrie.Build(fields.Select(f => (IReadOnlyList<string>)f.Paths.AsImmutableArray()).ToList(), fields.Select(f => f.IgnoreSpacesInKeys).ToList());
        var nodes = new List<SchemaNode>();
        var edges = trie.Edges.ToLookup(e => e.From);
        for (var node = 0; node < trie.Prefixes.Count; node++)
        {
            nodes.Add(new SchemaNode(node, trie.Prefixes[node], trie.NodeSlots[node].ToEquatableArray(),
                edges[node].Select(e => new SchemaEdge(e.Key, e.To) { IgnoresSpaces = e.IgnoresSpaces }).ToEquatableArray()));
        }
        var patterns = trie.Patterns.Select(p => new SchemaPattern(p.Key, p.Value)).ToEquatableArray();
        return new SchemaPlan(slotCount, nodes.ToEquatableArray(), patterns, allStringsSlot);
    }
}

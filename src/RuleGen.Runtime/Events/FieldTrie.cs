using System;
using System.Collections.Generic;

namespace RuleGen.Runtime;

/// <summary>
/// The trie of dotted path prefixes that a field schema is (shared with the generator, which links this file): from
/// each slot's paths, the nodes (node 0 is the event itself, then every prefix in ordinal order), the slots each
/// node's values feed, the keys that lead from one node to another, and the field-name patterns. The generator plans
/// a rule set's decision-tree schema from it (<c>SchemaPlan</c>); the runtime builds a rule's <see cref="FieldTable"/>
/// from it. One construction, so the two cannot disagree.
/// </summary>
internal sealed class FieldTrie
{
    /// <summary>One key from a node to another; the key may contain dots (a flattened name).</summary>
    internal readonly struct Edge
    {
        public Edge(int from, string key, int to, bool ignoresSpaces)
        {
            From = from;
            Key = key;
            To = to;
            IgnoresSpaces = ignoresSpaces;
        }

        public int From { get; }
        public string Key { get; }
        public int To { get; }

        /// <summary>An event key also reaches <see cref="To"/> when it equals <see cref="Key"/> once its spaces are removed.</summary>
        public bool IgnoresSpaces { get; }
    }

    private FieldTrie(List<string> prefixes, List<int>[] slots, List<Edge> edges, List<KeyValuePair<string, int>> patterns)
    {
        Prefixes = prefixes;
        NodeSlots = slots;
        Edges = edges;
        Patterns = patterns;
    }

    /// <summary>Each node's path prefix ("" for the root, node 0), in node order.</summary>
    public IReadOnlyList<string> Prefixes { get; }

    /// <summary>Each node's slots, in the order the slots named the path.</summary>
    public IReadOnlyList<List<int>> NodeSlots { get; }

    /// <summary>The edges, grouped by <see cref="Edge.From"/> in node order, each node's in ordinal order of their target.</summary>
    public IReadOnlyList<Edge> Edges { get; }

    /// <summary>The field-name patterns (paths with <c>*</c>) and their slots, in slot order.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Patterns { get; }

    /// <param name="slotPaths">Per slot, the dotted paths whose values feed it.</param>
    /// <param name="ignoresSpaces">Per slot, whether event keys with spaces also reach its paths written without them.</param>
    public static FieldTrie Build(IReadOnlyList<IReadOnlyList<string>> slotPaths, IReadOnlyList<bool> ignoresSpaces)
    {
        var prefixes = new SortedDictionary<string, List<int>>(StringComparer.Ordinal) { [""] = new List<int>() };
        var patterns = new List<KeyValuePair<string, int>>();
        var spaceless = new HashSet<string>(StringComparer.Ordinal);
        for (var slot = 0; slot < slotPaths.Count; slot++)
        {
            foreach (var path in slotPaths[slot])
            {
                if (path.IndexOf('*') >= 0)
                {
                    patterns.Add(new KeyValuePair<string, int>(path, slot));
                    continue;
                }
                var dot = path.IndexOf('.');
                while (dot > 0)
                {
                    var prefix = path.Substring(0, dot);
                    if (!prefixes.ContainsKey(prefix)) prefixes[prefix] = new List<int>();
                    dot = path.IndexOf('.', dot + 1);
                }
                if (ignoresSpaces[slot]) spaceless.Add(path);
                if (!prefixes.TryGetValue(path, out var slots)) prefixes[path] = slots = new List<int>();
                if (!slots.Contains(slot)) slots.Add(slot);
            }
        }

        // Root first, then prefixes in ordinal order: ids are stable for the same fields.
        var ordered = new List<string>(prefixes.Keys);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ordered.Count; i++) ids[ordered[i]] = i;

        var nodeSlots = new List<int>[ordered.Count];
        var edges = new List<Edge>();
        for (var node = 0; node < ordered.Count; node++)
        {
            var prefix = ordered[node];
            nodeSlots[node] = prefixes[prefix];
            var lead = prefix.Length == 0 ? "" : prefix + ".";
            // Strings sharing a prefix are contiguous in ordinal order: scan from the first one.
            var at = ordered.BinarySearch(lead, StringComparer.Ordinal);
            if (at < 0) at = ~at;
            for (; at < ordered.Count && ordered[at].StartsWith(lead, StringComparison.Ordinal); at++)
            {
                var other = ordered[at];
                if (other.Length > lead.Length) edges.Add(new Edge(node, other.Substring(lead.Length), ids[other], spaceless.Contains(other)));
            }
        }
        return new FieldTrie(ordered, nodeSlots, edges, patterns);
    }
}

namespace RuleGen.Runtime;

/// <summary>
/// The field paths a compiled rule (or rule set) reads, as generated code: a trie whose nodes are dotted path
/// prefixes. The scanner walks the event's keys through it and records the values of the nodes that feed slots.
/// Node 0 is the event's root object.
/// </summary>
/// <remarks>
/// Generated schemas are structs so the scanner, generic over them, is specialised by the JIT and the key lookup is
/// a direct call into generated code rather than a dictionary probe.
/// </remarks>
public interface IFieldSchema
{
    /// <summary>How many value slots the schema feeds.</summary>
    static abstract int SlotCount { get; }

    /// <summary>
    /// The node reached from <paramref name="node"/> by <paramref name="key"/> (a key may itself contain dots:
    /// <c>{"event.outcome": ...}</c> at the root reaches the same node as <c>{"event": {"outcome": ...}}</c>), or -1
    /// when no field of the schema lies under that path.
    /// </summary>
    static abstract int Child(int node, ReadOnlySpan<byte> key);

    /// <summary>The slots fed by the values at <paramref name="node"/> (empty for pure prefixes).</summary>
    static abstract ReadOnlySpan<int> Slots(int node);

    /// <summary>Whether any field path continues below <paramref name="node"/>.</summary>
    static abstract bool HasChildren(int node);

    /// <summary>
    /// The slot that receives every string value of the event wherever it is (for field-less keyword searches), or
    /// -1 when no rule needs it.
    /// </summary>
    static abstract int AllStringsSlot { get; }

    /// <summary>Field-name patterns (such as <c>file.hash.*</c>) matched against the full path of each value; null when none.</summary>
    static abstract FieldPatternSet? Patterns { get; }
}

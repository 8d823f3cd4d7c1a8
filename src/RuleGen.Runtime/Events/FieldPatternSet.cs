namespace RuleGen.Runtime;

/// <summary>
/// Field names with wildcards (<c>file.hash.*</c>, <c>a.*.b</c>): each value whose full dotted path matches a pattern
/// is also recorded in the pattern's slot. As in Elasticsearch field-name patterns, <c>*</c> matches any characters,
/// dots included.
/// </summary>
public sealed class FieldPatternSet
{
    private readonly Wildcard[] _patterns;
    private readonly int[] _slots;

    public FieldPatternSet(ReadOnlySpan<string> patterns, ReadOnlySpan<int> slots)
    {
        if (patterns.Length != slots.Length) throw new ArgumentException("One slot per pattern.", nameof(slots));
        _patterns = new Wildcard[patterns.Length];
        for (var i = 0; i < patterns.Length; i++) _patterns[i] = Wildcard.FromStarPattern(patterns[i], ignoreCase: false);
        _slots = slots.ToArray();
    }

    public int Count => _patterns.Length;

    internal int SlotOf(int index) => _slots[index];

    internal bool IsMatch(int index, ReadOnlySpan<byte> path) => _patterns[index].IsMatch(path);
}

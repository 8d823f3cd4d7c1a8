using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Planning;

/// <summary>One compiled rule as the rule set sees it: its generated type and the fields it reads.</summary>
/// <param name="SequenceClock">For a sequence or sample rule, the timestamp field that orders its events; null for single-event rules.</param>
public sealed record RuleSetEntry(string TypeName, string DisplayPath, string Name, RuleFields Fields, bool HasGate = false, FieldRef? SequenceClock = null)
{
    public bool IsSequence => SequenceClock is not null;
}

/// <summary>
/// Every compiled rule of a compilation and the shared slots: each distinct field of any rule gets one shared slot
/// (sorted, so the numbering does not depend on rule order), and each rule a map from its local slots to them.
/// </summary>
public sealed record RuleSetPlan(string Namespace, EquatableArray<RuleSetEntry> Rules)
{
    public IReadOnlyList<FieldRef> SharedFields()
    {
        return Rules.SelectMany(r => r.Fields.Fields).Distinct()
            .OrderBy(f => f.ToString(), System.StringComparer.Ordinal).ToList();
    }

    public bool UsesAllStrings => Rules.Any(r => r.Fields.UsesAllStrings);

    /// <summary>Local slot -> shared slot, for one rule.</summary>
    public static int[] SlotMap(RuleSetEntry rule, IReadOnlyList<FieldRef> shared, int sharedAllStringsSlot)
    {
        var index = new Dictionary<FieldRef, int>();
        for (var i = 0; i < shared.Count; i++) index[shared[i]] = i;
        var map = new int[rule.Fields.SlotCount];
        for (var i = 0; i < rule.Fields.Fields.Count; i++) map[i] = index[rule.Fields.Fields[i]];
        if (rule.Fields.UsesAllStrings) map[rule.Fields.AllStringsSlot] = sharedAllStringsSlot;
        return map;
    }
}

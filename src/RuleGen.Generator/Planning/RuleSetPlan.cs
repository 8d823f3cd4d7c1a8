using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Emit;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Planning;

/// <summary>
/// One compiled rule as the rule set sees it: its generated type, the fields it reads, and its condition and gate
/// (for the candidate index's witnesses).
/// </summary>
/// <param name="SequenceClock">For a sequence or sample rule, the timestamp field that orders its events; null for single-event rules.</param>
public sealed record RuleSetEntry(string TypeName, string DisplayPath, string Name, RuleFields Fields, bool HasGate = false, FieldRef? SequenceClock = null)
{
    public bool IsSequence => SequenceClock is not null;
    public Predicate Condition { get; init; } = ConstantPredicate.True;
    public Predicate? Gate { get; init; }

    /// <summary>The rule's position among all the project's compiled rules: its place in the metadata store.</summary>
    public int StoreIndex { get; init; }

    /// <summary>
    /// How the rule runs, when that is all its metadata says about running it (see <see cref="RunSettingsOf"/>); null:
    /// the host reads the metadata.
    /// </summary>
    public RunSettings? RunSettings { get; init; }

    /// <summary>
    /// For a single-event query (KQL, EQL, Sigma) without threshold, new_terms or threat_match settings, its schedule
    /// and time field; null for every other rule.
    /// </summary>
    public static RunSettings? RunSettingsOf(RuleModel rule)
    {
        var m = rule.Metadata;
        if (rule.Sequence is not null || m.Type is not ("query" or "eql" or "sigma")) return null;
        if (m.Elastic is { } e && (e.NewTerms is not null || e.Threshold is not null || e.ThreatMatch is not null)) return null;
        return new RunSettings(m.Interval, m.From, m.MaxSignals, m.TimestampOverride) { TimeFields = m.TimeFields, Format = m.Format };
    }
}

/// <summary>
/// What decides how a host schedules a single-event rule: its interval, look-back, max_signals and time field, as
/// written; its time fields (Sigma profiles) and its format (which decides what an unset max_signals means).
/// </summary>
public sealed record RunSettings(string? Interval, string? From, int? MaxSignals, string? TimestampOverride)
{
    public EquatableArray<string> TimeFields { get; init; } = EquatableArray<string>.Empty;

    public string Format { get; init; } = "";
}

/// <summary>
/// The compiled rules of one rule set (<see cref="ClassName"/>) and the shared slots: each distinct field of any rule
/// gets one shared slot (sorted, so the numbering does not depend on rule order), and each rule a map from its local
/// slots to them.
/// </summary>
public sealed record RuleSetPlan(string Namespace, EquatableArray<RuleSetEntry> Rules)
{
    /// <summary>The generated class (<see cref="RuleSetNames.Default"/> unless the rules' folders name another).</summary>
    public string ClassName { get; init; } = RuleSetNames.Default;

    /// <summary>The set's Sigma correlation rules, their references resolved to this set's rule indexes.</summary>
    public EquatableArray<CorrelationEntry> Correlations { get; init; } = EquatableArray<CorrelationEntry>.Empty;

    /// <summary>
    /// One plan per rule set named by the rules (in ordinal order of names; rules keep their order within each).
    /// The default set is planned even when empty if no rule names another, so a project always has <c>RuleSet</c>.
    /// </summary>
    public static EquatableArray<RuleSetPlan> ForEachName(string ns, EquatableArray<RuleEmitInput> rules, EquatableArray<CorrelationSet>? correlations = null)
    {
        var byName = new SortedDictionary<string, List<RuleSetEntry>>(System.StringComparer.Ordinal);
        for (var at = 0; at < rules.Count; at++)
        {
            var rule = rules[at];
            var entry = Entry(rule) with { StoreIndex = at };
            foreach (var name in RuleSetNames.Of(rule.Rule))
            {
                if (!byName.TryGetValue(name, out var list)) byName[name] = list = new List<RuleSetEntry>();
                list.Add(entry);
            }
        }
        if (byName.Count == 0) byName[RuleSetNames.Default] = new List<RuleSetEntry>();
        var correlationsOf = (correlations ?? EquatableArray<CorrelationSet>.Empty).ToDictionary(c => c.RuleSet, c => c.Entries);
        return byName.Select(p => new RuleSetPlan(ns, p.Value.ToEquatableArray())
        {
            ClassName = p.Key,
            Correlations = correlationsOf.TryGetValue(p.Key, out var entries) ? entries : EquatableArray<CorrelationEntry>.Empty,
        }).ToEquatableArray();
    }

    private static RuleSetEntry Entry(RuleEmitInput r) => new(
        r.TypeName, r.DisplayPath, r.Rule.Metadata.Name, RuleFields.OfRule(r.Rule), r.Rule.Gate is not null,
        r.Rule.Sequence?.TimestampField)
    {
        Condition = r.Rule.Condition ?? ConstantPredicate.False,
        Gate = r.Rule.Gate,
        RunSettings = RuleSetEntry.RunSettingsOf(r.Rule),
    };

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

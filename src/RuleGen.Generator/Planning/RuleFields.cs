using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Planning;

/// <summary>
/// The fields one predicate reads, in order of first use: a rule's local slot i holds the values of field i.
/// Inner fields of a nested query belong to the nested scope and are not listed (the nested field itself is).
/// </summary>
public sealed record RuleFields(EquatableArray<FieldRef> Fields, bool UsesAllStrings)
{
    /// <summary>The local slot of the all-strings pseudo field (after the named fields), or -1.</summary>
    public int AllStringsSlot => UsesAllStrings ? Fields.Count : -1;

    /// <summary>Local slots in all: named fields plus the all-strings slot when used.</summary>
    public int SlotCount => Fields.Count + (UsesAllStrings ? 1 : 0);

    public int SlotOf(FieldRef field)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Equals(field)) return i;
        }
        throw new KeyNotFoundException("Field not planned: " + field);
    }

    /// <summary>
    /// The fields a whole rule reads: its gate and condition, or for a sequence rule every step's condition, then
    /// its join keys, timestamp and tiebreaker.
    /// </summary>
    public static RuleFields OfRule(RuleModel rule)
    {
        if (rule.Sequence is { } sequence)
        {
            var steps = sequence.Steps.Select(s => s.Condition).ToList();
            if (sequence.Until is { } until) steps.Add(until.Condition);
            var extra = new List<FieldRef>();
            foreach (var step in sequence.Until is null ? sequence.Steps : sequence.Steps.Concat(new[] { sequence.Until }))
            {
                foreach (var key in step.Keys) extra.Add(key.Field);
            }
            extra.Add(sequence.TimestampField);
            if (sequence.TiebreakerField is { } tiebreaker) extra.Add(tiebreaker);
            return Of(new AndPredicate(steps.ToEquatableArray()), extra);
        }
        return Of(rule.Gate is null ? rule.Condition! : new AndPredicate(EquatableArray.Create(rule.Gate, rule.Condition!)));
    }

    public static RuleFields Of(Predicate predicate) => Of(predicate, System.Array.Empty<FieldRef>());

    private static RuleFields Of(Predicate predicate, IEnumerable<FieldRef> extraFields)
    {
        var fields = new List<FieldRef>();
        var seen = new HashSet<FieldRef>();
        var allStrings = false;
        Visit(predicate);
        foreach (var field in extraFields) Add(field);
        return new RuleFields(fields.ToEquatableArray(), allStrings);

        void Add(FieldRef field)
        {
            if (seen.Add(field)) fields.Add(field);
        }

        void Visit(Predicate p)
        {
            switch (p)
            {
                case AndPredicate and:
                    foreach (var o in and.Operands) Visit(o);
                    break;
                case OrPredicate or:
                    foreach (var o in or.Operands) Visit(o);
                    break;
                case NotPredicate not:
                    Visit(not.Operand);
                    break;
                case FieldPredicate f:
                    Add(f.Field);
                    break;
                case ExistsPredicate e:
                    Add(e.Field);
                    break;
                case NestedPredicate n:
                    Add(n.Field);
                    break;
                case FieldComparePredicate c:
                    Add(c.Left);
                    Add(c.Right);
                    break;
                case AnyFieldPredicate:
                    allStrings = true;
                    break;
                case ExpressionPredicate x:
                    foreach (var f in ValueExpressions.Fields(x.Condition)) Add(f.Field);
                    break;
                default:
                    foreach (var field in ExtensionFields(p)) Add(field);
                    break;
            }
        }
    }

    /// <summary>Fields read by predicate kinds that languages add beyond the core set (none yet).</summary>
    private static IEnumerable<FieldRef> ExtensionFields(Predicate predicate)
    {
        yield break;
    }
}

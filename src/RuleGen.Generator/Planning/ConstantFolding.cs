using System.Collections.Generic;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Planning;

/// <summary>
/// Folds the constant parts of a condition (EQL's <c>process where false</c>, a sequence step <c>[any where true]</c>,
/// a Sigma selection that lowers to nothing), so that the emitted code never tests a constant: <c>if (!false) return
/// false;</c> would make everything after it unreachable (CS0162), which breaks a consumer's build with warnings as
/// errors. The result has no <see cref="ConstantPredicate"/> inside an and, or or not: it is either a constant alone
/// or free of constants.
/// </summary>
internal static class ConstantFolding
{
    public static Predicate Fold(Predicate predicate)
    {
        switch (predicate)
        {
            case AndPredicate and:
                return Combine(and, and.Operands, absorbing: false);
            case OrPredicate or:
                return Combine(or, or.Operands, absorbing: true);
            case NotPredicate not:
            {
                var operand = Fold(not.Operand);
                return operand is ConstantPredicate c ? (c.Value ? ConstantPredicate.False : ConstantPredicate.True)
                    : ReferenceEquals(operand, not.Operand) ? not : new NotPredicate(operand);
            }
            default:
                return predicate;
        }
    }

    /// <summary>
    /// An and (<paramref name="absorbing"/> false: false absorbs, true is dropped) or an or (true absorbs, false is
    /// dropped) of folded operands.
    /// </summary>
    private static Predicate Combine(Predicate original, EquatableArray<Predicate> operands, bool absorbing)
    {
        var kept = new List<Predicate>(operands.Count);
        var changed = false;
        foreach (var operand in operands)
        {
            var folded = Fold(operand);
            if (folded is ConstantPredicate c)
            {
                if (c.Value == absorbing) return c.Value ? ConstantPredicate.True : ConstantPredicate.False;
                changed = true;
                continue;
            }
            changed |= !ReferenceEquals(folded, operand);
            kept.Add(folded);
        }
        if (kept.Count == 0) return absorbing ? ConstantPredicate.False : ConstantPredicate.True;
        if (kept.Count == 1) return kept[0];
        if (!changed) return original;
        var array = kept.ToEquatableArray();
        return absorbing ? new OrPredicate(array) : new AndPredicate(array);
    }
}

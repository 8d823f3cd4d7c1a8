namespace RuleGen.Generator.Model;

// The shared predicate model. Every rule language (KQL, EQL, Sigma detection) lowers into these records; the
// planner and the emitter read only these. Records have value equality, so a re-parsed but unchanged rule compares
// equal and the incremental pipeline skips it.

/// <summary>A field of the event: one or more JSON paths whose values together are the field's values.</summary>
/// <remarks>
/// A path is dotted (<c>event.outcome</c>) and resolves through nested objects and dotted keys alike. Several paths
/// are alternatives (a Sigma field that may appear as <c>Image</c> or <c>Event.EventData.Image</c>).
/// </remarks>
public sealed record FieldRef(EquatableArray<string> Paths)
{
    public static FieldRef Of(string path) => new(EquatableArray.Create(path));

    /// <summary>
    /// Event keys match the path's keys with their spaces removed too (a Sigma rule's <c>ThreatName</c> reads the
    /// native key <c>Threat Name</c>). Costs nothing at run time for schemas without such fields.
    /// </summary>
    public bool IgnoreSpacesInKeys { get; init; }

    /// <summary>The name shown in generated comments and diagnostics.</summary>
    public string Name => Paths[0];

    public override string ToString() => Paths.Count == 1 ? Name : string.Join(" | ", Paths);
}

/// <summary>A boolean condition over one event.</summary>
public abstract record Predicate;

/// <summary>All operands hold.</summary>
public sealed record AndPredicate(EquatableArray<Predicate> Operands) : Predicate;

/// <summary>At least one operand holds.</summary>
public sealed record OrPredicate(EquatableArray<Predicate> Operands) : Predicate;

/// <summary>The operand does not hold (two-valued: a missing field makes a positive test false, so its negation true).</summary>
public sealed record NotPredicate(Predicate Operand) : Predicate;

/// <summary>Always true or always false.</summary>
public sealed record ConstantPredicate(bool Value) : Predicate
{
    public static readonly ConstantPredicate True = new(true);
    public static readonly ConstantPredicate False = new(false);
}

/// <summary>Some value of the field satisfies the matcher. Arrays contribute each element; absent fields and nulls never match.</summary>
public sealed record FieldPredicate(FieldRef Field, ValueMatcher Matcher) : Predicate;

/// <summary>What counts as "the field exists".</summary>
public enum ExistenceKind
{
    /// <summary>Some non-null value (KQL <c>f:*</c>, Elasticsearch <c>exists</c>): <c>""</c> counts; <c>null</c> and <c>[]</c> do not.</summary>
    NonNullValue,

    /// <summary>The key is present, whatever its value, even <c>null</c> (Sigma <c>|exists: true</c>).</summary>
    KeyPresent,
}

/// <summary>The field exists in the event in the given sense.</summary>
public sealed record ExistsPredicate(FieldRef Field, ExistenceKind Kind) : Predicate;

/// <summary>Some string value anywhere in the event satisfies the matcher (Sigma keywords, KQL field-less values).</summary>
public sealed record AnyFieldPredicate(ValueMatcher Matcher) : Predicate;

/// <summary>
/// Some object element of the field satisfies <see cref="Inner"/>, whose paths are relative to that element
/// (KQL <c>field:{ ... }</c>).
/// </summary>
public sealed record NestedPredicate(FieldRef Field, Predicate Inner) : Predicate;

/// <summary>Some value of <see cref="Left"/> relates to some value of <see cref="Right"/> (Sigma <c>|fieldref</c>).</summary>
public sealed record FieldComparePredicate(FieldRef Left, FieldRef Right, StringOperation Operation, CaseMode Case) : Predicate;

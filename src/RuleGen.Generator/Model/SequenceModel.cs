namespace RuleGen.Generator.Model;

/// <summary>Whether events are joined in time order (EQL <c>sequence</c>) or regardless of order (<c>sample</c>).</summary>
public enum SequenceKind
{
    Sequence,
    Sample,
}

/// <summary>A join key of a step: a field whose value must be equal across the joined events.</summary>
/// <param name="Optional">Written <c>?field</c>: a missing value is a key value (null) instead of excluding the event.</param>
public sealed record JoinKey(FieldRef Field, bool Optional);

/// <summary>
/// One step of a sequence or sample: its single-event condition, its join keys (the query's shared keys first),
/// how many times it repeats (<c>with runs=n</c>), and whether it is a missing-event step (<c>![...]</c>).
/// </summary>
public sealed record SequenceStep(Predicate Condition, EquatableArray<JoinKey> Keys, int Runs, bool Missing, string Text);

/// <summary>
/// A multi-event rule: the steps joined by key, an optional <c>until</c> step that cancels pending sequences, the
/// time window (<c>maxspan</c>, in nanoseconds; 0 when absent), and the event fields that order events.
/// </summary>
/// <param name="WindowNanos">
/// How long state is kept when there is no <c>maxspan</c> (the rule's look-back, from Kibana's <c>from</c>): a
/// detection engine only ever joins events inside one look-back window.
/// </param>
public sealed record SequenceModel(
    SequenceKind Kind,
    EquatableArray<SequenceStep> Steps,
    SequenceStep? Until,
    long MaxSpanNanos,
    long WindowNanos,
    FieldRef TimestampField,
    FieldRef? TiebreakerField);

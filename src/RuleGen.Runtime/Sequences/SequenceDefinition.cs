namespace RuleGen.Runtime;

/// <summary>Whether a multi-event rule joins events in time order (sequence) or in any order (sample).</summary>
public enum SequenceKind
{
    Sequence,
    Sample,
}

/// <summary>One step of a sequence or sample, as the generated rule describes it.</summary>
public sealed class SequenceStepDefinition
{
    /// <param name="index">The step's bit in the mask the rule's <c>EvaluateSteps</c> returns.</param>
    /// <param name="text">The step as written in the query.</param>
    /// <param name="runs">How many consecutive times it must match (<c>with runs=n</c>).</param>
    /// <param name="missing">A missing-event step (<c>![...]</c>).</param>
    /// <param name="keySlots">The rule's slots of the join key fields, in key order.</param>
    /// <param name="optionalKeys">For each key, whether it was written <c>?field</c> (a missing value is a key).</param>
    public SequenceStepDefinition(int index, string text, int runs, bool missing, int[] keySlots, bool[] optionalKeys)
    {
        if (keySlots.Length != optionalKeys.Length) throw new ArgumentException("Every key needs its optional flag.", nameof(optionalKeys));
        Index = index;
        Text = text;
        Runs = runs;
        Missing = missing;
        KeySlots = keySlots;
        OptionalKeys = optionalKeys;
    }

    public int Index { get; }

    public string Text { get; }

    public int Runs { get; }

    public bool Missing { get; }

    public IReadOnlyList<int> KeySlots { get; }

    public IReadOnlyList<bool> OptionalKeys { get; }

    public override string ToString() => Text;
}

/// <summary>
/// A multi-event rule's definition, emitted by the generator as typed data: its steps, the optional
/// <c>until</c> step, the time window, and the slots of its timestamp and tiebreaker fields.
/// </summary>
public sealed class SequenceDefinition
{
    /// <summary>The bit of the until step in the mask <c>EvaluateSteps</c> returns (steps use bits 0 to 62).</summary>
    public const ulong UntilBit = 1UL << 63;

    /// <summary>How many steps a rule can have (one bit each, below <see cref="UntilBit"/>).</summary>
    public const int MaxSteps = 63;

    public SequenceDefinition(SequenceKind kind, SequenceStepDefinition[] steps, SequenceStepDefinition? until, long maxSpanNanos,
        long windowNanos, string timestampField, int timestampSlot, string? tiebreakerField, int tiebreakerSlot)
    {
        if (steps.Length is 0 or > MaxSteps) throw new ArgumentException($"A sequence has 1 to {MaxSteps} steps.", nameof(steps));
        Kind = kind;
        Steps = steps;
        Until = until;
        MaxSpanNanos = maxSpanNanos;
        WindowNanos = windowNanos;
        TimestampField = timestampField;
        TimestampSlot = timestampSlot;
        TiebreakerField = tiebreakerField;
        TiebreakerSlot = tiebreakerSlot;
    }

    public SequenceKind Kind { get; }

    public IReadOnlyList<SequenceStepDefinition> Steps { get; }

    public SequenceStepDefinition? Until { get; }

    /// <summary><c>maxspan</c> in nanoseconds, or 0 when the query has none.</summary>
    public long MaxSpanNanos { get; }

    /// <summary>
    /// How long join state lives without <c>maxspan</c>: the rule's look-back (Kibana's <c>from</c>); a detection
    /// engine only joins events that fall in one look-back window.
    /// </summary>
    public long WindowNanos { get; }

    /// <summary>The window events must fit in: maxspan when given, else the look-back.</summary>
    public long EffectiveWindowNanos => MaxSpanNanos > 0 ? MaxSpanNanos : WindowNanos;

    public string TimestampField { get; }

    /// <summary>The rule's slot of <see cref="TimestampField"/>.</summary>
    public int TimestampSlot { get; }

    public string? TiebreakerField { get; }

    /// <summary>The rule's slot of <see cref="TiebreakerField"/>, or -1.</summary>
    public int TiebreakerSlot { get; }

    /// <summary>The mask of every step bit (not the until bit).</summary>
    public ulong StepMask => Steps.Count == 64 ? ulong.MaxValue : (1UL << Steps.Count) - 1;
}

/// <summary>
/// Receives, during a rule set's single pass over each event, what the sequence rules need: the event's time on
/// each clock (a timestamp field of some sequence rule), and the steps the event matches per rule.
/// </summary>
public interface ISequenceSink
{
    /// <summary>Called once per event and clock, before any <see cref="OnSteps"/> of that event.</summary>
    /// <param name="clock">The clock (a distinct timestamp field among the set's sequence rules).</param>
    /// <param name="timeNanos">Nanoseconds since the epoch, or <see cref="EventTime.Missing"/>.</param>
    void OnEventTime(int clock, long timeNanos);

    /// <summary>The event matches some steps (or the until step) of a sequence rule.</summary>
    /// <param name="ruleIndex">The rule's index in its rule set.</param>
    /// <param name="clock">The rule's clock.</param>
    /// <param name="timeNanos">The event's time on that clock (or <see cref="EventTime.Missing"/>).</param>
    /// <param name="steps">Bit i: step i matches; <see cref="SequenceDefinition.UntilBit"/>: the until step matches.</param>
    /// <param name="ev">The event seen through the rule's slot map (for join keys and the tiebreaker).</param>
    void OnSteps(int ruleIndex, int clock, long timeNanos, ulong steps, scoped in EventView ev);
}

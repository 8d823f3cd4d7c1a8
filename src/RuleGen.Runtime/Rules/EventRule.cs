namespace RuleGen.Runtime;

/// <summary>
/// A compiled single-event rule's condition, over an event scanned with the rule's own slots. A generated rule class
/// implements it, and its base (<see cref="EventRule{TRule, TSchema}"/>) builds <c>IsMatch</c> on it.
/// </summary>
public interface IEventRule
{
    /// <summary>
    /// Whether the scanned event satisfies the rule: for a rule whose format adds a gate (a Sigma rule's logsource),
    /// the gate and then the detection.
    /// </summary>
    static abstract bool Evaluate(scoped in EventView ev);
}

/// <summary>The detection of a compiled rule whose format adds a gate around it (a Sigma rule's logsource).</summary>
public interface IEventDetection
{
    /// <summary>Whether the scanned event satisfies the detection alone, without the gate.</summary>
    static abstract bool EvaluateDetection(scoped in EventView ev);
}

/// <summary>A compiled rule with a gate of its own: the rule (gate and detection) and the detection alone.</summary>
public interface IGatedEventRule : IEventRule, IEventDetection
{
}

/// <summary>
/// A logsource gate that several rules share, emitted once (<c>Rules.Gates</c>): it reads a rule's first slots, which
/// are the gate's fields in every rule that has it.
/// </summary>
public interface IEventGate
{
    /// <summary>Whether the scanned event passes the gate.</summary>
    static abstract bool Evaluate(scoped in EventView ev);
}

/// <summary>
/// What every compiled single-event rule offers besides its condition, written once here rather than in each of
/// thousands of generated classes: the fields it reads and <c>IsMatch</c> over one UTF-8 JSON event. A generated rule
/// class derives from it with itself as <typeparamref name="TRule"/> and its field table as
/// <typeparamref name="TSchema"/>, so <c>Rules.SomeRule.IsMatch(utf8Json)</c> scans with that rule's slots only.
/// </summary>
/// <typeparam name="TRule">The generated rule class (its <see cref="IEventRule.Evaluate"/>).</typeparam>
/// <typeparam name="TSchema">The rule's field table: the slots its condition reads.</typeparam>
public abstract class EventRule<TRule, TSchema>
    where TRule : IEventRule
    where TSchema : struct, IFieldTableSource
{
    // One delegate per rule, made on first use, so IsMatch allocates nothing.
    private static readonly EventCondition s_evaluate = TRule.Evaluate;

    protected EventRule()
    {
    }

    /// <summary>The fields the rule reads, in slot order, each as its paths joined by <c> | </c>.</summary>
    public static IReadOnlyList<string> Fields => TSchema.Table.Fields;

    /// <summary>Whether a UTF-8 JSON event matches the rule (false if malformed). Allocates nothing.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> utf8Json) => EventScanner.Matches<TableSchema<TSchema>>(utf8Json, s_evaluate);
}

/// <summary>
/// <see cref="EventRule{TRule, TSchema}"/> for a rule with a gate: also <c>IsDetectionMatch</c>, the detection alone.
/// </summary>
public abstract class GatedEventRule<TRule, TSchema> : EventRule<TRule, TSchema>
    where TRule : IGatedEventRule
    where TSchema : struct, IFieldTableSource
{
    private static readonly EventCondition s_evaluateDetection = TRule.EvaluateDetection;

    protected GatedEventRule()
    {
    }

    /// <summary>Whether a UTF-8 JSON event matches the detection alone, without the gate (false if malformed).</summary>
    public static bool IsDetectionMatch(ReadOnlySpan<byte> utf8Json) => EventScanner.Matches<TableSchema<TSchema>>(utf8Json, s_evaluateDetection);
}

/// <summary>
/// <see cref="GatedEventRule{TRule, TSchema}"/> for a rule whose gate is shared (<typeparamref name="TGate"/>): the rule's
/// <c>Evaluate</c> is written here too, the gate then the rule's detection, so the rule class has only its detection.
/// </summary>
public abstract class SharedGateEventRule<TRule, TSchema, TGate>
    where TRule : IEventDetection
    where TSchema : struct, IFieldTableSource
    where TGate : struct, IEventGate
{
    private static readonly EventCondition s_evaluate = Evaluate;
    private static readonly EventCondition s_evaluateDetection = TRule.EvaluateDetection;

    protected SharedGateEventRule()
    {
    }

    /// <summary>The fields the rule reads, in slot order (the gate's first), each as its paths joined by <c> | </c>.</summary>
    public static IReadOnlyList<string> Fields => TSchema.Table.Fields;

    /// <summary>Whether the scanned event satisfies the rule: the shared gate, then the detection.</summary>
    public static bool Evaluate(scoped in EventView ev) => TGate.Evaluate(in ev) && TRule.EvaluateDetection(in ev);

    /// <summary>Whether a UTF-8 JSON event matches the rule (false if malformed). Allocates nothing.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> utf8Json) => EventScanner.Matches<TableSchema<TSchema>>(utf8Json, s_evaluate);

    /// <summary>Whether a UTF-8 JSON event matches the detection alone, without the gate (false if malformed).</summary>
    public static bool IsDetectionMatch(ReadOnlySpan<byte> utf8Json) => EventScanner.Matches<TableSchema<TSchema>>(utf8Json, s_evaluateDetection);
}

/// <summary>Whether one UTF-8 JSON event matches (a rule alone, as a rule set's <see cref="IRuleDispatch"/> holds it).</summary>
public delegate bool JsonEventMatch(ReadOnlySpan<byte> utf8Json);

/// <summary>Matchers the generated code shares.</summary>
public static class JsonEventMatches
{
    /// <summary>Matches no event: a rule that never matches a single event alone (a sequence).</summary>
    public static JsonEventMatch Never { get; } = static _ => false;
}

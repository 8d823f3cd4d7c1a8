namespace RuleGen.Runtime;

/// <summary>
/// A generated rule set with a candidate index: each event evaluates only the rules whose required literals it
/// contains (and the rules that have none). The results are those of evaluating every rule; this interface exposes
/// the index and the plain evaluation of every rule, for tests and measurements.
/// </summary>
public interface IIndexedRuleSet : IRuleSet
{
    /// <summary>What the index holds: how many rules it can skip, which ones are always evaluated.</summary>
    CandidateIndexInfo Index { get; }

    /// <summary>
    /// Like <see cref="IRuleSet.TryEvaluate(ReadOnlySpan{byte}, Span{int}, out int, MatchScope)"/>, but evaluates every
    /// rule, without the candidate index: the reference the index must agree with.
    /// </summary>
    bool TryEvaluateEveryRule(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope);

    /// <summary>
    /// The rules the index selects for evaluation on this event, in rule order, written into
    /// <paramref name="candidates"/>; returns how many (-1 when the event is malformed).
    /// </summary>
    int CollectCandidates(ReadOnlySpan<byte> utf8Json, MatchScope scope, Span<int> candidates);
}

/// <summary>The candidate index of a rule set, in numbers.</summary>
/// <param name="Rules">Rules in the set.</param>
/// <param name="AlwaysEvaluated">Rules without a usable witness for a full match, evaluated on every event (rule indexes).</param>
/// <param name="AlwaysEvaluatedDetectionOnly">The same for <see cref="MatchScope.DetectionOnly"/> (no logsource witness).</param>
/// <param name="Literals">Distinct (field, test, literal) witnesses the index looks for.</param>
/// <param name="NeverMatching">
/// Rules never evaluated as single-event rules: a condition that cannot match (constant false), or a sequence rule
/// (its steps go to the sequence engine instead).
/// </param>
public sealed record CandidateIndexInfo(
    int Rules,
    IReadOnlyList<int> AlwaysEvaluated,
    IReadOnlyList<int> AlwaysEvaluatedDetectionOnly,
    int Literals,
    IReadOnlyList<int> NeverMatching)
{
    /// <summary>
    /// Rules whose full match needs several witnesses at once (of two operands of an AND, of the logsource): an event
    /// evaluates them only when it holds all of them.
    /// </summary>
    public int SeveralWitnesses { get; init; }

    /// <summary>The same for <see cref="MatchScope.DetectionOnly"/>.</summary>
    public int SeveralWitnessesDetectionOnly { get; init; }

    public override string ToString() =>
        $"{Rules} rules, {Literals} witness literals; always evaluated: {AlwaysEvaluated.Count} (full match), {AlwaysEvaluatedDetectionOnly.Count} (detection only); " +
        $"never evaluated alone (sequences, constant false): {NeverMatching.Count}; needing several witnesses at once: {SeveralWitnesses} (full match), {SeveralWitnessesDetectionOnly} (detection only)";
}

using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>
/// A rule set whose every evaluation judges the detection alone (<see cref="MatchScope.DetectionOnly"/>: a Sigma
/// rule's logsource gate left out, as pySigma's backends leave it to the query's index), for
/// <c>rulegen scan --detection-only</c>. Everything else is the wrapped set's.
/// </summary>
public sealed class DetectionOnlyRuleSet(IRuleSet rules) : IRuleSet
{
    public IReadOnlyList<CompiledRule> Rules => rules.Rules;

    public IReadOnlyList<CorrelationDefinition> Correlations => rules.Correlations;

    public RuleRunSettings? RunSettingsOf(int rule) => rules.RunSettingsOf(rule);

    public int Evaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches) =>
        rules.TryEvaluate(utf8Json, matches, out var count, MatchScope.DetectionOnly) ? count : rules.Evaluate(utf8Json, matches);

    public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount) =>
        rules.TryEvaluate(utf8Json, matches, out matchCount, MatchScope.DetectionOnly);

    public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope) =>
        rules.TryEvaluate(utf8Json, matches, out matchCount, MatchScope.DetectionOnly);

    public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope, ISequenceSink? sequences) =>
        rules.TryEvaluate(utf8Json, matches, out matchCount, MatchScope.DetectionOnly, sequences);
}

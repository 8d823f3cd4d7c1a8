using System.Text;
using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>
/// A single-event query whose run settings the rule set gives (<see cref="IRuleSet.RunSettingsOf"/>) gets its
/// runner when it first matches, so a corpus starts without decoding every rule's metadata. Deferring must change
/// nothing a user sees: the same alerts in the same order, and state that saves and restores the same.
/// </summary>
public sealed class DeferredRunnerTests
{
    /// <summary>A hand-made rule set whose rules on default settings say so (or not, to compare).</summary>
    private sealed class DeferringRuleSet(bool defer) : IRuleSet
    {
        public HandRuleSet Inner { get; } = new();

        public IReadOnlyList<CompiledRule> Rules => Inner.Rules;

        public int Evaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches) => Inner.Evaluate(utf8Json, matches);

        public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount) => Inner.TryEvaluate(utf8Json, matches, out matchCount);

        public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope) => Inner.TryEvaluate(utf8Json, matches, out matchCount);

        public RuleRunSettings? RunSettingsOf(int rule)
        {
            var info = Inner.Rules[rule].Info;
            return defer && info.Elastic is null ? new RuleRunSettings(info.Interval, info.From, info.MaxSignals, info.TimestampOverride) : null;
        }
    }

    private static DeferringRuleSet Make(bool defer)
    {
        var rules = new DeferringRuleSet(defer);
        rules.Inner.Add(HandRuleSet.Info("Every event", interval: null, from: null));
        rules.Inner.Add(HandRuleSet.Info("Scheduled", interval: "1m", from: "now-2m"), e => e.TryGetProperty("k", out _));
        rules.Inner.Add(HandRuleSet.Info("Late starter", interval: null, from: null), e => e.TryGetProperty("late", out _));
        rules.Inner.Add(HandRuleSet.Info("Never matches", interval: null, from: null), _ => false);
        rules.Inner.Add(HandRuleSet.Info("Own clock", interval: "2m", from: "now-3m", maxSignals: 5, timestampOverride: "event.ingested"), e => e.TryGetProperty("k", out _));
        rules.Inner.Add(HandRuleSet.Info("Bad interval", interval: "often", from: null), _ => false);
        return rules;
    }

    private static readonly string[] s_events = Enumerable.Range(0, 300)
        .Select(i => Ev.At(i * 0.25, i % 3 == 0 ? "\"k\":1,\"event\":{\"ingested\":\"" + Ev.Iso(i * 0.25 + 0.5) + "\"}" : i > 200 ? "\"late\":true" : "")).ToArray();

    private static (List<string> Alerts, DetectionEngine Engine) Run(IRuleSet rules, IEnumerable<string> events, JsonElement? restore = null, CollectingSink? sink = null, long linesBefore = 0)
    {
        sink ??= new CollectingSink();
        var engine = new DetectionEngine(rules, sink, new DetectionOptions());
        if (restore is { } state) engine.LoadState(state);
        var line = linesBefore;
        var matches = new int[rules.Rules.Count];
        foreach (var e in events)
        {
            var bytes = Encoding.UTF8.GetBytes(e);
            Assert.True(rules.TryEvaluate(bytes, matches, out var count));
            engine.OnEvent(bytes, new EventSource("events.ndjson", ++line), matches.AsSpan(0, count));
        }
        return (sink.Written.Select(w => w.Json).ToList(), engine);
    }

    [Fact]
    public void Deferred_runners_raise_the_same_alerts_as_runners_set_up_at_start()
    {
        var eager = Run(Make(defer: false), s_events);
        eager.Engine.Finish();
        var deferred = Run(Make(defer: true), s_events);
        deferred.Engine.Finish();
        Assert.NotEmpty(eager.Alerts);
        Assert.Equal(eager.Alerts, deferred.Alerts);
    }

    [Fact]
    public void A_rule_that_never_matches_is_never_set_up_and_has_no_statistics()
    {
        var (_, engine) = Run(Make(defer: true), s_events);
        Assert.Equal(0, engine.StatisticsOf(3).Executions);
        Assert.Empty(engine.StateOf(3));
        Assert.Null(engine.ProblemOf(3));
    }

    [Fact]
    public void A_deferred_rules_schedule_problem_is_known_before_it_matches()
    {
        var eager = Run(Make(defer: false), s_events.Take(1)).Engine;
        var deferred = Run(Make(defer: true), s_events.Take(1)).Engine;
        Assert.NotNull(eager.ProblemOf(5));
        Assert.Equal(eager.ProblemOf(5), deferred.ProblemOf(5));
    }

    [Fact]
    public void State_saved_with_deferred_runners_restores_as_state_saved_with_runners_set_up_at_start()
    {
        Assert.Equal(SplitRun(defer: false), SplitRun(defer: true));
    }

    /// <summary>The events in two engines, the second restored from the state the first saved after 150 events.</summary>
    private static List<string> SplitRun(bool defer)
    {
        var sink = new CollectingSink();
        var first = Run(Make(defer), s_events.Take(150), sink: sink);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) first.Engine.SaveState(writer);
        using var state = JsonDocument.Parse(stream.ToArray());
        var second = Run(Make(defer), s_events.Skip(150), state.RootElement, sink, linesBefore: 150);
        second.Engine.Finish();
        Assert.NotEmpty(sink.Written);
        return sink.Written.Select(w => w.Json).ToList();
    }
}

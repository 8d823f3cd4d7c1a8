using System.Text;
using RuleGen.Runtime;

namespace RuleGen.Conformance.Tests;

/// <summary>The conformance runner on hand-made datasets: counting, reporting, and rejecting malformed folders.</summary>
public sealed class RunnerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rulegen-conformance-" + Guid.NewGuid().ToString("N"));

    public RunnerTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string events, string expected)
    {
        File.WriteAllText(Path.Combine(_folder, "events.ndjson"), events);
        File.WriteAllText(Path.Combine(_folder, "expected.json"), expected);
        return _folder;
    }

    /// <summary>A rule set whose rules match events containing their id's text (enough to test the runner's counting).</summary>
    private sealed class ContainsRuleSet : IRuleSet
    {
        public ContainsRuleSet(params string[] ids) =>
            Rules = ids.Select((id, i) => new CompiledRule(i, new RuleInfo { Id = id, Name = id, Format = "test", Type = "query", Language = "kuery", SourceFile = id },
                json => Encoding.UTF8.GetString(json.Span).Contains(id))).ToList();

        public IReadOnlyList<CompiledRule> Rules { get; }

        public int Evaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches) => TryEvaluate(utf8Json, matches, out var count) ? count : throw new System.Text.Json.JsonException();

        public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount) => TryEvaluate(utf8Json, matches, out matchCount, MatchScope.Full);

        public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope)
        {
            matchCount = 0;
            var text = Encoding.UTF8.GetString(utf8Json);
            if (!text.StartsWith('{')) return false;
            foreach (var rule in Rules)
            {
                if (text.Contains(rule.Info.Id)) matches[matchCount++] = rule.Index;
            }
            return true;
        }
    }

    [Fact]
    public void Counts_agreements_found_matches_and_unexpected_matches()
    {
        var folder = Write("{\"a\":\"r1\"}\n{\"a\":\"r1 r2\"}\n{\"a\":\"none\"}\n", """
            {"rules": {
              "p/one.toml": {"rule_id": "r1", "checked": "all", "matches": [0]},
              "p/two.yml": {"id": "r2", "checked": [1, 2], "matches": [2]}
            }}
            """);
        var report = new StringWriter();
        var result = Runner.Run(Dataset.Load(folder), new ContainsRuleSet("r1", "r2"), MatchScope.Full, report, 10);
        // r1: events 0,1,2 checked; matches 0 and 1 (1 unexpected). r2: events 1,2; matches 1 (unexpected), expected 2 (missed).
        Assert.Equal(5, result.Total);
        Assert.Equal(2, result.Agree);
        Assert.Equal((1L, 2L), (result.ExpectedFound, result.Expected));
        Assert.Equal(2, result.Unexpected);
        Assert.Equal(2, result.DisagreeingRules);
        Assert.Contains("disagree: p/one.toml event 1: expected no match, got match", report.ToString());
        Assert.Contains("disagree: p/two.yml event 2: expected match, got no match", report.ToString());
        Assert.StartsWith("conformance: agree 2/5 pairs (40.0000%), expected matches found 1/2, unexpected matches 2, rules compiled 2/2, disagreeing rules 2", result.Summary);
    }

    [Fact]
    public void A_rule_that_did_not_compile_disagrees_on_all_its_pairs()
    {
        var folder = Write("{}\n{}\n", """{"rules": {"p/missing.toml": {"rule_id": "nope", "checked": "all", "matches": [1]}}}""");
        var report = new StringWriter();
        var result = Runner.Run(Dataset.Load(folder), new ContainsRuleSet("r1"), MatchScope.Full, report, 10);
        Assert.Equal((0L, 2L, 0L, 1L), (result.Agree, result.Total, result.ExpectedFound, result.Expected));
        Assert.Equal((0, 1), (result.RulesCompiled, result.Rules));
        Assert.Contains("not compiled: p/missing.toml (id nope)", report.ToString());
    }

    [Theory]
    [InlineData("""{"rule": {}}""", "no \"rules\"")]
    [InlineData("""{"rules": {"p": {"checked": "all", "matches": []}}}""", "neither rule_id nor id")]
    [InlineData("""{"rules": {"p": {"rule_id": "x", "checked": "some", "matches": []}}}""", "\"checked\" must be")]
    [InlineData("""{"rules": {"p": {"rule_id": "x", "checked": "all", "matches": [7]}}}""", "names event 7")]
    [InlineData("""{"rules": {"p": {"rule_id": "x", "checked": "all", "matches": ["0"]}}}""", "not an event index")]
    [InlineData("""{"rules": {"p": {"rule_id": "x", "checked": "all"}}}""", "no \"matches\"")]
    public void Malformed_expected_files_are_rejected_with_a_reason(string expected, string reason)
    {
        var folder = Write("{}\n", expected);
        var error = Assert.Throws<InvalidDataException>(() => Dataset.Load(folder));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_folder_without_events_is_rejected()
    {
        File.WriteAllText(Path.Combine(_folder, "expected.json"), """{"rules": {}}""");
        Assert.Throws<FileNotFoundException>(() => Dataset.Load(_folder));
    }

    /// <summary>
    /// A hand-made dataset folder in this repository (Datasets/tiny-kql), run with the corpus rules: it covers analysed
    /// text (excluded from the shared KQL dataset) and blank or malformed event lines.
    /// </summary>
    [SkippableFact]
    public void The_hand_made_dataset_agrees()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Datasets", "tiny-kql");
        var dataset = Dataset.Load(folder);
        Skip.If(RuleGen.Conformance.Compiled.RuleSet.Instance.Rules.Count == 0, "../shared is absent: the corpus rules were not compiled into the runner.");
        var report = new StringWriter();
        var result = Runner.Run(dataset, RuleGen.Conformance.Compiled.RuleSet.Instance, MatchScope.Full, report, 20);
        Assert.True(result.AllAgree, result.Summary + "\n" + report);
        Assert.Equal((2L, 2L), (result.ExpectedFound, result.Expected));
        Assert.Equal(11, result.Total);
    }
}

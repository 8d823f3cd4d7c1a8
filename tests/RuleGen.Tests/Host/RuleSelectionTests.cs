using System.Text.Json;
using RuleGen.Host;
using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Host;

/// <summary>
/// Choosing rules at scan time without rebuilding (<c>--min-level</c>, <c>--status</c>, <c>--tags</c>,
/// <c>--logsource</c>, <c>--rule</c> and the exclusions), for <c>rulegen scan</c> and <c>rulegen rules</c>.
/// </summary>
public sealed class RuleSelectionTests : IClassFixture<RuleSelectionTests.Compiled>
{
    public sealed class Compiled : IDisposable
    {
        public Compiled()
        {
            Run = GeneratorHarness.Run(
                ("/rules/sigma/high_process.yml", Sigma("High Process", "a0000000-0000-4000-8000-000000000001", "high", "stable", "attack.execution, attack.t1059.001",
                    "    product: windows\n    category: process_creation")),
                ("/rules/sigma/low_process.yml", Sigma("Low Process", "a0000000-0000-4000-8000-000000000002", "low", "experimental", "attack.discovery",
                    "    product: windows\n    category: process_creation")),
                ("/rules/sigma/critical_security.yml", Sigma("Critical Security", "a0000000-0000-4000-8000-000000000003", "critical", "test", "attack.t1003",
                    "    product: windows\n    service: security")),
                ("/rules/sigma/informational_any.yml", Sigma("Informational Any", "a0000000-0000-4000-8000-000000000004", "informational", "deprecated", "detection.threat-hunting",
                    "    product: windows")),
                ("/rules/elastic/medium_query.toml", GeneratorHarness.ElasticRule("marker:*", name: "Elastic Medium", ruleId: "b0000000-0000-4000-8000-000000000001")));
            if (Run.Assembly is null) throw new InvalidOperationException(string.Join("\n", Run.CompileDiagnostics));
        }

        private static string Sigma(string title, string id, string level, string status, string tags, string logsource) =>
            $"title: {title}\nid: {id}\nstatus: {status}\ntags: [{tags}]\nlogsource:\n{logsource}\n" +
            "detection:\n    selection:\n        marker|exists: true\n    condition: selection\n" + $"level: {level}\n";

        public GeneratorRun Run { get; }

        public void Dispose() => Run.Dispose();
    }

    private readonly Compiled _compiled;

    public RuleSelectionTests(Compiled compiled) => _compiled = compiled;

    private IRuleSet Rules => _compiled.Run.RuleSet();

    /// <summary>The names <c>rulegen rules</c> lists with these filters.</summary>
    private List<string> Listed(params string[] filters)
    {
        var result = HostHarness.Run(["rules", .. filters], rules: Rules);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines[..^1].Select(l => l.Split('\t')[4]).Order().ToList();
    }

    [Fact]
    public void Rules_lists_what_each_filter_selects()
    {
        Assert.Equal(5, Listed().Count);
        Assert.Equal(new[] { "Critical Security", "High Process" }, Listed("--min-level", "high"));
        // Elastic severity counts as the level (medium); informational is below low.
        Assert.Equal(new[] { "Critical Security", "Elastic Medium", "High Process", "Low Process" }, Listed("--min-level", "low"));
        Assert.Equal(new[] { "Critical Security", "High Process" }, Listed("--status", "stable,test"));
        Assert.Equal(new[] { "Elastic Medium" }, Listed("--status", "production"));
        Assert.Equal(new[] { "High Process" }, Listed("--tags", "attack.t1059*"));
        Assert.Equal(new[] { "Critical Security", "High Process" }, Listed("--tags", "ATTACK.T1003,attack.execution"));
        Assert.Equal(new[] { "High Process", "Low Process" }, Listed("--logsource", "product=windows,category=process_creation"));
        Assert.Equal(new[] { "Critical Security" }, Listed("--logsource", "service=security"));
        Assert.Equal(new[] { "Low Process" }, Listed("--rule", "a0000000-0000-4000-8000-000000000002"));
        Assert.Equal(new[] { "High Process", "Low Process" }, Listed("--rule", "*_process.yml"));
        Assert.Equal(new[] { "Elastic Medium" }, Listed("--rule", "*/elastic/*"));
    }

    [Fact]
    public void Exclusions_leave_out_what_they_select_after_the_filters()
    {
        Assert.Equal(new[] { "Critical Security", "Elastic Medium", "Low Process" }, Listed("--exclude-rule", "a0000000-0000-4000-8000-000000000001", "--exclude-status", "deprecated"));
        Assert.Equal(new[] { "High Process" }, Listed("--logsource", "category=process_creation", "--exclude-tags", "attack.discovery"));
        Assert.Equal(new[] { "Critical Security", "Elastic Medium", "Informational Any" }, Listed("--exclude-logsource", "category=process_creation"));
        var result = HostHarness.Run(["rules", "--min-level", "high", "--exclude-rule", "*critical*"], rules: Rules);
        Assert.EndsWith("1 rule of 5 selected\n", result.Stdout);
    }

    [Theory]
    [InlineData("--min-level", "severe", "--min-level needs one of informational, low, medium, high, critical")]
    [InlineData("--logsource", "os=windows", "needs key=value pairs")]
    [InlineData("--logsource", "product", "needs key=value pairs")]
    [InlineData("--tags", "", "--tags needs a value")]
    public void A_wrong_filter_is_a_usage_error(string option, string value, string message)
    {
        foreach (var command in new[] { "rules", "scan" })
        {
            var result = HostHarness.Run([command, option, value, "-"], rules: Rules);
            Assert.Equal(ExitCodes.UsageError, result.ExitCode);
            Assert.Contains(message, result.Stderr);
        }
    }

    [Fact]
    public void A_scan_alerts_only_on_the_rules_selected_and_says_how_many_ran()
    {
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("events.ndjson", """
            {"@timestamp":"2024-05-01T10:00:00Z","Channel":"Security","EventID":4688,"marker":"x"}

            """);
        var all = HostHarness.Run(["scan", "--no-progress", input], rules: Rules);
        Assert.Equal(new[] { "Critical Security", "Elastic Medium", "High Process", "Informational Any", "Low Process" }, Names(all));
        Assert.Contains("with 5 rules", all.Stderr);

        var high = HostHarness.Run(["scan", "--no-progress", "--min-level", "high", input], rules: Rules);
        Assert.Equal(0, high.ExitCode);
        Assert.Equal(new[] { "Critical Security", "High Process" }, Names(high));
        Assert.Contains("with 2 of 5 rules (selected)", high.Stderr);

        var tagged = HostHarness.Run(["scan", "--no-progress", "--tags", "attack.*", "--exclude-status", "test", input], rules: Rules);
        Assert.Equal(new[] { "High Process", "Low Process" }, Names(tagged));
    }

    private static string[] Names(HostResult result) =>
        result.Alerts.Select(a => a.GetProperty("kibana.alert.rule.name").GetString()!).Order().ToArray();

    /// <summary>A rule set whose rules' metadata cannot be read: what decides a scan without filters must not read it.</summary>
    private sealed class UnreadableMetadata : IRuleDispatch
    {
        public int Reads;

        public RuleInfo InfoOf(int rule)
        {
            Reads++;
            throw new InvalidOperationException("metadata read");
        }

        public bool IsMatch(int rule, ReadOnlySpan<byte> utf8Json, MatchScope scope) => false;
    }

    [Fact]
    public void Without_filters_no_rules_metadata_is_read_to_select_them()
    {
        var dispatch = new UnreadableMetadata();
        var rules = Enumerable.Range(0, 3).Select(i => new CompiledRule(i, dispatch)).ToList();
        var set = new ListedRules(rules);
        Assert.False(RuleSelection.All.IsFiltered);
        Assert.Null(RuleSelection.All.Of(set));
        Assert.Equal(0, dispatch.Reads);
        var args = new[] { "--min-level", "high" };
        var i = 0;
        var selection = RuleSelection.All;
        Assert.True(RuleSelection.TryParseOption(args, ref i, ref selection, TextWriter.Null));
        Assert.Equal(1, i);
        Assert.True(selection.IsFiltered);
        Assert.Throws<InvalidOperationException>(() => selection.Of(set));
    }

    private sealed class ListedRules(IReadOnlyList<CompiledRule> rules) : IRuleSet
    {
        public IReadOnlyList<CompiledRule> Rules => rules;

        public int Evaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches) => 0;

        public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount) => TryEvaluate(utf8Json, matches, out matchCount, MatchScope.Full);

        public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope)
        {
            matchCount = 0;
            return true;
        }
    }
}

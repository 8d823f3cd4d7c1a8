using System.Text;
using RuleGen.Host;
using RuleGen.Runtime;
using static RuleGen.Tests.Host.HostHarness;

namespace RuleGen.Tests.Host;

/// <summary>The scan summary and progress bar on stderr, and the <c>rules</c> listing.</summary>
public sealed class SummaryAndListingTests
{
    private static RuleInfo Rule(string id, string name) =>
        new() { Id = id, Name = name, Format = "elastic", Type = "query", Language = "kuery", SourceFile = id + ".toml", Severity = "low" };

    private sealed class FakeRuleSet(params RuleInfo[] infos) : IRuleSet
    {
        public IReadOnlyList<CompiledRule> Rules { get; } = infos.Select((info, i) => new CompiledRule(i, info, _ => false)).ToArray();
        public int Evaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches) => 0;
        public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount) { matchCount = 0; return true; }
        public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope) { matchCount = 0; return true; }
    }

    [Fact]
    public void Summary_gives_events_rate_malformed_locations_and_alerts_per_rule()
    {
        var rules = new FakeRuleSet(Rule("id-a", "Rule A"), Rule("id-b", "Rule B"), Rule("id-c", "Rule C"));
        var summary = new ScanSummary(3, inputs: 2) { Events = 20_000, Bytes = 5_000_000, BlankLines = 2 };
        summary.AddMalformed("a.ndjson", 7);
        summary.AddMalformed("<stdin>", 12);
        for (var i = 0; i < 1234; i++) summary.AddAlert(0);
        summary.AddAlert(2);
        var text = new StringWriter();
        summary.Print(text, rules, TimeSpan.FromSeconds(2));

        Assert.Equal("""
            rulegen: scanned 20,000 events (5.0 MB) from 2 inputs with 3 rules in 2.00 s: 10,000 events/s, 2.5 MB/s
              malformed lines: 2 (skipped: a.ndjson:7, <stdin>:12)
              blank lines: 2 (skipped)
              alerts: 1,235
                   1,234  Rule A (id-a)
                       1  Rule C (id-c)

            """.ReplaceLineEndings(), text.ToString());
    }

    [Fact]
    public void Summary_lists_twenty_malformed_locations_and_counts_the_rest()
    {
        var summary = new ScanSummary(1, inputs: 1);
        for (var line = 1; line <= 25; line++) summary.AddMalformed("f", line);
        var text = new StringWriter();
        summary.Print(text, new FakeRuleSet(Rule("x", "X")), TimeSpan.FromSeconds(1));
        var expected = "  malformed lines: 25 (skipped: " + string.Join(", ", Enumerable.Range(1, 20).Select(i => $"f:{i}")) + ", and 5 more)";
        Assert.Contains(expected, text.ToString());
        Assert.Contains("scanned 0 events (0.0 MB) from 1 input with 1 rule in 1.00 s", text.ToString());
        Assert.Contains("  alerts: 0", text.ToString());
    }

    [Fact]
    public void Scan_prints_its_summary_on_stderr_with_the_measured_time()
    {
        // Each clock reading moves 250 ms: the scan reads the clock at its start and for the summary.
        var result = Run(["scan", SamplePath], time: new SteppingTime(SteppingTime.Now, TimeSpan.FromMilliseconds(250)));
        var bytes = new FileInfo(SamplePath).Length;
        Assert.StartsWith(
            $"rulegen: scanned 12 events ({bytes / 1e6:N1} MB) from 1 input with {HostRules.Rules.Count} rule", result.Stderr);
        Assert.Contains(" in 0.25 s: 48 events/s, ", result.Stderr);
        Assert.Contains("  alerts: 4", result.Stderr);
        Assert.Contains("           4  Azure Full Network Packet Capture Detected (3ad77ed4-4dcf-4c51-8bfc-e3f7ce316b2f)", result.Stderr);
    }

    [Fact]
    public void Quiet_scan_prints_no_summary_but_still_reports_malformed_lines()
    {
        var result = Run(["scan", "-q", "-"], Encoding.UTF8.GetBytes("nope\n"));
        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rulegen: <stdin>:1: malformed line skipped: ", line);
    }

    private static byte[] ManyEvents(int count) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(ScanInputTests.NoMatch + "\n", count)));

    [Fact]
    public void Progress_is_drawn_on_a_terminal_after_the_first_second_and_cleared_before_the_summary()
    {
        // 600 ms per clock reading; the progress is considered every 1024 events.
        var result = Run(["scan", "-"], ManyEvents(5000), stderrIsTerminal: true, time: new SteppingTime(SteppingTime.Now, TimeSpan.FromMilliseconds(600)));
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("1,024 events", result.Stderr);
        Assert.Contains("2,048 events", result.Stderr);
        Assert.Contains(" events/s", result.Stderr);
        Assert.Contains("<stdin>", result.Stderr); // the input being read
        Assert.DoesNotContain("ETA", result.Stderr); // stdin: the size is not known
        var cleared = result.Stderr.LastIndexOf(ScanProgress.EraseLine, StringComparison.Ordinal);
        var summary = result.Stderr.IndexOf("rulegen: scanned", StringComparison.Ordinal);
        Assert.True(cleared >= 0 && cleared + ScanProgress.EraseLine.Length == summary, "the line is erased right before the summary");
    }

    [Fact]
    public void Progress_of_files_shows_the_percentage_and_the_time_left()
    {
        using var temp = new TempFolder();
        // About 2.6 MB: three batches, so the progress is drawn while the first is only part of the input.
        var padded = "{\"padding\":\"" + new string('x', 500) + "\"," + ScanInputTests.NoMatch[1..];
        var input = temp.File("big.ndjson", string.Concat(Enumerable.Repeat(padded + "\n", 5000)));
        var result = Run(["scan", "--threads", "1", input], stderrIsTerminal: true, time: new SteppingTime(SteppingTime.Now, TimeSpan.FromMilliseconds(600)));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Matches(@"\d+% ", result.Stderr);
        Assert.Matches(@"\d\d:\d\d ETA \d\d:\d\d", result.Stderr);
        Assert.Contains("big.ndjson", result.Stderr);
    }

    [Theory]
    [InlineData(false, new string[] { "scan", "-" })]
    [InlineData(true, new string[] { "scan", "--no-progress", "-" })]
    [InlineData(true, new string[] { "scan", "--quiet", "-" })]
    public void Progress_is_not_drawn_when_stderr_is_not_a_terminal_or_when_turned_off(bool terminal, string[] args)
    {
        var result = Run(args, ManyEvents(5000), stderrIsTerminal: terminal, time: new SteppingTime(SteppingTime.Now, TimeSpan.FromMilliseconds(600)));
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain('\r', result.Stderr);
    }

    [Fact]
    public void Progress_is_not_drawn_on_short_runs()
    {
        var result = Run(["scan", "-"], ManyEvents(5000), stderrIsTerminal: true, time: new SteppingTime(SteppingTime.Now, TimeSpan.FromMilliseconds(100)));
        Assert.DoesNotContain('\r', result.Stderr);
    }

    [Fact]
    public void Rules_lists_each_compiled_rule_on_one_line_then_their_count()
    {
        var result = Run(["rules"]);
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var rules = HostRules.Rules;
        Assert.Equal(rules.Count + 1, lines.Length);
        for (var i = 0; i < rules.Count; i++)
        {
            var info = rules[i].Info;
            Assert.Equal(new[] { info.Id, info.Type, info.Language, info.Severity, info.Name, info.SourceFile }, lines[i].Split('\t'));
        }
        Assert.Contains("3ad77ed4-4dcf-4c51-8bfc-e3f7ce316b2f\tquery\tkuery\tmedium\tAzure Full Network Packet Capture Detected\telastic/azure_full_network_packet_capture_detected.toml", lines);
        Assert.Equal(rules.Count == 1 ? "1 rule" : $"{rules.Count} rules", lines[^1]);
    }

    [Fact]
    public void Rules_listing_keeps_one_line_per_rule_when_a_name_has_tabs_or_newlines()
    {
        var stdout = new MemoryStream();
        var console = new HostConsole(new MemoryStream(), stdout, new StringWriter(), false, new SteppingTime());
        Cli.Run(["rules"], console, new FakeRuleSet(Rule("a", "Two\tpart\nname"), Rule("b", "B")));
        Assert.Equal("a\tquery\tkuery\tlow\tTwo part name\ta.toml\nb\tquery\tkuery\tlow\tB\tb.toml\n2 rules\n",
            Encoding.UTF8.GetString(stdout.ToArray()).ReplaceLineEndings("\n"));
    }
}

using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using RuleGen.Runtime;
using RuleGen.Tests.Host;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>
/// Hostile values cannot stall a rule: regexes run on the non-backtracking engine when the pattern allows it, and the
/// others (RG0223) under a timeout that counts as no match, per rule. The tests assert verdicts, not times: a
/// regression to backtracking would not finish (the issue's probe needs 40 s for 30 characters).
/// </summary>
public sealed class SigmaRedosTests : IClassFixture<SigmaRedosTests.Compiled>
{
    public sealed class Compiled : IDisposable
    {
        public SigmaRules Rules { get; } = new(new Dictionary<string, string>
        {
            ["Nested Plus"] = "    selection:\n        CommandLine|re: '(a+)+$'\n    condition: selection",
            ["Alternation"] = "    selection:\n        CommandLine|re: '(a|aa)+$'\n    condition: selection",
            ["Dot Star Counted"] = "    selection:\n        CommandLine|re: '(.*a){20}'\n    condition: selection",
            ["Lookbehind"] = "    selection:\n        CommandLine|re: '(?<!x)(a+)+$'\n    condition: selection",
            // Its pre-filter, (a+)+(?:), matches the hostile value: only the timeout stops the backtracking engine.
            ["Past Prefilter"] = "    selection:\n        CommandLine|re: '(a+)+(?=!!)'\n    condition: selection",
            ["Many Stars"] = "    selection:\n        CommandLine: '*a*a*a*a*b'\n    condition: selection",
        });

        public void Dispose() => Rules.Dispose();
    }

    private readonly SigmaRules _rules;

    public SigmaRedosTests(Compiled compiled) => _rules = compiled.Rules;

    private static string Event(string commandLine) => $$"""{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","CommandLine":"{{commandLine}}"}""";

    [Theory]
    [InlineData(30)]
    [InlineData(50_000)]
    public void Nested_quantifiers_answer_at_once_on_hostile_values(int length)
    {
        var hostile = Event(new string('a', length) + "!");
        Assert.False(_rules.Detects("Nested Plus", hostile));
        Assert.False(_rules.Detects("Alternation", hostile));
        Assert.Equal(length >= 20, _rules.Detects("Dot Star Counted", hostile));
        Assert.False(_rules.Detects("Many Stars", hostile));
        var benign = Event(new string('a', length));
        Assert.True(_rules.Detects("Nested Plus", benign));
        Assert.True(_rules.Detects("Alternation", benign));
        Assert.True(_rules.Detects("Many Stars", Event(new string('a', length) + "b")));
    }

    [Fact]
    public void Generated_code_says_which_engine_runs_each_regex_and_why()
    {
        var sources = string.Join("\n", _rules.Run.Sources.Values);
        Assert.Contains("// Linear time (NonBacktracking): no backreference, lookaround or other construct that needs backtracking.", sources);
        Assert.Contains("RegexOptions.NonBacktracking", sources);
        Assert.Contains("// Backtracking, with a timeout (RuleGenRt.RegexText.MatchTimeout; a timeout is no match, counted for the rule): the pattern uses a negative lookbehind '(?<!x)'", sources);
        Assert.Contains($"rule: \"{_rules["Lookbehind"].Info.Id}\", prefilter: \"(?:)(a+)+$\"", sources);
        Assert.Contains("A value must first match the pre-filter, the pattern relaxed to run in linear time", sources);
    }

    [Fact]
    public void Lookaround_gets_a_warning_at_the_regex_value()
    {
        var rule = "title: Lookaround Rule\nid: 33333333-3333-4333-8333-333333333333\nlogsource:\n    product: windows\n    category: process_creation\n" +
            "detection:\n    selection:\n        CommandLine|re:\n            - 'cmd'\n            - '(?<!\\\\)%\\w+%'\n    condition: selection\nlevel: low\n";
        using var run = GeneratorHarness.Run(("/rules/lookaround.yml", rule));
        var warning = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0223");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        var span = warning.Location.GetLineSpan();
        Assert.Equal("/rules/lookaround.yml", span.Path);
        Assert.Equal((10, 15), (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));
        Assert.Contains("a negative lookbehind '(?<!\\\\)'", warning.GetMessage());
        // Still compiled, and matches what it should. The timeout is wall-clock time, so on a loaded machine a thread
        // descheduled for 10 ms times out on any value: this checks the verdicts with a timeout no preemption reaches.
        RegexText.MatchTimeout = TimeSpan.FromSeconds(30);
        try
        {
            Assert.True(run.Matches(Event("%PATH%")));
            Assert.False(run.Matches(Event("\\\\%PATH%")));
        }
        finally
        {
            RegexText.MatchTimeout = RegexText.DefaultMatchTimeout;
        }
    }

    [Fact]
    public void A_timeout_is_no_match_counted_for_the_rule()
    {
        var id = _rules["Past Prefilter"].Info.Id;
        var before = RegexTimeouts.Of(id);
        // Exponential for the backtracking engine: the default timeout stops it.
        Assert.False(_rules.Detects("Past Prefilter", Event(new string('a', 5_000) + "!")));
        Assert.True(RegexTimeouts.Of(id) >= before + 1);
        // The rule still matches what it should afterwards.
        Assert.True(_rules.Detects("Past Prefilter", Event("aaaa!!")));
    }

    [Fact]
    public void A_value_the_pre_filter_refuses_is_no_match_without_the_backtracking_engine()
    {
        var id = _rules["Lookbehind"].Info.Id;
        var before = RegexTimeouts.Of(id);
        // The pre-filter (a+)+$ refuses it in linear time: no timeout, where the pattern alone timed out.
        for (var i = 0; i < 3; i++) Assert.False(_rules.Detects("Lookbehind", Event(new string('a', 50_000) + "!")));
        Assert.Equal(before, RegexTimeouts.Of(id));
        // What the pre-filter lets through gets the pattern's own verdict.
        Assert.True(_rules.Detects("Lookbehind", Event("aaaa")));
        Assert.True(_rules.Detects("Lookbehind", Event("xaaaa")));
        Assert.False(_rules.Detects("Lookbehind", Event("xa")));
    }

    [Fact]
    public void A_pre_filter_the_engine_refuses_is_left_out_and_the_pattern_alone_answers()
    {
        // A generous timeout: the timer is wall time, and on a loaded machine a 10 ms one can cut off even these.
        var patient = TimeSpan.FromSeconds(30);
        var regex = new ThreadRegex(@"(?<!x)a", RegexOptions.CultureInvariant | RegexOptions.Compiled, rule: "test:bad-prefilter", timeout: patient, prefilter: @"(a)\1");
        Assert.Null(regex.CurrentPrefilter);
        Assert.True(RegexText.IsMatch(regex, "ba"u8));
        Assert.False(RegexText.IsMatch(regex, "xa"u8));
        var filtered = new ThreadRegex(@"(?<!x)a", RegexOptions.CultureInvariant | RegexOptions.Compiled | RegexOptions.IgnoreCase, rule: "test:prefilter", timeout: patient, prefilter: @"(?:)a");
        Assert.True((filtered.CurrentPrefilter!.Options & RegexOptions.NonBacktracking) != 0);
        Assert.True(RegexText.IsMatch(filtered, "bA"u8));
        Assert.False(RegexText.IsMatch(filtered, "bbb"u8));
        Assert.False(RegexText.IsMatch(filtered, "xA"u8));
        Assert.Equal(0, RegexTimeouts.Of("test:prefilter") + RegexTimeouts.Of("test:bad-prefilter"));
    }

    [Fact]
    public void Thread_regex_with_a_tiny_timeout_counts_and_answers_no_match()
    {
        const string Rule = "test:tiny-timeout";
        var regex = new ThreadRegex(@"(?<!x)(a+)+$", RegexOptions.CultureInvariant | RegexOptions.Compiled, rule: Rule, timeout: TimeSpan.FromMilliseconds(1));
        Assert.False(regex.IsLinear);
        var hostile = Encoding.UTF8.GetBytes(new string('a', 5_000) + "!");
        var before = RegexTimeouts.Total;
        Assert.False(RegexText.IsMatch(regex, hostile));
        Assert.False(RegexText.IsMatch(regex, hostile));
        Assert.Equal(2, RegexTimeouts.Of(Rule));
        Assert.True(RegexTimeouts.Total >= before + 2);
        Assert.Contains(RegexTimeouts.Snapshot(), e => e.Key == Rule && e.Value == 2);
        Assert.True(RegexText.IsMatch(regex, Encoding.UTF8.GetBytes("aaa")));
    }

    [Fact]
    public void Non_backtracking_asked_of_a_pattern_it_refuses_falls_back_to_backtracking()
    {
        var regex = new ThreadRegex(@"(a)\1", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, rule: "test:fallback");
        Assert.True(RegexText.IsMatch(regex, "xaay"u8));
        Assert.False(RegexText.IsMatch(regex, "xaby"u8));
        Assert.False(regex.IsLinear);
        Assert.NotEqual(Regex.InfiniteMatchTimeout, regex.Current.MatchTimeout);
        var linear = new ThreadRegex(@"(a+)+$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        Assert.True(linear.IsLinear);
    }

    [Fact]
    public void Scan_summary_lists_regex_timeouts_per_rule_and_the_stream_goes_on()
    {
        var hostile = Event(new string('a', 5_000) + "!");
        var input = Encoding.UTF8.GetBytes(hostile + "\n" + Event("aaaa") + "\n" + hostile + "\n");
        HostResult result;
        try
        {
            result = HostHarness.Run(["scan", "--threads", "1", "--regex-timeout", "5", "-"], input, rules: _rules.Run.RuleSet());
        }
        finally
        {
            RegexText.MatchTimeout = RegexText.DefaultMatchTimeout; // the option sets the process's timeout
        }
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("rulegen: scanned 3 events", result.Stderr);
        Assert.Contains("  regex timeouts: 2 (matches longer than 5 ms, counted as no match; see RG0223)", result.Stderr);
        Assert.Contains($"       2  Past Prefilter ({_rules["Past Prefilter"].Info.Id})", result.Stderr);
    }

    [Fact]
    public void Regex_timeout_option_needs_positive_milliseconds()
    {
        var result = HostHarness.Run(["scan", "--regex-timeout", "0", "-"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--regex-timeout needs a number of milliseconds", result.Stderr);
    }
}

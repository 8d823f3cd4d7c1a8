using BenchmarkDotNet.Attributes;
using RuleGen.Runtime;

namespace RuleGen.Benchmarks;

/// <summary>
/// The ReDoS probes (the rules of bench/RuleGen.Benchmarks.Rules/redos, rule set Redos), each matched against one event
/// whose <c>CommandLine</c> is 50 KB of <c>a</c> followed by <c>!</c>: the value that makes a backtracking engine
/// exponential for nested quantifiers. An operation is one event through one rule (scan and detection), so the mean is
/// the cost per event; the target is 1 ms. The lookbehind probe needs backtracking (RG0223) and costs what
/// <see cref="RegexText.MatchTimeout"/> allows (<c>--redos --regex-timeout MS</c> sets it).
/// </summary>
[MemoryDiagnoser]
public class RedosBenchmarks
{
    /// <summary>The probes, by the rule file they come from.</summary>
    public static IEnumerable<string> Probes =>
        ["nested_plus", "alternation", "counted_dot_star", "counted_dot_star_failing", "many_stars", "many_stars_inner", "lookbehind", "lookahead_past_prefilter"];

    /// <summary>The hostile value's length: 50 KB of 'a', then '!'.</summary>
    public const int ValueLength = 50_000;

    private CompiledRule _rule = null!;
    private ReadOnlyMemory<byte> _event;
    private long _timeoutsBefore;

    [ParamsSource(nameof(Probes))]
    public string Probe { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var set = Catalog.RuleSet("Redos") ?? throw new InvalidOperationException("rule set Redos not compiled (bench/RuleGen.Benchmarks.Rules/redos)");
        _rule = set.Rules.Single(r => r.Info.SourceFile == Probe + ".yml");
        _event = System.Text.Encoding.UTF8.GetBytes(
            $$"""{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"{{new string('a', ValueLength)}}!"}""");
        // Every probe answers "no match" on this value but counted_dot_star, which matches its first 20 'a's.
        var expected = Probe == "counted_dot_star";
        if (_rule.IsMatch(_event, MatchScope.DetectionOnly) != expected) throw new InvalidOperationException($"{Probe}: expected {(expected ? "a match" : "no match")}");
        _timeoutsBefore = RegexTimeouts.Of(_rule.Info.Id);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var timeouts = RegexTimeouts.Of(_rule.Info.Id) - _timeoutsBefore;
        if (timeouts > 0) Console.WriteLine($"// {Probe}: {timeouts:N0} regex timeouts of {RegexText.MatchTimeout.TotalMilliseconds:N0} ms (each counted as no match)");
    }

    [Benchmark]
    public bool Event() => _rule.IsMatch(_event, MatchScope.DetectionOnly);
}

using System.Globalization;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>What a scan saw: events, bytes, malformed lines (where), alerts per rule.</summary>
public sealed class ScanSummary
{
    private const int MalformedShown = 20;
    private readonly long[] _alertsPerRule;
    private readonly List<string> _malformed = new();

    public ScanSummary(int ruleCount) => _alertsPerRule = new long[ruleCount];

    public long Events { get; set; }
    public long Bytes { get; set; }
    public long MalformedCount { get; private set; }
    public long Alerts { get; private set; }

    public void AddMalformed(string input, long line)
    {
        MalformedCount++;
        if (_malformed.Count < MalformedShown) _malformed.Add($"{input}:{line}");
    }

    public void AddAlert(int rule)
    {
        _alertsPerRule[rule]++;
        Alerts++;
    }

    public void Print(TextWriter stderr, IRuleSet ruleSet, int inputs, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var c = CultureInfo.InvariantCulture;
        stderr.WriteLine(string.Format(c,
            "rulegen: scanned {0:N0} events ({1:N1} MB) from {2} input(s) with {3} rule(s) in {4:F2} s: {5:N0} events/s, {6:N1} MB/s",
            Events, Bytes / 1e6, inputs, ruleSet.Rules.Count, elapsed.TotalSeconds, Events / seconds, Bytes / 1e6 / seconds));
        if (MalformedCount == 0)
        {
            stderr.WriteLine("  malformed lines: 0");
        }
        else
        {
            var more = MalformedCount > _malformed.Count ? $", and {MalformedCount - _malformed.Count} more" : "";
            stderr.WriteLine($"  malformed lines: {MalformedCount} (skipped: {string.Join(", ", _malformed)}{more})");
        }
        stderr.WriteLine($"  alerts: {Alerts}");
        for (var i = 0; i < _alertsPerRule.Length; i++)
        {
            if (_alertsPerRule[i] == 0) continue;
            var info = ruleSet.Rules[i].Info;
            stderr.WriteLine(string.Format(c, "    {0,8:N0}  {1} ({2})", _alertsPerRule[i], info.Name, info.Id));
        }
    }
}

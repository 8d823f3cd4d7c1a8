using System.Globalization;
using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Host.Output;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>
/// What a scan saw: events, bytes, blank, malformed and overlong lines (where), damaged EVTX data (where), alerts per
/// rule. Every line read (or EVTX entry) is exactly one of an event, a malformed, a blank or an overlong line, or damaged
/// EVTX data, so those five counts add up to the lines read.
/// </summary>
public sealed class ScanSummary
{
    /// <summary>Malformed lines whose location the summary lists; the rest are counted.</summary>
    public const int MalformedListed = 20;

    private readonly long[] _alertsPerRule;
    private readonly List<string> _malformed = new();
    private readonly List<string> _overlong = new();
    private readonly List<string> _corrupt = new();
    private readonly int _inputs;
    private readonly Dictionary<string, long> _regexTimeoutsBefore;

    public ScanSummary(int ruleCount, int inputs)
    {
        _alertsPerRule = new long[ruleCount];
        _inputs = inputs;
        // The counters are the process's; this scan's are what they gained since it started.
        _regexTimeoutsBefore = RegexTimeouts.Snapshot().ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
    }

    /// <summary>Regex matches of this scan that ran out of time (each counted as no match), per rule id, ordered by id.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> RegexTimeoutsByRule() =>
        RegexTimeouts.Snapshot()
            .Select(e => new KeyValuePair<string, long>(e.Key, e.Value - _regexTimeoutsBefore.GetValueOrDefault(e.Key)))
            .Where(e => e.Value > 0)
            .ToList();

    /// <summary>Well-formed events evaluated.</summary>
    public long Events { get; set; }

    /// <summary>Bytes read (after decompression).</summary>
    public long Bytes { get; set; }

    /// <summary>Empty or whitespace-only lines (skipped, not malformed).</summary>
    public long BlankLines { get; set; }

    public long MalformedCount { get; private set; }

    /// <summary>Lines over the line limit (skipped unread; not counted as malformed).</summary>
    public long OverlongCount { get; private set; }

    /// <summary>Damaged EVTX chunks and records (reported, skipped; not counted as malformed lines).</summary>
    public long CorruptCount { get; private set; }

    /// <summary>"file:line" of the first malformed lines.</summary>
    public IReadOnlyList<string> MalformedLocations => _malformed;

    public long Alerts { get; private set; }

    public long AlertsOf(int rule) => _alertsPerRule[rule];

    public void AddMalformed(string input, long line)
    {
        MalformedCount++;
        if (_malformed.Count < MalformedListed) _malformed.Add(string.Create(CultureInfo.InvariantCulture, $"{input}:{line}"));
    }

    public void AddOverlong(string input, long line)
    {
        OverlongCount++;
        if (_overlong.Count < MalformedListed) _overlong.Add(string.Create(CultureInfo.InvariantCulture, $"{input}:{line}"));
    }

    public void AddCorrupt(string input, long offset)
    {
        CorruptCount++;
        if (_corrupt.Count < MalformedListed) _corrupt.Add(string.Create(CultureInfo.InvariantCulture, $"{input}@0x{offset:x}"));
    }

    public void AddAlert(int rule)
    {
        _alertsPerRule[rule]++;
        Alerts++;
    }

    /// <summary>Counts a new alert of rule <paramref name="rule"/>, with its level, computer and time (<see cref="Results"/>).</summary>
    public void AddAlert(int rule, DetectionAlert alert, TimelineRow row)
    {
        AddAlert(rule);
        Results.Add(alert, row);
    }

    /// <summary>
    /// The alerts by level, computer and time, for the summary and the report. A scan resumed from a checkpoint counts
    /// here the alerts of this run only (the checkpoint keeps the counts per rule).
    /// </summary>
    public ScanResults Results { get; } = new();

    /// <summary>Whether alerts' Details are read for the summary (a report lists the top alerts with them).</summary>
    public bool ReportDetails { get; set; }

    /// <summary>Computers the summary names.</summary>
    public const int TopComputersListed = 5;

    /// <summary>How many of the rule set's rules the scan's filters selected (null: no filter, all of them).</summary>
    public int? SelectedRules { get; set; }

    /// <summary>Rule files of a <c>--rules</c> or <c>--pack</c> pack left out for their errors (0: none, or the built-in rules).</summary>
    public int RuleFilesLeftOut { get; set; }

    public void Print(TextWriter stderr, IRuleSet ruleSet, TimeSpan elapsed)
    {
        var c = CultureInfo.InvariantCulture;
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        var rules = SelectedRules is { } selected
            ? string.Format(c, "{0:N0} of {1:N0} rules (selected)", selected, ruleSet.Rules.Count)
            : string.Format(c, "{0:N0} {1}", ruleSet.Rules.Count, Plural(ruleSet.Rules.Count, "rule", "rules"));
        stderr.WriteLine(string.Format(c,
            "rulegen: scanned {0:N0} {1} ({2:N1} MB) from {3:N0} {4} with {5} in {6:F2} s: {7:N0} events/s, {8:N1} MB/s",
            Events, Plural(Events, "event", "events"), Bytes / 1e6, _inputs, Plural(_inputs, "input", "inputs"),
            rules, elapsed.TotalSeconds, Events / seconds, Bytes / 1e6 / seconds));
        if (RuleFilesLeftOut > 0)
        {
            stderr.WriteLine(string.Format(c, "  rule files left out: {0:N0} (errors in them, reported before the scan; the other rules ran)", RuleFilesLeftOut));
        }
        if (MalformedCount == 0)
        {
            stderr.WriteLine("  malformed lines: 0");
        }
        else
        {
            var more = MalformedCount > _malformed.Count ? string.Format(c, ", and {0:N0} more", MalformedCount - _malformed.Count) : "";
            stderr.WriteLine(string.Format(c, "  malformed lines: {0:N0} (skipped: {1}{2})", MalformedCount, string.Join(", ", _malformed), more));
        }
        if (BlankLines > 0) stderr.WriteLine(string.Format(c, "  blank lines: {0:N0} (skipped)", BlankLines));
        if (OverlongCount > 0)
        {
            var more = OverlongCount > _overlong.Count ? string.Format(c, ", and {0:N0} more", OverlongCount - _overlong.Count) : "";
            stderr.WriteLine(string.Format(c, "  overlong lines: {0:N0} (over the line limit, skipped unread: {1}{2})", OverlongCount, string.Join(", ", _overlong), more));
        }
        if (CorruptCount > 0)
        {
            var more = CorruptCount > _corrupt.Count ? string.Format(c, ", and {0:N0} more", CorruptCount - _corrupt.Count) : "";
            stderr.WriteLine(string.Format(c, "  damaged EVTX data: {0:N0} (chunks or records reported and skipped, at file offsets: {1}{2})", CorruptCount, string.Join(", ", _corrupt), more));
        }
        stderr.WriteLine(string.Format(c, "  alerts: {0:N0}", Alerts));
        PrintResults(stderr);
        for (var i = 0; i < _alertsPerRule.Length; i++)
        {
            if (_alertsPerRule[i] == 0) continue;
            // After the rules come the rule set's Sigma correlations.
            var info = i < ruleSet.Rules.Count ? ruleSet.Rules[i].Info : ruleSet.Correlations[i - ruleSet.Rules.Count].Info;
            stderr.WriteLine(string.Format(c, "    {0,8:N0}  {1} ({2})", _alertsPerRule[i], info.Name, info.Id));
        }
        var timeouts = RegexTimeoutsByRule();
        if (timeouts.Count > 0)
        {
            stderr.WriteLine(string.Format(c, "  regex timeouts: {0:N0} (matches longer than {1:N0} ms, counted as no match; see RG0223)",
                timeouts.Sum(t => t.Value), RegexText.MatchTimeout.TotalMilliseconds));
            foreach (var (rule, count) in timeouts)
            {
                var name = ruleSet.Rules.FirstOrDefault(r => r.Info.Id == rule)?.Info.Name ?? "(unknown rule)";
                stderr.WriteLine(string.Format(c, "    {0,8:N0}  {1} ({2})", count, name, rule));
            }
        }
    }

    /// <summary>The alerts by level, their time span and the top computers (nothing without alerts).</summary>
    private void PrintResults(TextWriter stderr)
    {
        var c = CultureInfo.InvariantCulture;
        var results = Results;
        if (results.Alerts == 0) return;
        stderr.WriteLine("    by level: " + string.Join(", ", results.ByLevel().Select(l => string.Format(c, "{0} {1:N0}", l.Key, l.Value))));
        stderr.WriteLine(string.Format(c, "    first alert: {0}, last alert: {1} (event time, UTC)",
            TimelineRow.FormatTime(results.FirstNanos!.Value), TimelineRow.FormatTime(results.LastNanos!.Value)));
        var computers = results.TopComputers(TopComputersListed);
        var more = results.ComputerCount > computers.Count ? string.Format(c, " (of {0:N0})", results.ComputerCount) : "";
        stderr.WriteLine(string.Format(c, "    top computers{0}: {1}", more, string.Join(", ", computers.Select(k => string.Format(c, "{0} {1:N0}", k.Key == TimelineRow.Missing ? "(none: no computer field)" : k.Key, k.Value)))));
        stderr.WriteLine("    by rule:");
    }

    private static string Plural(long n, string one, string many) => n == 1 ? one : many;

    /// <summary>The counts as they stand (for a checkpoint); the rules are named by id, which outlives their order.</summary>
    public Counts Snapshot(IRuleSet ruleSet)
    {
        var alerts = new List<(string, long)>();
        for (var i = 0; i < _alertsPerRule.Length; i++)
        {
            if (_alertsPerRule[i] > 0) alerts.Add((RuleId(ruleSet, i), _alertsPerRule[i]));
        }
        return new Counts(Events, Bytes, BlankLines, MalformedCount, OverlongCount, alerts) { Corrupt = CorruptCount };
    }

    /// <summary>Continues from a checkpoint's counts (before anything of this run is counted).</summary>
    public void Restore(Counts counts, IRuleSet ruleSet)
    {
        Events = counts.Events;
        Bytes = counts.Bytes;
        BlankLines = counts.Blank;
        MalformedCount = counts.Malformed;
        OverlongCount = counts.Overlong;
        CorruptCount = counts.Corrupt;
        var byId = new Dictionary<string, long>(counts.AlertsPerRule.Select(a => KeyValuePair.Create(a.RuleId, a.Count)));
        for (var i = 0; i < _alertsPerRule.Length; i++)
        {
            if (byId.TryGetValue(RuleId(ruleSet, i), out var n))
            {
                _alertsPerRule[i] = n;
                Alerts += n;
            }
        }
    }

    private static string RuleId(IRuleSet ruleSet, int i) =>
        i < ruleSet.Rules.Count ? ruleSet.Rules[i].Info.Id : ruleSet.Correlations[i - ruleSet.Rules.Count].Info.Id;

    /// <summary>The summary's counts, as a checkpoint keeps them.</summary>
    public sealed record Counts(long Events, long Bytes, long Blank, long Malformed, long Overlong, IReadOnlyList<(string RuleId, long Count)> AlertsPerRule)
    {
        /// <summary>Damaged EVTX entries (absent from checkpoints written before EVTX input: 0).</summary>
        public long Corrupt { get; init; }

        public void WriteTo(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteNumber("events", Events);
            writer.WriteNumber("bytes", Bytes);
            writer.WriteNumber("blank", Blank);
            writer.WriteNumber("malformed", Malformed);
            writer.WriteNumber("overlong", Overlong);
            writer.WriteNumber("corrupt", Corrupt);
            writer.WriteStartObject("alerts");
            foreach (var (id, count) in AlertsPerRule) writer.WriteNumber(id, count);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        public static Counts Read(JsonElement e) => new(
            e.GetProperty("events").GetInt64(), e.GetProperty("bytes").GetInt64(), e.GetProperty("blank").GetInt64(),
            e.GetProperty("malformed").GetInt64(), e.GetProperty("overlong").GetInt64(),
            e.GetProperty("alerts").EnumerateObject().Select(p => (p.Name, p.Value.GetInt64())).ToList())
        {
            Corrupt = e.TryGetProperty("corrupt", out var corrupt) ? corrupt.GetInt64() : 0,
        };
    }
}

using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Host.Output;

/// <summary>
/// What the alerts of a scan were: how many per level and per computer, the first and last alert times (event time),
/// the alerts per hour, and the highest-level alerts with their rules (for the report). Fed once per alert, in the
/// order they are raised; bounded whatever the number of alerts.
/// </summary>
public sealed class ScanResults
{
    /// <summary>Alerts the report lists (the highest levels first, then the earliest).</summary>
    public const int TopAlertsKept = 50;

    /// <summary>Distinct computers counted one by one; alerts of further computers count as <see cref="OtherComputers"/>.</summary>
    public const int ComputersKept = 10_000;

    /// <summary>Sigma's levels from the most to the least severe (Elastic severities are the same words, without informational).</summary>
    public static readonly string[] Levels = { "critical", "high", "medium", "low", "informational" };

    private readonly Dictionary<string, long> _levels = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _computers = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, long> _perHour = new();
    private readonly List<TopAlert> _top = new();

    public long Alerts { get; private set; }

    /// <summary>Alerts of computers past the first <see cref="ComputersKept"/>.</summary>
    public long OtherComputers { get; private set; }

    /// <summary>The earliest and latest alert times (nanoseconds since the epoch); null before any alert.</summary>
    public long? FirstNanos { get; private set; }
    public long? LastNanos { get; private set; }

    /// <summary>A level's rank: 0 for critical, up to 4 for informational (5: an unknown level).</summary>
    public static int Rank(string level)
    {
        var i = Array.FindIndex(Levels, l => l.Equals(level, StringComparison.OrdinalIgnoreCase));
        return i < 0 ? Levels.Length : i;
    }

    /// <summary>Counts one new alert (not a rewrite of a suppressed one).</summary>
    public void Add(DetectionAlert alert, TimelineRow row)
    {
        Alerts++;
        _levels[row.Level] = _levels.GetValueOrDefault(row.Level) + 1;
        if (_computers.TryGetValue(row.Computer, out var n)) _computers[row.Computer] = n + 1;
        else if (_computers.Count < ComputersKept) _computers[row.Computer] = 1;
        else OtherComputers++;
        var time = alert.OriginalTimeNanos;
        if (FirstNanos is null || time < FirstNanos) FirstNanos = time;
        if (LastNanos is null || time > LastNanos) LastNanos = time;
        var hour = time - (((time % HourNanos) + HourNanos) % HourNanos);
        _perHour[hour] = _perHour.GetValueOrDefault(hour) + 1;
        // Keep the top: a sorted list of at most TopAlertsKept, by level, then time.
        var candidate = new TopAlert(row, alert.Rule.Info, time);
        if (_top.Count == TopAlertsKept && Compare(candidate, _top[^1]) >= 0) return;
        var at = _top.BinarySearch(candidate, Comparer);
        _top.Insert(at < 0 ? ~at : at, candidate);
        if (_top.Count > TopAlertsKept) _top.RemoveAt(_top.Count - 1);
    }

    /// <summary>Whether an alert of <paramref name="level"/> would enter the top alerts (then its Details are worth reading).</summary>
    public bool WouldKeep(string level) => _top.Count < TopAlertsKept || Rank(level) < Rank(_top[^1].Row.Level);

    public const long HourNanos = 3_600_000_000_000L;

    /// <summary>Alerts per level, from the most severe level; levels with no alert left out.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> ByLevel() =>
        _levels.OrderBy(l => Rank(l.Key)).ThenBy(l => l.Key, StringComparer.Ordinal).ToList();

    /// <summary>The computers with the most alerts, most first (ties by name).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> TopComputers(int count) =>
        _computers.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(count).ToList();

    /// <summary>How many distinct computers had alerts (up to <see cref="ComputersKept"/>).</summary>
    public int ComputerCount => _computers.Count;

    /// <summary>Alerts per hour of event time (start of the hour in nanoseconds, count), in time order.</summary>
    public IReadOnlyList<KeyValuePair<long, long>> PerHour() => _perHour.ToList();

    /// <summary>The highest-level alerts, most severe first, then earliest.</summary>
    public IReadOnlyList<TopAlert> TopAlerts => _top;

    private static int Compare(TopAlert a, TopAlert b)
    {
        var byLevel = Rank(a.Row.Level).CompareTo(Rank(b.Row.Level));
        return byLevel != 0 ? byLevel : a.TimeNanos.CompareTo(b.TimeNanos);
    }

    private static readonly IComparer<TopAlert> Comparer = Comparer<TopAlert>.Create(Compare);

    /// <summary>One alert of the report's list: its row and its rule (for the MITRE tactics and techniques).</summary>
    public sealed record TopAlert(TimelineRow Row, RuleInfo Rule, long TimeNanos)
    {
        /// <summary>The rule's MITRE ATT&amp;CK tactics (Elastic threat mappings, else Sigma attack.* tags).</summary>
        public IReadOnlyList<string> Tactics => Mitre.TacticsOf(Rule);

        /// <summary>The rule's techniques and sub-techniques (ids such as T1059.001).</summary>
        public IReadOnlyList<string> Techniques => Mitre.TechniquesOf(Rule);
    }
}

/// <summary>A rule's MITRE ATT&amp;CK mappings, from its metadata: Elastic's <c>threat</c>, Sigma's <c>attack.*</c> tags.</summary>
public static class Mitre
{
    public static IReadOnlyList<string> TacticsOf(RuleInfo rule)
    {
        var tactics = new List<string>();
        foreach (var threat in rule.Threat) tactics.Add($"{threat.Tactic.Name} ({threat.Tactic.Id})");
        foreach (var tag in rule.Tags)
        {
            // Sigma: attack.<tactic name with underscores>; techniques are attack.t<digits>, groups attack.g..., software attack.s...
            if (!tag.StartsWith("attack.", StringComparison.OrdinalIgnoreCase)) continue;
            var name = tag["attack.".Length..];
            if (name.Length == 0 || IsId(name)) continue;
            tactics.Add(string.Join(' ', name.Split('_', '-').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..])));
        }
        return tactics.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    public static IReadOnlyList<string> TechniquesOf(RuleInfo rule)
    {
        var techniques = new List<string>();
        foreach (var threat in rule.Threat)
        {
            foreach (var technique in threat.Techniques)
            {
                techniques.Add($"{technique.Technique.Id} {technique.Technique.Name}");
                foreach (var sub in technique.Subtechniques) techniques.Add($"{sub.Id} {sub.Name}");
            }
        }
        foreach (var tag in rule.Tags)
        {
            if (!tag.StartsWith("attack.t", StringComparison.OrdinalIgnoreCase)) continue;
            var id = tag["attack.".Length..];
            if (IsId(id)) techniques.Add(id.ToUpperInvariant());
        }
        return techniques.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>T1059, T1059.001, G0016, S0002: an ATT&amp;CK id rather than a tactic's name.</summary>
    private static bool IsId(string name) =>
        name.Length >= 5 && char.ToLowerInvariant(name[0]) is 't' or 'g' or 's' && name.Skip(1).TakeWhile(c => c != '.').All(char.IsAsciiDigit)
        && name[1..].Replace(".", "").All(char.IsAsciiDigit);
}

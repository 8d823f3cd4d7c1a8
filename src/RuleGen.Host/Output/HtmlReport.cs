using System.Globalization;
using System.Net;
using System.Text;
using RuleGen.Runtime;
using ScottPlot;

namespace RuleGen.Host.Output;

/// <summary>
/// <c>rulegen scan --report FILE.html</c>: one self-contained HTML file of a scan's results. Charts of the alerts over
/// time, by level, by rule and by computer are drawn by ScottPlot 5 as SVG and inlined; the summary tables and the
/// top alerts (with their rules' MITRE ATT&amp;CK tactics and techniques) follow. No scripts, fonts, stylesheets or
/// images are fetched: the page opens offline.
/// </summary>
public static class HtmlReport
{
    /// <summary>Bars the by-rule and by-computer charts draw (the tables list more).</summary>
    public const int ChartBars = 10;

    /// <summary>Rows of the by-rule and by-computer tables.</summary>
    public const int TableRows = 25;

    private const int ChartWidth = 720, ChartHeight = 320;

    /// <summary>Writes the report; false after saying on <paramref name="stderr"/> why it could not be written.</summary>
    public static bool TryWrite(string path, ScanSummary summary, IRuleSet ruleSet, ScanOptions options, TimeSpan elapsed, TextWriter stderr)
    {
        try
        {
            var html = Render(summary, ruleSet, options, elapsed);
            File.WriteAllText(path, html, new UTF8Encoding(false));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rulegen: cannot write the report '{path}': {ex.Message}");
            return false;
        }
    }

    /// <summary>The report's HTML.</summary>
    public static string Render(ScanSummary summary, IRuleSet ruleSet, ScanOptions options, TimeSpan elapsed)
    {
        var c = CultureInfo.InvariantCulture;
        var results = summary.Results;
        var byRule = AlertsByRule(summary, ruleSet);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>RuleGen scan report</title>\n");
        html.Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>RuleGen scan report</h1>\n");
        html.Append("<p class=\"meta\">").Append(E(string.Format(c, "{0:N0} events from {1:N0} inputs, {2:N0} rules, {3:F2} s",
            summary.Events, options.Inputs.Count, summary.SelectedRules ?? ruleSet.Rules.Count, elapsed.TotalSeconds))).Append("<br>");
        html.Append(E("Inputs: " + string.Join(", ", options.Inputs.Take(5).Select(ScanInput.DisplayName)) + (options.Inputs.Count > 5 ? string.Format(c, " and {0:N0} more", options.Inputs.Count - 5) : ""))).Append("</p>\n");

        html.Append("<h2>Summary</h2>\n<table class=\"kv\">\n");
        Row(html, "Alerts", results.Alerts.ToString("N0", c));
        Row(html, "First alert (event time, UTC)", results.FirstNanos is { } first ? TimelineRow.FormatTime(first) : "-");
        Row(html, "Last alert (event time, UTC)", results.LastNanos is { } last ? TimelineRow.FormatTime(last) : "-");
        Row(html, "Computers with alerts", results.ComputerCount.ToString("N0", c));
        Row(html, "Malformed lines", summary.MalformedCount.ToString("N0", c));
        html.Append("</table>\n");

        if (results.Alerts == 0)
        {
            html.Append("<p>No alerts.</p>\n</body>\n</html>\n");
            return html.ToString();
        }

        html.Append("<h2>Charts</h2>\n<div class=\"charts\">\n");
        Figure(html, "Alerts over time", OverTime(results));
        var levels = results.ByLevel();
        Figure(html, "Alerts by level", Bars("Alerts by level", levels.Select(l => (l.Key, (double)l.Value)).ToList(), horizontal: false, colorByLevel: true));
        Figure(html, "Alerts by rule", Bars("Alerts by rule (top " + ChartBars + ")", byRule.Take(ChartBars).Select(r => (r.Name, (double)r.Count)).ToList(), horizontal: true));
        var computers = results.TopComputers(TableRows);
        Figure(html, "Alerts by computer", Bars("Alerts by computer (top " + ChartBars + ")", computers.Take(ChartBars).Select(k => (k.Key, (double)k.Value)).ToList(), horizontal: true));
        html.Append("</div>\n");

        html.Append("<h2>Alerts by level</h2>\n<table>\n<tr><th>Level</th><th class=\"n\">Alerts</th></tr>\n");
        foreach (var (level, count) in levels) html.Append("<tr><td>").Append(LevelBadge(level)).Append("</td><td class=\"n\">").Append(count.ToString("N0", c)).Append("</td></tr>\n");
        html.Append("</table>\n");

        html.Append("<h2>Alerts by rule</h2>\n<table>\n<tr><th>Rule</th><th>Level</th><th>Tactics</th><th>Techniques</th><th class=\"n\">Alerts</th></tr>\n");
        foreach (var rule in byRule.Take(TableRows))
        {
            html.Append("<tr><td>").Append(E(rule.Name)).Append("<div class=\"id\">").Append(E(rule.Info.Id)).Append("</div></td><td>").Append(LevelBadge(rule.Info.Sigma?.Level ?? rule.Info.Severity))
                .Append("</td><td>").Append(E(string.Join(", ", Mitre.TacticsOf(rule.Info)))).Append("</td><td>").Append(E(string.Join(", ", Mitre.TechniquesOf(rule.Info))))
                .Append("</td><td class=\"n\">").Append(rule.Count.ToString("N0", c)).Append("</td></tr>\n");
        }
        html.Append("</table>\n");
        if (byRule.Count > TableRows) html.Append("<p class=\"meta\">").Append(E(string.Format(c, "and {0:N0} more rules", byRule.Count - TableRows))).Append("</p>\n");

        html.Append("<h2>Top computers</h2>\n<table>\n<tr><th>Computer</th><th class=\"n\">Alerts</th></tr>\n");
        foreach (var (computer, count) in computers) html.Append("<tr><td>").Append(E(computer)).Append("</td><td class=\"n\">").Append(count.ToString("N0", c)).Append("</td></tr>\n");
        html.Append("</table>\n");

        html.Append("<h2>Top alerts</h2>\n<p class=\"meta\">").Append(E(string.Format(c, "The {0:N0} alerts of the highest levels, the earliest first within a level.", results.TopAlerts.Count))).Append("</p>\n");
        html.Append("<table class=\"alerts\">\n<tr>");
        foreach (var column in new[] { "Timestamp", "Computer", "Channel", "EventID", "Level", "RuleTitle", "Tactics", "Techniques", "Details" }) html.Append("<th>").Append(column).Append("</th>");
        html.Append("</tr>\n");
        foreach (var top in results.TopAlerts)
        {
            var row = top.Row;
            html.Append("<tr><td class=\"t\">").Append(E(row.Timestamp)).Append("</td><td>").Append(E(row.Computer)).Append("</td><td>").Append(E(row.Channel))
                .Append("</td><td>").Append(E(row.EventId)).Append("</td><td>").Append(LevelBadge(row.Level)).Append("</td><td>").Append(E(row.RuleTitle))
                .Append("</td><td>").Append(E(string.Join(", ", top.Tactics))).Append("</td><td>").Append(E(string.Join(", ", top.Techniques)))
                .Append("</td><td class=\"d\">").Append(E(row.Details)).Append("</td></tr>\n");
        }
        html.Append("</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    private sealed record RuleCount(RuleInfo Info, string Name, long Count);

    private static List<RuleCount> AlertsByRule(ScanSummary summary, IRuleSet ruleSet)
    {
        var rules = new List<RuleCount>();
        var total = ruleSet.Rules.Count + ruleSet.Correlations.Count;
        for (var i = 0; i < total; i++)
        {
            var count = summary.AlertsOf(i);
            if (count == 0) continue;
            var info = i < ruleSet.Rules.Count ? ruleSet.Rules[i].Info : ruleSet.Correlations[i - ruleSet.Rules.Count].Info;
            rules.Add(new RuleCount(info, info.Name, count));
        }
        return rules.OrderByDescending(r => r.Count).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Alerts over event time as bars on a date axis: per hour, or per day, week, 30 or 365 days, the finest that
    /// draws at most <see cref="TimeBuckets"/> bars over the alerts' span (so a burst and a span of years both show).
    /// </summary>
    private static string OverTime(ScanResults results)
    {
        var hours = results.PerHour();
        var span = hours[^1].Key - hours[0].Key + ScanResults.HourNanos;
        var bucket = BucketHours.Select(h => h * ScanResults.HourNanos).FirstOrDefault(b => span / b <= TimeBuckets, BucketHours[^1] * ScanResults.HourNanos);
        var counts = new SortedDictionary<long, long>();
        foreach (var (hour, count) in hours)
        {
            var start = hour - (((hour - hours[0].Key) % bucket) + bucket) % bucket;
            counts[start] = counts.GetValueOrDefault(start) + count;
        }
        var days = (double)bucket / (24 * ScanResults.HourNanos);
        var plot = new Plot();
        plot.Add.Bars(counts.Select(b => new Bar
        {
            Position = ToDateTime(b.Key).ToOADate() + days / 2,
            Value = b.Value,
            Size = days * 0.9,
            FillColor = Colors.SteelBlue,
            LineWidth = 0,
        }).ToList());
        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Margins(bottom: 0);
        plot.Title($"Alerts per {BucketName(bucket / ScanResults.HourNanos)} (event time, UTC)");
        plot.YLabel("alerts");
        return plot.GetSvgXml(ChartWidth, ChartHeight);
    }

    /// <summary>The most bars of the over-time chart.</summary>
    public const int TimeBuckets = 120;

    private static readonly long[] BucketHours = { 1, 24, 24 * 7, 24 * 30, 24 * 365 };

    private static string BucketName(long hours) => hours switch { 1 => "hour", 24 => "day", 168 => "week", 720 => "30 days", _ => "365 days" };

    /// <summary>A bar chart of labelled counts (horizontal: labels on the left, the largest on top).</summary>
    private static string Bars(string title, IReadOnlyList<(string Label, double Value)> items, bool horizontal, bool colorByLevel = false)
    {
        var plot = new Plot();
        var ordered = horizontal ? items.Reverse().ToList() : items.ToList();
        var bars = ordered.Select((item, i) => new Bar
        {
            Position = i,
            Value = item.Value,
            FillColor = colorByLevel ? LevelColor(item.Label) : Colors.SteelBlue,
            LineWidth = 0,
        }).ToList();
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = horizontal;
        var ticks = ordered.Select((item, i) => new Tick(i, Shorten(item.Label, 40))).ToArray();
        var manual = new ScottPlot.TickGenerators.NumericManual(ticks);
        if (horizontal)
        {
            plot.Axes.Left.TickGenerator = manual;
            plot.Axes.Margins(left: 0);
        }
        else
        {
            plot.Axes.Bottom.TickGenerator = manual;
            plot.Axes.Margins(bottom: 0);
        }
        plot.Title(title);
        return plot.GetSvgXml(ChartWidth, Math.Max(ChartHeight, horizontal ? 40 + 28 * ordered.Count : 0));
    }

    private static Color LevelColor(string level) => ScanResults.Rank(level) switch
    {
        0 => Color.FromHex("#8b0000"),
        1 => Color.FromHex("#d9480f"),
        2 => Color.FromHex("#f08c00"),
        3 => Color.FromHex("#2f9e44"),
        4 => Color.FromHex("#1971c2"),
        _ => Colors.Gray,
    };

    private static DateTime ToDateTime(long nanos) => new(DateTime.UnixEpoch.Ticks + nanos / 100, DateTimeKind.Utc);

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static void Figure(StringBuilder html, string caption, string svg)
    {
        // The SVG inline, without its XML declaration (not allowed inside HTML).
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        html.Append("<figure><figcaption>").Append(E(caption)).Append("</figcaption>\n").Append(start >= 0 ? svg[start..] : svg).Append("\n</figure>\n");
    }

    private static void Row(StringBuilder html, string key, string value) =>
        html.Append("<tr><th>").Append(E(key)).Append("</th><td>").Append(E(value)).Append("</td></tr>\n");

    private static string LevelBadge(string level) =>
        $"<span class=\"level l{ScanResults.Rank(level)}\">{E(level)}</span>";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em;color:#212529;background:#fff}
        h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #dee2e6}
        .meta{color:#6c757d}
        table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #dee2e6;padding:.25em .6em;text-align:left;vertical-align:top}
        th{background:#f1f3f5}td.n,th.n{text-align:right}td.t{white-space:nowrap}td.d{font-family:ui-monospace,monospace;font-size:.85em;max-width:50em;overflow-wrap:anywhere}
        .id{color:#868e96;font-size:.8em}
        .charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;border:1px solid #dee2e6;padding:.5em}figcaption{font-weight:600}
        .level{padding:0 .4em;border-radius:.3em;color:#fff}.l0{background:#8b0000}.l1{background:#d9480f}.l2{background:#f08c00}.l3{background:#2f9e44}.l4{background:#1971c2}.l5{background:#868e96}
        """;
}

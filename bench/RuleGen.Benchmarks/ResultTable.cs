using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace RuleGen.Benchmarks;

/// <summary>
/// The table of a run: for each row ns/event, events/s, MB/s, the ratio to the floor of the same stream measured
/// in the same run, and allocated bytes per event (BenchmarkDotNet's figures per pass divided by the stream's events).
/// </summary>
public static class ResultTable
{
    public static string Build(IEnumerable<Summary> summaries, IReadOnlyList<Workload> rows)
    {
        var measured = new Dictionary<string, (double NsPerEvent, double BytesPerEvent)>();
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            if (report.BenchmarkCase.Parameters["Workload"] is not Workload workload || report.ResultStatistics is null) continue;
            var stream = Catalog.Stream(workload.Stream);
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            measured[workload.ToString()] = (report.ResultStatistics.Mean / stream.Count, (double)allocated / stream.Count);
        }

        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        // The load average at the end of the run (Linux): a busy machine inflates every row, the floor included.
        var load = File.Exists("/proc/loadavg") ? ", load average " + string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";
        sb.AppendLine($"RuleGen benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}{load}");
        sb.AppendLine();
        sb.AppendLine("| stream | events | bytes/event | engine | rules | ns/event | events/s | MB/s | x floor | alloc B/event |");
        sb.AppendLine("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            if (!measured.TryGetValue(row.ToString(), out var m)) continue;
            var stream = Catalog.Stream(row.Stream);
            var floor = rows.FirstOrDefault(r => r.Stream == row.Stream && r.Engine == Engine.Floor) is { } f && measured.TryGetValue(f.ToString(), out var fm) ? fm.NsPerEvent : double.NaN;
            var bytesPerEvent = (double)stream.EventBytes / stream.Count;
            var rules = row.Engine == Engine.Floor ? "" : (Catalog.RuleSet(row.RuleSet)?.Rules.Count ?? 0).ToString(c);
            var engine = row.Engine switch
            {
                Engine.Floor => "floor (Utf8JsonReader)",
                Engine.RuleGen => $"RuleGen {row.RuleSet}{(row.Scope == Runtime.MatchScope.DetectionOnly ? " (detection)" : row.IsRouted ? " (routed)" : "")}",
                _ => $"interpreter {row.RuleSet}{(row.Scope == Runtime.MatchScope.DetectionOnly ? " (detection)" : "")}",
            };
            sb.AppendLine(string.Format(c, "| {0} | {1:N0} | {2:N0} | {3} | {4} | {5:N0} | {6:N0} | {7:N1} | {8:N2} | {9:N1} |",
                row.Stream, stream.Count, bytesPerEvent, engine, rules, m.NsPerEvent, 1e9 / m.NsPerEvent,
                bytesPerEvent * (1e9 / m.NsPerEvent) / 1e6, m.NsPerEvent / floor, m.BytesPerEvent));
        }
        return sb.ToString();
    }
}

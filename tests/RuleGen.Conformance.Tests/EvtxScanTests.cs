using System.Text.Json;
using RuleGen.Host;
using Xunit.Abstractions;

namespace RuleGen.Conformance.Tests;

/// <summary>
/// <c>rulegen scan</c> with the Sigma and Elastic corpora (the conformance runner's compiled rule set) over the real
/// logs of ../shared/real-logs/evtx: reading the folder's .evtx files gives the same alerts, rule by rule and record by
/// record, as reading the python-evtx JSON files beside them.
/// </summary>
public sealed class EvtxScanTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Scanning_the_evtx_folder_alerts_as_scanning_the_json_files_beside_it()
    {
        var shared = Shared.Folder();
        Skip.If(shared is null || !Directory.Exists(Path.Combine(shared, "real-logs", "evtx")), "../shared/real-logs/evtx is absent beside the repository.");
        var folder = Path.Combine(shared!, "real-logs", "evtx");
        var evtx = Directory.GetFiles(folder, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var json = evtx.Select(f => f[..^".evtx".Length] + ".json.ndjson").ToList();

        var fromEvtx = Scan(["--input-format", "evtx", folder], out var evtxSummary);
        var fromJson = Scan(json.ToArray(), out var jsonSummary);
        output.WriteLine(evtxSummary);
        output.WriteLine(jsonSummary);

        Assert.Contains("scanned 6,786 events", evtxSummary);
        Assert.Contains($"from {evtx.Count} inputs", evtxSummary);
        Assert.Contains("scanned 6,786 events", jsonSummary);
        Assert.DoesNotContain("damaged EVTX data", evtxSummary);
        var missing = fromJson.Except(fromEvtx).ToList();
        var extra = fromEvtx.Except(fromJson).ToList();
        foreach (var a in missing.Take(10)) output.WriteLine($"only from JSON: {a}");
        foreach (var a in extra.Take(10)) output.WriteLine($"only from EVTX: {a}");
        output.WriteLine($"{fromEvtx.Count:N0} distinct (rule, record) pairs alerted from EVTX ({fromEvtx.Sum(a => a.Count):N0} alerts), " +
            $"{fromJson.Count:N0} from JSON ({fromJson.Sum(a => a.Count):N0} alerts), {fromEvtx.Select(a => a.Rule).Distinct().Count()} rules");
        Assert.True(fromJson.Count > 1000, $"only {fromJson.Count} (rule, record) pairs: the comparison would say little");
        Assert.Empty(missing);
        Assert.Empty(extra);
    }

    /// <summary>The scan's alerts as (rule id, file, EventRecordID, how many alerts), and its summary.</summary>
    private static List<(string Rule, string File, string Record, int Count)> Scan(string[] inputs, out string summary)
    {
        var alertsFile = Path.Combine(Path.GetTempPath(), "rulegen-evtx-" + Guid.NewGuid().ToString("N") + ".ndjson");
        try
        {
            var stderr = new StringWriter();
            var console = new HostConsole(new MemoryStream(), new MemoryStream(), stderr, false, TimeProvider.System);
            var code = Cli.Run(["scan", "--no-progress", "--threads", "2", "-o", alertsFile, .. inputs], console, RuleGen.Conformance.Compiled.RuleSet.Instance);
            summary = stderr.ToString();
            Assert.True(code == 0, summary);
            var alerts = new List<(string, string, string)>();
            foreach (var line in File.ReadLines(alertsFile))
            {
                using var alert = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 256 });
                var root = alert.RootElement;
                var rule = root.GetProperty("kibana.alert.rule.rule_id").GetString()!;
                // Correlation alerts name no single event.
                if (!root.TryGetProperty("Event", out var e)) continue;
                var file = root.GetProperty("rulegen.input.file").GetString()!;
                file = Path.GetFileName(file).Replace(".json.ndjson", "").Replace(".evtx", "");
                alerts.Add((rule, file, e.GetProperty("System").GetProperty("EventRecordID").GetString()!));
            }
            return alerts.GroupBy(a => a).Select(g => (g.Key.Item1, g.Key.Item2, g.Key.Item3, g.Count())).ToList();
        }
        finally
        {
            File.Delete(alertsFile);
        }
    }
}

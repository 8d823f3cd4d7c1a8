using RuleGen.Conformance;
using RuleGen.Runtime;
using Xunit.Abstractions;

namespace RuleGen.Conformance.Tests;

/// <summary>
/// The shared conformance datasets, run with the corpus rules: every checked pair must agree with the reference
/// (grey pairs are reported, not counted). Skipped with a message when ../shared is absent.
/// </summary>
public sealed class SharedDatasetTests
{
    private readonly ITestOutputHelper _output;

    public SharedDatasetTests(ITestOutputHelper output) => _output = output;

    private static string? DatasetFolder(string name) =>
        Shared.Folder() is { } shared && Directory.Exists(Path.Combine(shared, "conformance", name)) ? Path.Combine(shared, "conformance", name) : null;

    private ConformanceResult Run(string name, MatchScope scope, string eventsFile = Dataset.DefaultEvents, Func<string, Dataset, Dataset>? adjust = null)
    {
        var folder = DatasetFolder(name);
        Skip.If(folder is null, $"../shared/conformance/{name} is absent beside the repository: the conformance dataset cannot run.");
        Skip.If(!File.Exists(Path.Combine(folder!, eventsFile)), $"../shared/conformance/{name}/{eventsFile} is absent: this rendering of the dataset cannot run.");
        var report = new StringWriter();
        var dataset = Dataset.Load(folder!, eventsFile);
        if (adjust is not null) dataset = adjust(folder!, dataset);
        var result = Runner.Run(dataset, RuleGen.Conformance.Compiled.RuleSet.Instance, scope, report, 100);
        _output.WriteLine(report.ToString());
        _output.WriteLine(result.Summary);
        return result;
    }

    [SkippableFact]
    public void Eql_dataset_agrees_with_the_reference_reading_of_elasticsearch_eql()
    {
        var result = Run("eql", MatchScope.Full);
        Assert.True(result.AllAgree, result.Summary);
        Assert.Equal(result.Rules, result.RulesCompiled);
    }

    [SkippableFact]
    public void Kql_dataset_agrees_with_elastics_evaluator()
    {
        var result = Run("kql", MatchScope.Full);
        Assert.True(result.AllAgree, result.Summary);
    }

    /// <summary>
    /// The Sigma dataset, detection only (its oracle judges the detection without logsource gating). The dataset's
    /// README names grey zones (Unicode case folding, '?' on non-ASCII text, Unicode regex classes, padded CIDRs); it
    /// re-labelled the events concerned both ways and found no disagreement, so it marks no grey pairs and every pair
    /// counts.
    /// </summary>
    [SkippableFact]
    public void Sigma_dataset_agrees_with_pysigma_in_detection_only_mode()
    {
        var result = Run("sigma", MatchScope.DetectionOnly);
        Assert.True(result.AllAgree, result.Summary);
    }

    /// <summary>
    /// Real Windows logs (hayabusa's sample evtx, rendered by python-evtx), detection only as pySigma judges them: the
    /// flattened events the verdicts were computed on, and the same events in the evtx_dump JSON shape users have
    /// (the flat profile resolves Windows fields under <c>Event.System</c> and <c>Event.EventData</c> too).
    /// </summary>
    [SkippableFact]
    public void Real_windows_logs_agree_with_pysigma_in_detection_only_mode()
    {
        var result = Run("sigma-real", MatchScope.DetectionOnly);
        Assert.True(result.AllAgree, result.Summary);
        Assert.Equal(0, result.GreyPairs);
        Assert.True(result.Expected > 0, "the dataset expects matches");
    }

    /// <summary>
    /// The same events in the evtx_dump JSON shape, judged by the verdicts computed on their flattened rendering. Where
    /// the flattening overwrote a System field with an EventData/UserData key of the same name (the dataset's README:
    /// EventID 104 events carry <c>UserData.LogFileCleared.Channel</c>), the two renderings are different events: their
    /// pairs are grey (reported, not counted). Every other pair must agree.
    /// </summary>
    [SkippableFact]
    public void Real_windows_logs_as_evtx_json_agree_with_pysigma_in_detection_only_mode()
    {
        var overwritten = 0;
        var result = Run("sigma-real", MatchScope.DetectionOnly, "events.evtx-json.ndjson", (folder, dataset) =>
        {
            var differ = RenderingsThatDiffer(Path.Combine(folder, Dataset.DefaultEvents), dataset.Events);
            overwritten = differ.Count;
            return new Dataset
            {
                Events = dataset.Events, Excluded = dataset.Excluded, Oracle = dataset.Oracle,
                Rules = dataset.Rules.Select(r => r with { Grey = r.Grey.Union(differ).ToHashSet() }).ToList(),
            };
        });
        _output.WriteLine($"events whose flattened rendering overwrote a System field: {overwritten}");
        Assert.True(result.AllAgree, result.Summary);
        Assert.InRange(overwritten, 1, 200);
        Assert.True(result.Expected > 0, "the dataset expects matches");
    }

    /// <summary>The events whose flattened rendering holds another value for a System element than their evtx JSON.</summary>
    private static HashSet<int> RenderingsThatDiffer(string flatPath, IReadOnlyList<byte[]> evtx)
    {
        var differ = new HashSet<int>();
        var e = 0;
        foreach (var line in File.ReadLines(flatPath))
        {
            using var flat = System.Text.Json.JsonDocument.Parse(line);
            using var nested = System.Text.Json.JsonDocument.Parse(evtx[e]);
            if (nested.RootElement.TryGetProperty("Event", out var ev) && ev.TryGetProperty("System", out var system))
            {
                foreach (var element in system.EnumerateObject())
                {
                    if (element.Value.ValueKind != System.Text.Json.JsonValueKind.String) continue;
                    if (flat.RootElement.TryGetProperty(element.Name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
                        && value.GetString() != element.Value.GetString()) differ.Add(e);
                }
            }
            e++;
        }
        return differ;
    }
}

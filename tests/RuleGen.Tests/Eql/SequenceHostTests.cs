using System.Text;
using System.Text.Json;
using RuleGen.Host;

namespace RuleGen.Tests.Eql;

/// <summary>
/// <c>rulegen scan</c> end to end with EQL rules: sequence alerts across input lines (and across input files), each
/// naming all its events, next to the single-event alerts.
/// </summary>
public sealed class SequenceHostTests : IDisposable
{
    private readonly EqlRuleBook _book = new(new[]
    {
        ("Encoded PowerShell then connection", "sequence by host.id with maxspan=1m\n  [process where process.name : \"powershell.exe\" and process.args : \"-enc\"]\n  [network where destination.port == 443]"),
        ("PowerShell started", "process where process.name : \"powershell.exe\""),
    });

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rulegen-eql-" + Guid.NewGuid().ToString("N"));

    public SequenceHostTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        _book.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string File(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private (List<JsonElement> Alerts, string Stderr) Scan(params string[] inputs)
    {
        using var output = new MemoryStream();
        var stderr = new StringWriter();
        var console = new HostConsole(Stream.Null, output, stderr, StderrIsTerminal: false, TimeProvider.System);
        var code = ScanCommand.Run(new ScanOptions(inputs, null, Quiet: false, Progress: false), console, _book.Set);
        Assert.Equal(0, code);
        var alerts = Encoding.UTF8.GetString(output.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
        return (alerts, stderr.ToString());
    }

    private const string Start = "{\"@timestamp\":\"2024-05-01T12:00:00Z\",\"event\":{\"category\":\"process\"},\"host\":{\"id\":\"h1\"},\"process\":{\"name\":\"PowerShell.exe\",\"args\":[\"powershell.exe\",\"-enc\",\"ZQBj\"]}}";
    private const string Noise = "{\"@timestamp\":\"2024-05-01T12:00:10Z\",\"event\":{\"category\":\"file\"},\"host\":{\"id\":\"h1\"}}";
    private const string OtherHost = "{\"@timestamp\":\"2024-05-01T12:00:20Z\",\"event\":{\"category\":\"network\"},\"host\":{\"id\":\"h2\"},\"destination\":{\"port\":443}}";
    private const string Connection = "{\"@timestamp\":\"2024-05-01T12:00:30Z\",\"event\":{\"category\":\"network\"},\"host\":{\"id\":\"h1\"},\"destination\":{\"port\":443}}";

    [Fact]
    public void Scan_raises_one_sequence_alert_naming_events_from_several_lines()
    {
        var (alerts, stderr) = Scan(File("events.ndjson", Start, Noise, OtherHost, Connection));
        var sequence = Assert.Single(alerts, a => a.GetProperty("kibana.alert.rule.name").GetString() == "Encoded PowerShell then connection");
        Assert.Equal("eql", sequence.GetProperty("kibana.alert.rule.type").GetString());
        var events = sequence.GetProperty("rulegen.sequence.events").EnumerateArray().ToList();
        Assert.Equal(new long[] { 1, 4 }, events.Select(e => e.GetProperty("rulegen.input.line").GetInt64()));
        Assert.Equal(new[] { 0, 1 }, events.Select(e => e.GetProperty("step").GetInt32()));
        Assert.Equal(443, events[1].GetProperty("event").GetProperty("destination").GetProperty("port").GetInt32());
        Assert.Equal("h1", sequence.GetProperty("rulegen.sequence.keys")[0].GetString());
        Assert.Equal("2024-05-01T12:00:00.000Z", sequence.GetProperty("kibana.alert.original_time").GetString());
        Assert.Contains("sequence of 2 events with h1", sequence.GetProperty("kibana.alert.reason").GetString());
        // The single-event rule alerts on its own line as usual.
        var single = Assert.Single(alerts, a => a.GetProperty("kibana.alert.rule.name").GetString() == "PowerShell started");
        Assert.Equal(1, single.GetProperty("rulegen.input.line").GetInt64());
        Assert.Contains("sequences: 1 completed", stderr);
    }

    [Fact]
    public void A_sequence_can_span_input_files()
    {
        var (alerts, _) = Scan(File("first.ndjson", Start), File("second.ndjson", Noise, Connection));
        var sequence = Assert.Single(alerts, a => a.TryGetProperty("rulegen.sequence.events", out _));
        var events = sequence.GetProperty("rulegen.sequence.events").EnumerateArray().ToList();
        Assert.EndsWith("first.ndjson", events[0].GetProperty("rulegen.input.file").GetString());
        Assert.EndsWith("second.ndjson", events[1].GetProperty("rulegen.input.file").GetString());
        Assert.Equal(2, events[1].GetProperty("rulegen.input.line").GetInt64());
    }

    [Fact]
    public void Scan_raises_no_sequence_alert_when_the_second_step_is_too_late()
    {
        var late = Connection.Replace("12:00:30", "12:01:30");
        var (alerts, stderr) = Scan(File("events.ndjson", Start, late));
        Assert.DoesNotContain(alerts, a => a.TryGetProperty("rulegen.sequence.events", out _));
        Assert.Contains("sequences: 0 completed", stderr);
    }
}

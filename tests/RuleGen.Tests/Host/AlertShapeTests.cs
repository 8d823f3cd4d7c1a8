using System.Text;
using System.Text.Json;
using RuleGen.Runtime;
using static RuleGen.Tests.Host.HostHarness;

namespace RuleGen.Tests.Host;

/// <summary>The alerts <c>rulegen scan</c> writes: Kibana's alert fields, the source event, where it came from.</summary>
public sealed class AlertShapeTests
{
    private static JsonElement FirstSampleAlert() => Run(["scan", SamplePath]).Alerts[0];

    private static JsonElement SampleEvent(int line) => JsonDocument.Parse(File.ReadLines(SamplePath).ElementAt(line - 1)).RootElement;

    [Fact]
    public void Alert_has_the_rules_kibana_fields()
    {
        var alert = FirstSampleAlert();
        var info = HostRules.Rules.Single(r => r.Info.Id == SeedRuleId).Info;
        Assert.Equal("Azure Full Network Packet Capture Detected", alert.GetProperty("kibana.alert.rule.name").GetString());
        Assert.Equal(SeedRuleId, alert.GetProperty("kibana.alert.rule.rule_id").GetString());
        Assert.Equal("medium", alert.GetProperty("kibana.alert.severity").GetString());
        Assert.Equal(47, alert.GetProperty("kibana.alert.risk_score").GetInt32());
        Assert.Equal(info.Tags, alert.GetProperty("kibana.alert.rule.tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("query", alert.GetProperty("kibana.alert.rule.type").GetString());
        Assert.Equal(info.Description, alert.GetProperty("kibana.alert.rule.description").GetString());
        Assert.Equal("5m", alert.GetProperty("kibana.alert.rule.interval").GetString());
        Assert.Equal("now-25m", alert.GetProperty("kibana.alert.rule.from").GetString());
        Assert.Equal(100, alert.GetProperty("kibana.alert.rule.max_signals").GetInt32());
        Assert.Equal(["Austin Songer"], alert.GetProperty("kibana.alert.rule.author").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("kuery", alert.GetProperty("kibana.alert.rule.parameters").GetProperty("language").GetString());
        Assert.Equal(info.Query, alert.GetProperty("kibana.alert.rule.parameters").GetProperty("query").GetString());
        Assert.Equal("active", alert.GetProperty("kibana.alert.status").GetString());
        Assert.Equal("open", alert.GetProperty("kibana.alert.workflow_status").GetString());
    }

    [Fact]
    public void Alert_threat_is_the_rules_mitre_mapping_in_kibanas_shape()
    {
        var threat = Assert.Single(FirstSampleAlert().GetProperty("kibana.alert.rule.threat").EnumerateArray());
        Assert.Equal("MITRE ATT&CK", threat.GetProperty("framework").GetString());
        Assert.Equal("TA0006", threat.GetProperty("tactic").GetProperty("id").GetString());
        Assert.Equal("Credential Access", threat.GetProperty("tactic").GetProperty("name").GetString());
        Assert.Equal("https://attack.mitre.org/tactics/TA0006/", threat.GetProperty("tactic").GetProperty("reference").GetString());
        var technique = Assert.Single(threat.GetProperty("technique").EnumerateArray());
        Assert.Equal("T1040", technique.GetProperty("id").GetString());
        Assert.Equal("Network Sniffing", technique.GetProperty("name").GetString());
        Assert.Empty(technique.GetProperty("subtechnique").EnumerateArray());
    }

    [Fact]
    public void Alert_timestamp_is_the_execution_that_created_it_not_the_wall_clock_and_original_time_is_the_events_timestamp()
    {
        // The seed rule runs every 5 minutes on event.ingested (falling back to @timestamp): each alert's @timestamp is
        // the first execution after its event, whatever the host's clock says.
        var result = Run(["scan", SamplePath], time: new SteppingTime(new DateTimeOffset(2027, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), TimeSpan.FromMilliseconds(1)));
        Assert.Equal(new[] { "2026-11-02T08:05:00.000Z", "2026-11-02T08:05:00.000Z", "2026-11-02T08:10:00.000Z", "2026-11-02T08:20:00.000Z" },
            result.Alerts.Select(a => a.GetProperty("@timestamp").GetString()));
        foreach (var alert in result.Alerts)
        {
            Assert.Equal(alert.GetProperty("@timestamp").GetString(), alert.GetProperty("kibana.alert.intended_timestamp").GetString());
            var line = (int)alert.GetProperty("rulegen.input.line").GetInt64();
            Assert.Equal(SampleEvent(line).GetProperty("@timestamp").GetString(), alert.GetProperty("kibana.alert.original_time").GetString());
            Assert.Equal($"{SamplePath}:{line}", alert.GetProperty("kibana.alert.ancestors")[0].GetProperty("id").GetString());
        }
    }

    [Fact]
    public void Alert_keeps_the_source_events_fields_and_marks_it_a_signal()
    {
        var alert = FirstSampleAlert();
        var source = SampleEvent(1);
        foreach (var property in source.EnumerateObject().Where(p => p.Name is not "@timestamp" and not "event"))
            Assert.Equal(property.Value.GetRawText(), alert.GetProperty(property.Name).GetRawText());
        var sourceEvent = source.GetProperty("event");
        var alertEvent = alert.GetProperty("event");
        Assert.Equal("signal", alertEvent.GetProperty("kind").GetString());
        foreach (var property in sourceEvent.EnumerateObject())
        {
            if (property.Name != "kind") Assert.Equal(property.Value.GetRawText(), alertEvent.GetProperty(property.Name).GetRawText());
            Assert.Equal(property.Value.GetRawText(), alert.GetProperty("kibana.alert.original_event." + property.Name).GetRawText());
        }
    }

    [Fact]
    public void Alert_from_dotted_keys_keeps_them_and_maps_event_fields_to_original_event()
    {
        var alert = Run(["scan", SamplePath]).Alerts.Single(a => a.GetProperty("rulegen.input.line").GetInt64() == 5);
        Assert.Equal("carol@contoso.example", alert.GetProperty("user.name").GetString());
        Assert.Equal("signal", alert.GetProperty("event.kind").GetString());
        Assert.Equal("event", alert.GetProperty("kibana.alert.original_event.kind").GetString());
        Assert.Equal("success", alert.GetProperty("kibana.alert.original_event.outcome").GetString());
        Assert.Equal("success", alert.GetProperty("event.outcome").GetString());
        Assert.Equal(1, alert.EnumerateObject().Count(p => p.Name == "event.kind"));
    }

    [Fact]
    public void Alert_says_where_the_event_came_from()
    {
        var alert = FirstSampleAlert();
        Assert.Equal(SamplePath, alert.GetProperty("rulegen.input.file").GetString());
        Assert.Equal(1, alert.GetProperty("rulegen.input.line").GetInt64());
        Assert.Equal("elastic/azure_full_network_packet_capture_detected.toml", alert.GetProperty("rulegen.rule.file").GetString());
    }

    [Fact]
    public void Alert_reason_is_kibanas_sentence_for_the_event()
    {
        Assert.Equal("event by alice@contoso.example created medium alert Azure Full Network Packet Capture Detected.",
            FirstSampleAlert().GetProperty("kibana.alert.reason").GetString());
    }

    [Theory]
    [InlineData("""{"event":{"category":["process","network"]},"process":{"name":"cmd.exe","parent":{"name":"explorer.exe"}},"user":{"name":"bob"},"host":{"name":"ws1"}}""",
        "process, network event with process cmd.exe, parent process explorer.exe, by bob on ws1 created high alert Test.")]
    [InlineData("""{"source.address":"10.0.0.1","source.port":4444,"destination":{"address":"10.0.0.2","port":443},"file.name":"x.dll"}""",
        "event with file x.dll, source 10.0.0.1:4444, destination 10.0.0.2:443, created high alert Test.")]
    [InlineData("""{"event":{"category":"-"},"user":{"name":""},"host":{"name":"h"}}""",
        "event on h created high alert Test.")]
    [InlineData("""{}""", "event created high alert Test.")]
    public void Reason_names_category_process_file_addresses_user_and_host_when_present(string json, string expected)
    {
        var rule = new RuleInfo { Id = "r", Name = "Test", Format = "elastic", Type = "query", Language = "kuery", SourceFile = "t.toml", Severity = "high" };
        Assert.Equal(expected, AlertDocument.Reason(rule, JsonDocument.Parse(json).RootElement));
    }

    [Fact]
    public void Alert_ids_are_stable_across_runs_and_differ_between_events()
    {
        var first = Run(["scan", SamplePath]).Alerts.Select(a => a.GetProperty("kibana.alert.uuid").GetString()).ToArray();
        var second = Run(["scan", SamplePath], time: new SteppingTime(DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(1))).Alerts.Select(a => a.GetProperty("kibana.alert.uuid").GetString()).ToArray();
        Assert.Equal(first, second);
        Assert.Equal(first.Length, first.Distinct().Count());
        Assert.All(first, id => Assert.Matches("^[0-9a-f]{64}$", id));
    }

    [Fact]
    public void Alert_fields_from_the_event_that_clash_with_the_alerts_own_are_replaced()
    {
        var json = """{"@timestamp":"2026-01-01T00:00:00Z","kibana.alert.rule.name":"forged","kibana":{"x":1},"rulegen.input.line":999,"event":{"dataset":"azure.activitylogs","outcome":"Success"},"azure.activitylogs.operation_name":"MICROSOFT.NETWORK/X/PACKETCAPTURES/WRITE"}""";
        var alert = Assert.Single(Run(["scan", "-"], Encoding.UTF8.GetBytes(json + "\n")).Alerts);
        Assert.Equal(1, alert.EnumerateObject().Count(p => p.Name == "kibana.alert.rule.name"));
        Assert.Equal("Azure Full Network Packet Capture Detected", alert.GetProperty("kibana.alert.rule.name").GetString());
        Assert.False(alert.TryGetProperty("kibana", out _));
        Assert.Equal(1, alert.GetProperty("rulegen.input.line").GetInt64());
        Assert.Equal(1, alert.EnumerateObject().Count(p => p.Name == "@timestamp"));
    }

    [Fact]
    public void Alert_original_time_from_epoch_milliseconds_is_iso_8601_and_absent_without_a_timestamp()
    {
        const string body = "\"event\":{\"dataset\":\"azure.activitylogs\",\"outcome\":\"Success\"},\"azure.activitylogs.operation_name\":\"MICROSOFT.NETWORK/X/PACKETCAPTURES/WRITE\"";
        var alerts = Run(["scan", "-"], Encoding.UTF8.GetBytes("{\"@timestamp\":1767225600123," + body + "}\n{" + body + "}\n")).Alerts;
        Assert.Equal("2026-01-01T00:00:00.123Z", alerts[0].GetProperty("kibana.alert.original_time").GetString());
        Assert.False(alerts[1].TryGetProperty("kibana.alert.original_time", out _));
    }

    [Fact]
    public void Alert_for_a_deeply_nested_event_is_written()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200);
        var json = "{\"deep\":" + deep + ",\"event\":{\"dataset\":\"azure.activitylogs\",\"outcome\":\"Success\"},\"azure.activitylogs.operation_name\":\"MICROSOFT.NETWORK/X/PACKETCAPTURES/WRITE\"}";
        var result = Run(["scan", "-"], Encoding.UTF8.GetBytes(json + "\n"));
        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.Alerts);
    }

    [Fact]
    public void Alert_text_keeps_non_ascii_and_ampersands_readable()
    {
        var json = """{"user":{"name":"Zoë & Jürgen"},"event":{"dataset":"azure.activitylogs","outcome":"Success"},"azure.activitylogs.operation_name":"MICROSOFT.NETWORK/X/PACKETCAPTURES/WRITE"}""";
        var result = Run(["scan", "-"], Encoding.UTF8.GetBytes(json + "\n"));
        Assert.Contains("\"name\":\"Zoë & Jürgen\"", result.Stdout);
        Assert.Contains("\"framework\":\"MITRE ATT&CK\"", result.Stdout);
    }
}

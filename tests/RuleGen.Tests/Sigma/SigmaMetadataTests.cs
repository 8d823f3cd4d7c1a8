using System.Text.Json;
using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>Sigma metadata on RuleInfo, and Sigma matches written as alerts of the same shape as Elastic ones.</summary>
public sealed class SigmaMetadataTests
{
    private const string Rule = """
        title: Whoami Execution
        id: 55555555-5555-4555-8555-555555555555
        related:
            - id: 66666666-6666-4666-8666-666666666666
              type: derived
        status: stable
        description: Detects whoami.
        references:
            - https://example.com/whoami
        author: Jane Doe, John Roe
        date: 2024-01-02
        modified: 2025-03-04
        tags:
            - attack.discovery
            - attack.t1033
            - attack.execution
            - attack.t1059.001
            - car.2016-03-001
        logsource:
            product: windows
            category: process_creation
        detection:
            selection:
                Image|endswith: '\whoami.exe'
            condition: selection
        fields:
            - CommandLine
        falsepositives:
            - Admins
        level: informational
        license: DRL-1.1
        simulation:
            - type: atomic-red-team
        """;

    [Fact]
    public void Sigma_metadata_is_typed_on_rule_info()
    {
        using var run = GeneratorHarness.Run(("/rules/whoami.yml", Rule));
        var info = run.SingleRule().Info;
        Assert.Equal("55555555-5555-4555-8555-555555555555", info.Id);
        Assert.Equal("Whoami Execution", info.Name);
        Assert.Equal("sigma", info.Format);
        Assert.Equal("low", info.Severity);
        Assert.Equal(1, info.RiskScore);
        Assert.Equal(new[] { "Jane Doe, John Roe" }, info.Authors);
        Assert.Equal(new[] { "Admins" }, info.FalsePositives);
        Assert.Equal(new[] { "https://example.com/whoami" }, info.References);
        Assert.Equal("DRL-1.1", info.License);
        Assert.Contains("Image|endswith", info.Query);
        var sigma = info.Sigma!;
        Assert.Equal("stable", sigma.Status);
        Assert.Equal("informational", sigma.Level);
        Assert.Equal("2024-01-02", sigma.Date);
        Assert.Equal("2025-03-04", sigma.Modified);
        Assert.Equal(new SigmaLogsource("windows", "process_creation", "", ""), sigma.Logsource);
        Assert.Equal(new[] { "CommandLine" }, sigma.Fields);
        Assert.Equal(new SigmaRelatedRule("66666666-6666-4666-8666-666666666666", "derived"), Assert.Single(sigma.Related));
        Assert.Equal("flat", sigma.Profile);
        Assert.Equal("""[{"type":"atomic-red-team"}]""", info.Properties["simulation"]);
        Assert.False(info.Properties.ContainsKey("title"));
    }

    [Fact]
    public void Attack_tags_become_threat_entries_per_tactic()
    {
        using var run = GeneratorHarness.Run(("/rules/whoami.yml", Rule));
        var threat = run.SingleRule().Info.Threat;
        Assert.Equal(new[] { "TA0007", "TA0002" }, threat.Select(t => t.Tactic.Id));
        var discovery = threat[0];
        Assert.Equal("Discovery", discovery.Tactic.Name);
        Assert.Equal("https://attack.mitre.org/tactics/TA0007/", discovery.Tactic.Reference);
        Assert.Equal("T1033", Assert.Single(discovery.Techniques).Technique.Id);
        var execution = threat[1];
        var technique = Assert.Single(execution.Techniques);
        Assert.Equal("T1059", technique.Technique.Id);
        Assert.Equal("Command and Scripting Interpreter", technique.Technique.Name);
        var sub = Assert.Single(technique.Subtechniques);
        Assert.Equal("T1059.001", sub.Id);
        Assert.Equal("PowerShell", sub.Name);
        Assert.Equal("https://attack.mitre.org/techniques/T1059/001/", sub.Reference);
    }

    [Theory]
    [InlineData("low", "low", 21)]
    [InlineData("medium", "medium", 47)]
    [InlineData("high", "high", 73)]
    [InlineData("critical", "critical", 99)]
    public void Level_maps_to_severity_and_risk_score(string level, string severity, int risk)
    {
        using var run = GeneratorHarness.Run(("/rules/whoami.yml", Rule.Replace("level: informational", "level: " + level)));
        var info = run.SingleRule().Info;
        Assert.Equal(severity, info.Severity);
        Assert.Equal(risk, info.RiskScore);
    }

    [Fact]
    public void Sigma_match_is_written_as_an_alert_with_title_id_level_tags_and_threat()
    {
        using var run = GeneratorHarness.Run(("/rules/whoami.yml", Rule));
        var info = run.SingleRule().Info;
        var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            AlertDocument.Write(writer, info, """{"@timestamp":"2025-01-01T00:00:00Z","Image":"C:\\whoami.exe"}"""u8, new EventSource("events.ndjson", 1));
        }
        using var alert = JsonDocument.Parse(stream.ToArray());
        var root = alert.RootElement;
        Assert.Equal("Whoami Execution", root.GetProperty("kibana.alert.rule.name").GetString());
        Assert.Equal("55555555-5555-4555-8555-555555555555", root.GetProperty("kibana.alert.rule.rule_id").GetString());
        Assert.Equal("low", root.GetProperty("kibana.alert.severity").GetString());
        Assert.Equal(1, root.GetProperty("kibana.alert.risk_score").GetInt32());
        Assert.Contains("attack.t1033", root.GetProperty("kibana.alert.rule.tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("TA0007", root.GetProperty("kibana.alert.rule.threat")[0].GetProperty("tactic").GetProperty("id").GetString());
        Assert.Equal("C:\\whoami.exe", root.GetProperty("Image").GetString());
    }
}

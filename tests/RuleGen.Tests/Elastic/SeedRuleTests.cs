using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Elastic;

/// <summary>The seed rule, compiled from the repository's rules/ folder, end to end.</summary>
public sealed class SeedRuleTests
{
    private static GeneratorRun Compile() =>
        GeneratorHarness.Run((Repo.SeedRulePath, File.ReadAllText(Repo.SeedRulePath)));

    [Fact]
    public void Seed_rule_compiles_with_only_a_note_about_its_untyped_field()
    {
        using var run = Compile();
        // The only note: the Azure integration field is not in the built-in table, so it is matched as keyword.
        var info = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("RG0100", info.Id);
        Assert.Contains("azure.activitylogs.operation_name", info.GetMessage());
        Assert.Empty(run.CompileDiagnostics);
        Assert.Equal("Azure Full Network Packet Capture Detected", run.SingleRule().Info.Name);
    }

    [Theory]
    [InlineData("""{"event":{"dataset":"azure.activitylogs","outcome":"Success"},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}}}""", true)]
    [InlineData("""{"event.dataset":"azure.activitylogs","event.outcome":"success","azure.activitylogs.operation_name":"MICROSOFT.NETWORK/VIRTUALNETWORKGATEWAYS/STARTPACKETCAPTURE/ACTION"}""", true)]
    [InlineData("""{"event":{"dataset":"azure.activitylogs","outcome":"Success"},"azure.activitylogs":{"operation_name":"MICROSOFT.NETWORK/VPNGATEWAYS/VPNCONNECTIONS/STARTPACKETCAPTURE/ACTION"}}""", true)]
    [InlineData("""{"event":{"dataset":"azure.activitylogs","outcome":"SUCCESS"},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}}}""", false)]
    [InlineData("""{"event":{"dataset":"azure.activitylogs","outcome":"Success"},"azure":{"activitylogs":{"operation_name":"microsoft.network/networkwatchers/packetcaptures/write"}}}""", false)]
    [InlineData("""{"event":{"dataset":"azure.auditlogs","outcome":"Success"},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}}}""", false)]
    [InlineData("""{"event":{"dataset":"azure.activitylogs"},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}}}""", false)]
    [InlineData("""{"event":{"dataset":"azure.activitylogs","outcome":["Failure","Success"]},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}}}""", true)]
    [InlineData("""{"event":{"dataset":"azure.activitylogs","outcome":null},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}}}""", false)]
    [InlineData("""{"event":{"dataset":"azure.activitylogs","outcome":"Success"},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK\/NETWORKWATCHERS\/PACKETCAPTURES\/WRITE"}}}""", true)]
    public void Seed_rule_decides_like_elasticsearch(string json, bool expected)
    {
        using var run = Compile();
        Assert.Equal(expected, run.Matches(json));
    }

    [Fact]
    public void Seed_rule_metadata_is_typed()
    {
        using var run = Compile();
        var info = run.SingleRule().Info;
        Assert.Equal("3ad77ed4-4dcf-4c51-8bfc-e3f7ce316b2f", info.Id);
        Assert.Equal("query", info.Type);
        Assert.Equal("kuery", info.Language);
        Assert.Equal("medium", info.Severity);
        Assert.Equal(47, info.RiskScore);
        Assert.Equal("5m", info.Interval);
        Assert.Equal("now-25m", info.From);
        Assert.Equal(100, info.MaxSignals);
        Assert.Equal(new[] { "filebeat-*", "logs-azure*" }, info.Index);
        Assert.Equal(new[] { "Austin Songer" }, info.Authors);
        Assert.Equal("Elastic License v2", info.License);
        Assert.Equal("event.ingested", info.TimestampOverride);
        Assert.Equal(100, info.Version);
        var threat = Assert.Single(info.Threat);
        Assert.Equal("TA0006", threat.Tactic.Id);
        Assert.Equal("Credential Access", threat.Tactic.Name);
        Assert.Equal("T1040", Assert.Single(threat.Techniques).Technique.Id);
    }
}

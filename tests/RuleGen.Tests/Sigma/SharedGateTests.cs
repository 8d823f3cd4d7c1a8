using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>
/// Rules with the same logsource share their gate's code (<c>Rules.Gates</c>, Emit/GateEmitter): emitted once, called
/// by each rule's <c>Evaluate</c> (its base's, <c>SharedGateEventRule</c>), and by the rule set before the rule's detection, over the rule's own first slots.
/// A shared gate must gate exactly as the rule's own copy did: alone and in the rule set, whatever other fields the
/// rule reads and in what order.
/// </summary>
public sealed class SharedGateTests : IDisposable
{
    private readonly SigmaRules _process = new(new Dictionary<string, string>
    {
        ["Encoded PowerShell"] = "    selection:\n        CommandLine|contains: ' -enc '\n    condition: selection",
        ["Whoami"] = "    selection:\n        Image|endswith: '\\whoami.exe'\n        CommandLine|contains: '/all'\n    condition: selection",
    });

    public void Dispose() => _process.Dispose();

    private const string Security4688 = "\"Channel\":\"Security\",\"EventID\":4688";
    private const string Sysmon1 = "\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1";

    [Fact]
    public void Rules_of_one_logsource_share_one_gate_class_and_call_it()
    {
        var gates = _process.Run.Sources["RuleGates.g.cs"];
        Assert.Equal(1, gates.Split("public static bool Evaluate(").Length - 1);
        var rules = _process.Run.Sources.Where(s => s.Key.StartsWith("Rules.", StringComparison.Ordinal)).Select(s => s.Value).ToList();
        Assert.Equal(2, rules.Count);
        // Each rule names the gate as its base's type argument; the base's Evaluate calls it.
        Assert.All(rules, source => Assert.Contains("RuleGenRt.SharedGateEventRule<", source));
        Assert.All(rules, source => Assert.Contains(".Schema, Gates.Gate", source));
        Assert.All(rules, source => Assert.DoesNotContain("static bool Evaluate(", source));
    }

    [Theory]
    [InlineData(Security4688, true)]
    [InlineData(Sysmon1, true)]
    [InlineData("\"Channel\":\"Security\",\"EventID\":1", false)]
    [InlineData("\"Channel\":\"System\",\"EventID\":4688", false)]
    [InlineData("\"EventID\":4688", false)]
    public void A_shared_gate_gates_each_rule_as_its_logsource_says(string gate, bool passes)
    {
        Assert.Equal(passes, _process.Matches("Encoded PowerShell", $"{{{gate},\"CommandLine\":\"powershell -enc AAA\"}}"));
        Assert.Equal(passes, _process.Matches("Whoami", $"{{\"CommandLine\":\"whoami /all\",{gate},\"Image\":\"C:\\\\Windows\\\\whoami.exe\"}}"));
        // The detection alone ignores the gate.
        Assert.True(_process.Detects("Encoded PowerShell", $"{{{gate},\"CommandLine\":\"powershell -enc AAA\"}}"));
    }

    [Fact]
    public void Another_logsource_gets_its_own_gate()
    {
        using var registry = new SigmaRules(new Dictionary<string, string>
        {
            ["Run Key"] = "    selection:\n        TargetObject|contains: '\\CurrentVersion\\Run'\n    condition: selection",
        }, logsource: "    product: windows\n    category: registry_set");
        var gates = registry.Run.Sources["RuleGates.g.cs"];
        Assert.DoesNotContain("\"security\"u8", gates);
        Assert.Contains("\"13\"u8", gates);
        Assert.True(registry.Matches("Run Key", "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":13,\"TargetObject\":\"HKLM\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\x\"}"));
        Assert.False(registry.Matches("Run Key", "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,\"TargetObject\":\"HKLM\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\x\"}"));
    }
}

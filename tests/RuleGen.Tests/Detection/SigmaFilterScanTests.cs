using System.Text.Json;
using RuleGen.Tests.Host;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Detection;

/// <summary>
/// End to end: a Sigma rule and a Sigma filter document in the rule folder, compiled by the generator, run by
/// <c>rulegen scan</c>: the event the filter excludes raises no alert, the others do.
/// </summary>
public sealed class SigmaFilterScanTests
{
    private static readonly (string Path, string Text)[] Files =
    [
        ("/rules/rar.yml", """
            title: Data Compressed - rar.exe
            id: 6f3e2987-db24-4c78-a860-b4f4095a7095
            logsource:
                product: windows
                category: process_creation
            detection:
                selection:
                    Image|endswith: '\rar.exe'
                condition: selection
            level: medium
            """),
        ("/rules/mf_admins.yml", """
            title: Filter Administrator account
            logsource:
                product: windows
                category: process_creation
            filter:
                rules:
                    - 6f3e2987-db24-4c78-a860-b4f4095a7095
                selection:
                    User|startswith: 'adm_'
                condition: not selection
            """),
    ];

    private static string Event(string time, string user) =>
        $$"""{"@timestamp":"2026-03-01T{{time}}Z","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Image":"C:\\Program Files\\WinRAR\\rar.exe","User":"{{user}}"}""";

    [Fact]
    public void The_event_a_filter_excludes_raises_no_alert_in_a_scan()
    {
        using var run = GeneratorHarness.Run(Files);
        Assert.True(run.Assembly is not null, string.Join("\n", run.CompileDiagnostics));
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("sysmon.ndjson", string.Join("\n", Event("10:00:00", "alice"), Event("10:01:00", "adm_root"), Event("10:02:00", "bob")) + "\n");

        var result = HostHarness.Run(["scan", "--no-progress", input], rules: run.RuleSet());
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new long[] { 1, 3 }, result.Alerts.Select(a => a.GetProperty("rulegen.input.line").GetInt64()).Order());
        Assert.All(result.Alerts, a => Assert.Equal("Data Compressed - rar.exe", a.GetProperty("kibana.alert.rule.name").GetString()));
    }
}

using Microsoft.CodeAnalysis;
using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>
/// Sigma filter documents (sigma-filters-specification 2.1), applied as pySigma applies them: to the rules they name by
/// id, <c>name</c> or title (or <c>rules: any</c>) whose logsource is within the filter's, the rule's condition becoming
/// <c>(condition) and (filter condition)</c>; from rule folders and from a Sigma config; shown in the filtered rules'
/// generated code; a filter that applies to no rule is a located warning, a bad one a located error.
/// </summary>
public sealed class SigmaFilterTests
{
    private const string RarId = "6f3e2987-db24-4c78-a860-b4f4095a7095";

    private static string Rule(string title, string id, string category, string detection, string name = "") => $"""
        title: {title}
        id: {id}
        {(name.Length == 0 ? "" : "name: " + name)}
        logsource:
            product: windows
            category: {category}
        detection:
        {detection}
        level: high
        """;

    private static readonly (string Path, string Text)[] Rules =
    [
        ("/rules/rar.yml", Rule("Data Compressed - rar.exe", RarId, "process_creation", "    selection:\n        Image|endswith: '\\rar.exe'\n    condition: selection")),
        ("/rules/whoami.yml", Rule("Whoami Execution", "a0000000-0000-4000-8000-000000000002", "process_creation", "    selection:\n        Image|endswith: '\\whoami.exe'\n    condition: selection", name: "whoami")),
        ("/rules/netcon.yml", Rule("Outbound To Port 4444", "a0000000-0000-4000-8000-000000000003", "network_connection", "    selection:\n        DestinationPort: 4444\n    condition: selection")),
    ];

    private static string Process(string image, string user) =>
        $$"""{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Image":"C:\\Windows\\{{image}}","User":"{{user}}"}""";

    private static string Connection(string user) =>
        $$"""{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":3,"DestinationPort":4444,"User":"{{user}}"}""";

    private static GeneratorRun Run(params (string Path, string Text)[] extra) => Run(extra, null);

    private static GeneratorRun Run((string Path, string Text)[] extra, string? config)
    {
        var files = Rules.Concat(extra).ToList();
        Dictionary<string, Dictionary<string, string>>? perFile = null;
        if (config is not null)
        {
            files.Add(("/config/sigma.yml", config));
            perFile = new() { ["/config/sigma.yml"] = new() { ["build_metadata.AdditionalFiles.RuleGenKind"] = "SigmaConfig" } };
        }
        var run = GeneratorHarness.Run(files, null, perFile);
        Assert.True(run.Assembly is not null, string.Join("\n", run.CompileDiagnostics));
        return run;
    }

    private static bool Matches(GeneratorRun run, string title, string json, MatchScope scope = MatchScope.Full) =>
        run.RuleSet().Rules.Single(r => r.Info.Name == title).IsMatch(System.Text.Encoding.UTF8.GetBytes(json), scope);

    private static (int Line, int Column) Position(Diagnostic d)
    {
        var span = d.Location.GetLineSpan().StartLinePosition;
        return (span.Line + 1, span.Character + 1);
    }

    private const string AdminFilter = """
        title: Filter Administrator account
        description: The valid administrator accounts start with adm_
        logsource:
            category: process_creation
            product: windows
        filter:
            rules:
                - 6f3e2987-db24-4c78-a860-b4f4095a7095 # Data Compressed - rar.exe
                - whoami
            selection:
                User|startswith: 'adm_'
            condition: not selection
        """;

    [Fact]
    public void A_filter_ands_its_condition_into_the_rules_it_names_by_id_and_name()
    {
        using var run = Run(("/rules/mf_admins.yml", AdminFilter));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);

        Assert.True(Matches(run, "Data Compressed - rar.exe", Process("rar.exe", "alice")));
        Assert.False(Matches(run, "Data Compressed - rar.exe", Process("rar.exe", "adm_alice")));
        Assert.False(Matches(run, "Data Compressed - rar.exe", Process("rar.exe", "adm_alice"), MatchScope.DetectionOnly));
        Assert.True(Matches(run, "Whoami Execution", Process("whoami.exe", "bob")));
        Assert.False(Matches(run, "Whoami Execution", Process("whoami.exe", "adm_bob")));
        // An absent User is not 'adm_...': not selection holds (two-valued not), the rule still matches.
        Assert.True(Matches(run, "Whoami Execution", """{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Image":"C:\\Windows\\whoami.exe"}"""));
        // A rule it does not name is untouched, and the filter document itself is no rule.
        Assert.True(Matches(run, "Outbound To Port 4444", Connection("adm_carol")));
        Assert.Equal(3, run.RuleSet().Rules.Count);

        // The filtered rule's code names the filter; the untouched one's does not.
        var rar = run.Sources.Single(s => s.Key.StartsWith("Rules.DataCompressedRarExe", StringComparison.Ordinal)).Value;
        Assert.Contains("Sigma filters ANDed into the condition", rar);
        Assert.Contains("'Filter Administrator account' (/rules/mf_admins.yml): and (not selection)", rar);
        Assert.Contains("starts with \"adm_\"", rar, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Sigma filters", run.Sources.Single(s => s.Key.StartsWith("Rules.OutboundToPort4444", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void Rules_any_applies_to_every_rule_whose_logsource_is_within_the_filters_and_titles_name_rules()
    {
        using var run = Run(
            ("/rules/mf_any.yml", """
                title: No service accounts on process creation
                logsource:
                    product: windows
                    category: process_creation
                filter:
                    rules: any
                    svc:
                        User|startswith: 'svc_'
                    condition: not svc
                """),
            ("/rules/mf_title.yml", """
                title: Lab hosts connect anywhere
                logsource:
                    product: windows
                filter:
                    rules: Outbound To Port 4444
                    lab:
                        User: labuser
                    condition: not lab
                """));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.False(Matches(run, "Data Compressed - rar.exe", Process("rar.exe", "svc_backup")));
        Assert.False(Matches(run, "Whoami Execution", Process("whoami.exe", "svc_backup")));
        // The network rule's category is not the filter's: 'any' leaves it alone; the other filter names it by title.
        Assert.True(Matches(run, "Outbound To Port 4444", Connection("svc_backup")));
        Assert.False(Matches(run, "Outbound To Port 4444", Connection("labuser")));
    }

    [Fact]
    public void Filters_from_a_sigma_config_apply_as_rule_folder_filters_do()
    {
        const string config = """
            filters:
              - title: Config filter
                logsource: { product: windows }
                filter:
                  rules: [whoami]
                  helpdesk: { User|contains: helpdesk }
                  condition: not helpdesk
            """;
        using var run = Run(Array.Empty<(string, string)>(), config);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.False(Matches(run, "Whoami Execution", Process("whoami.exe", "corp-helpdesk-1")));
        Assert.True(Matches(run, "Whoami Execution", Process("whoami.exe", "eve")));
        Assert.True(Matches(run, "Data Compressed - rar.exe", Process("rar.exe", "corp-helpdesk-1")));
        Assert.Contains("'Config filter' (Sigma config /config/sigma.yml)", run.Sources.Single(s => s.Key.StartsWith("Rules.WhoamiExecution", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void A_filter_that_applies_to_no_rule_is_a_located_warning()
    {
        using var run = Run(("/rules/mf_none.yml", """
            title: Stale filter
            logsource:
                product: windows
                category: process_creation
            filter:
                rules:
                    - no_such_rule
                    - Outbound To Port 4444
                selection:
                    User: x
                condition: not selection
            """));
        var warnings = run.GeneratorDiagnostics.Where(d => d.Id == "RG0226").OrderBy(d => Position(d)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(DiagnosticSeverity.Warning, w.Severity));
        Assert.All(warnings, w => Assert.Equal("/rules/mf_none.yml", w.Location.GetLineSpan().Path));
        Assert.Equal((7, 11), Position(warnings[0]));
        Assert.Contains("'no_such_rule': it is not the id, name or title", warnings[0].GetMessage());
        Assert.Equal((8, 11), Position(warnings[1]));
        Assert.Contains("category: network_connection) is not within the filter's", warnings[1].GetMessage());
        // Nothing was filtered.
        Assert.True(Matches(run, "Outbound To Port 4444", Connection("x")));
    }

    [Fact]
    public void A_bad_filter_is_a_located_error_and_filters_nothing()
    {
        using var run = Run(
            ("/rules/mf_norules.yml", "title: No rules\nlogsource:\n    product: windows\nfilter:\n    selection:\n        User: x\n    condition: not selection\n"),
            ("/rules/mf_badcond.yml", $"title: Bad condition\nlogsource:\n    product: windows\nfilter:\n    rules: [{RarId}]\n    selection:\n        User: x\n    condition: not selectoin\n"));
        var norules = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0225");
        Assert.Equal(("/rules/mf_norules.yml", (4, 1)), (norules.Location.GetLineSpan().Path, Position(norules)));
        Assert.Contains("needs 'rules'", norules.GetMessage());
        var badcond = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0207");
        Assert.Equal(("/rules/mf_badcond.yml", (8, 20)), (badcond.Location.GetLineSpan().Path, Position(badcond)));
        Assert.True(Matches(run, "Data Compressed - rar.exe", Process("rar.exe", "x")));
    }
}

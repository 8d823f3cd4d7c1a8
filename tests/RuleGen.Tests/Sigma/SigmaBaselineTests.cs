using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>
/// Golden emitted code for representative Sigma rules (Baselines/Sigma/*.g.cs.txt), so that changes to what the
/// generator emits are visible in review. Run with UPDATE_BASELINES=1 to rewrite the files after an intended change.
/// </summary>
public sealed class SigmaBaselineTests
{
    private const string ProcessCreation = """
        title: Suspicious Encoded PowerShell
        id: 77777777-7777-4777-8777-777777777777
        status: test
        description: Encoded PowerShell started by an Office application.
        author: RuleGen tests
        date: 2026-01-01
        tags:
            - attack.execution
            - attack.t1059.001
        logsource:
            product: windows
            category: process_creation
        detection:
            selection_img:
                - Image|endswith:
                    - '\powershell.exe'
                    - '\pwsh.exe'
                - OriginalFileName:
                    - 'PowerShell.EXE'
                    - 'pwsh.dll'
            selection_cli:
                CommandLine|windash|contains: ' -enc '
            selection_parent:
                ParentImage|endswith:
                    - '\winword.exe'
                    - '\excel.exe'
                    - '\powerpnt.exe'
                    - '\outlook.exe'
            filter_main_null:
                ParentImage: null
            condition: all of selection_* and not 1 of filter_main_*
        level: high
        """;

    private const string KeywordsAndRegex = """
        title: Web Shell Keywords
        id: 88888888-8888-4888-8888-888888888888
        logsource:
            category: webserver
        detection:
            keywords:
                - 'whoami'
                - 'net user'
            selection:
                cs-uri-query|re|i: '(cmd|exec)=[a-z]+'
                sc-status: 200
            condition: keywords or selection
        level: medium
        """;

    private const string EcsBase64 = """
        title: Encoded Ping In Command Line
        id: 99999999-9999-4999-8999-999999999999
        logsource:
            product: windows
            category: process_creation
        detection:
            selection:
                CommandLine|wide|base64offset|contains: 'ping'
                IntegrityLevel: 'System'
            condition: selection
        level: critical
        """;

    [Theory]
    [InlineData("process_creation_flat", ProcessCreation, "")]
    [InlineData("keywords_regex_flat", KeywordsAndRegex, "")]
    [InlineData("base64offset_ecs", EcsBase64, "ecs")]
    public void Emitted_code_matches_the_baseline(string name, string rule, string profile)
    {
        var options = new Dictionary<string, string>();
        if (profile.Length > 0) options["build_property.RuleGenSigmaProfile"] = profile;
        using var run = GeneratorHarness.Run(new[] { ($"/rules/{name}.yml", rule) }, options);
        Assert.Empty(run.CompileDiagnostics);
        var source = run.Sources.Single(s => s.Key.StartsWith("Rules.", StringComparison.Ordinal)).Value.Replace("\r\n", "\n");
        var path = Path.Combine(Repo.Root, "tests", "RuleGen.Tests", "Baselines", "Sigma", name + ".g.cs.txt");
        if (Environment.GetEnvironmentVariable("UPDATE_BASELINES") == "1")
        {
            File.WriteAllText(path, source);
            return;
        }
        Assert.True(File.Exists(path), $"No baseline {path}: run the tests with UPDATE_BASELINES=1 to create it.");
        Assert.Equal(File.ReadAllText(path).Replace("\r\n", "\n"), source);
    }
}

using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>Field-resolution profiles and logsource gates: flat (plain and evtx JSON) and ecs, end to end.</summary>
public sealed class SigmaProfileTests
{
    private const string WhoamiOnly = "    selection:\n        CommandLine|contains: 'whoami'\n    condition: selection";

    private const string ProcessCreation = "    selection:\n        Image|endswith: '\\cmd.exe'\n        CommandLine|contains: 'whoami'\n    condition: selection";
    private const string NotCmd = "    selection:\n        Image|endswith: '\\cmd.exe'\n    condition: not selection";

    [Fact]
    public void Flat_profile_reads_flat_and_evtx_json_and_gates_on_sysmon_1_or_security_4688()
    {
        using var rules = new SigmaRules(new Dictionary<string, string> { ["Cmd Whoami"] = ProcessCreation, ["Not Cmd"] = NotCmd });
        const string flatSysmon = """{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Image":"C:\\Windows\\cmd.exe","CommandLine":"whoami"}""";
        const string flatSecurity = """{"Channel":"Security","EventID":4688,"Image":"C:\\Windows\\cmd.exe","CommandLine":"whoami"}""";
        const string evtx = """{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational"},"EventData":{"Image":"C:\\Windows\\cmd.exe","CommandLine":"whoami /all"}}}""";
        const string otherEvent = """{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":3,"Image":"C:\\Windows\\cmd.exe","CommandLine":"whoami"}""";
        Assert.True(rules.Matches("Cmd Whoami", flatSysmon));
        Assert.True(rules.Matches("Cmd Whoami", flatSecurity));
        Assert.True(rules.Matches("Cmd Whoami", evtx));
        Assert.False(rules.Matches("Cmd Whoami", otherEvent));
        Assert.True(rules.Detects("Cmd Whoami", otherEvent));

        // A purely negative rule fires on unrelated events in detection-only mode, never past the gate.
        const string unrelated = """{"message":"hello"}""";
        Assert.True(rules.Detects("Not Cmd", unrelated));
        Assert.False(rules.Matches("Not Cmd", unrelated));
        Assert.True(rules.Matches("Not Cmd", """{"Channel":"Security","EventID":"4688","Image":"C:\\x.exe"}"""));
    }

    [Fact]
    public void Dotted_sigma_fields_read_dotted_keys_and_nested_objects()
    {
        using var rules = new SigmaRules(new Dictionary<string, string>
        {
            ["Session Token"] = "    selection:\n        eventSource: sts.amazonaws.com\n        eventName: GetSessionToken\n        userIdentity.type: IAMUser\n    condition: selection",
        }, logsource: "    product: aws\n    service: cloudtrail");
        Assert.True(rules.Detects("Session Token", """{"eventSource":"sts.amazonaws.com","eventName":"GetSessionToken","userIdentity.type":"IAMUser"}"""));
        Assert.True(rules.Detects("Session Token", """{"eventSource":"StS.amAZonAWs.com","eventName":"GetSESsionToKen","userIdentity":{"type":"IAmUSer"}}"""));
        Assert.False(rules.Detects("Session Token", """{"eventSource":"sts.amazonaws.com","eventName":"GetSessionToken","userIdentity.type":"Root"}"""));
    }

    [Fact]
    public void Flat_profile_matches_native_keys_with_spaces_removed()
    {
        using var rules = new SigmaRules(new Dictionary<string, string>
        {
            ["Threat Name"] = "    selection:\n        ThreatName|contains: 'Mimikatz'\n    condition: selection",
        }, logsource: "    product: windows\n    service: windefend");
        Assert.True(rules.Detects("Threat Name", """{"Threat Name":"HackTool:Win32/Mimikatz"}"""));
        Assert.True(rules.Detects("Threat Name", """{"Event":{"EventData":{"Threat Name":"HackTool:Win32/Mimikatz"}}}"""));
        Assert.True(rules.Detects("Threat Name", """{"ThreatName":"HackTool:Win32/Mimikatz"}"""));
        Assert.False(rules.Detects("Threat Name", """{"Threat Named":"HackTool:Win32/Mimikatz"}"""));
        Assert.True(rules.Matches("Threat Name", """{"Channel":"Microsoft-Windows-Windows Defender/Operational","Threat Name":"Mimikatz"}"""));
        Assert.False(rules.Matches("Threat Name", """{"Channel":"Security","Threat Name":"Mimikatz"}"""));
    }

    [Fact]
    public void Ecs_profile_maps_sigma_fields_and_logsource_onto_ecs()
    {
        using var rules = new SigmaRules(new Dictionary<string, string>
        {
            ["Cmd Whoami"] = ProcessCreation,
            ["Unmapped Field"] = "    selection:\n        IntegrityLevel: 'High'\n    condition: selection",
            ["Not Cmd"] = NotCmd,
        }, profile: "ecs");
        const string agent = """{"event":{"category":["process"],"type":["start"]},"process":{"executable":"C:\\Windows\\System32\\cmd.exe","command_line":"cmd /c whoami"}}""";
        Assert.True(rules.Matches("Cmd Whoami", agent));
        Assert.False(rules.Matches("Cmd Whoami", """{"event":{"category":["process"],"type":["end"]},"process":{"executable":"C:\\cmd.exe","command_line":"whoami"}}"""));
        Assert.False(rules.Detects("Cmd Whoami", """{"Image":"C:\\cmd.exe","CommandLine":"whoami"}"""));
        Assert.True(rules.Detects("Unmapped Field", """{"winlog":{"event_data":{"IntegrityLevel":"high"}}}"""));
        Assert.False(rules.Matches("Not Cmd", """{"event":{"category":"network"},"process":{"executable":"C:\\x.exe"}}"""));
        Assert.True(rules.Matches("Not Cmd", """{"event":{"category":"process","type":"start"},"process":{"executable":"C:\\x.exe"}}"""));
        var info = rules["Cmd Whoami"].Info;
        Assert.Equal("ecs", info.Sigma!.Profile);
    }

    [Fact]
    public void Users_add_field_mappings_logsource_conditions_and_profiles_in_a_config_file()
    {
        const string config = """
            profiles:
              flat:
                fields:
                  Image: exe_path
                logsources:
                  - when: { product: windows, category: process_creation }
                    any:
                      - { source: [edr, EDR2] }
              mine:
                base: ecs
                fields:
                  CommandLine: { field: cmd.line, when: { category: process_creation } }
            """;
        using var flat = new SigmaRules(new Dictionary<string, string> { ["Cmd Whoami"] = ProcessCreation }, config: config);
        Assert.True(flat.Matches("Cmd Whoami", """{"source":"edr2","exe_path":"C:\\cmd.exe","CommandLine":"whoami"}"""));
        Assert.False(flat.Matches("Cmd Whoami", """{"Channel":"Security","EventID":4688,"exe_path":"C:\\cmd.exe","CommandLine":"whoami"}"""));
        using var mine = new SigmaRules(new Dictionary<string, string> { ["Cmd Whoami"] = ProcessCreation }, profile: "mine", config: config);
        Assert.True(mine.Detects("Cmd Whoami", """{"process":{"executable":"C:\\cmd.exe"},"cmd":{"line":"whoami"}}"""));
        Assert.Equal("mine", mine["Cmd Whoami"].Info.Sigma!.Profile);
    }

    private const string RoutedConfig = """
        profiles:
          routed:
            base: flat
            logsource_fields:
              product: product
              category: category
              service: service
        """;

    /// <summary>Four rules with the same detection (CommandLine contains whoami) and different logsources.</summary>
    private static GeneratorRun RoutedRules(string config)
    {
        const string detection = "    selection:\n        CommandLine|contains: 'whoami'\n    condition: selection";
        var rules = new (string Title, string Logsource)[]
        {
            ("Windows Process", "    product: windows\n    category: process_creation"),
            ("Linux Process", "    product: linux\n    category: process_creation"),
            ("Cisco Aaa", "    product: cisco\n    service: aaa"),
            ("Any Windows", "    product: windows"),
        };
        var files = rules.Select((r, i) => ($"/rules/r{i}.yml", SigmaRules.Rule(r.Title, detection, r.Logsource))).ToList();
        files.Add(("/config/sigma.yml", config));
        return GeneratorHarness.Run(files, new Dictionary<string, string> { ["build_property.RuleGenSigmaProfile"] = "routed" },
            new() { ["/config/sigma.yml"] = new() { ["build_metadata.AdditionalFiles.RuleGenKind"] = "SigmaConfig" } });
    }

    [Fact]
    public void Logsource_fields_gate_each_rule_by_the_logsource_the_event_names_and_the_index_skips_the_other_logsources()
    {
        using var run = RoutedRules(RoutedConfig);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        var set = Assert.IsAssignableFrom<IIndexedRuleSet>(run.RuleSet());
        Assert.Equal(4, set.Index.SeveralWitnesses);
        Assert.Equal(0, set.Index.SeveralWitnessesDetectionOnly);
        string[] Titles(IEnumerable<int> rules) => rules.Select(r => set.Rules[r].Info.Name).Order().ToArray();

        // Per event: the rules it fully matches, and the rules the index must not select (no value of their logsource is
        // the event's; a rule whose logsource shares one value can be selected, as a gate's witness is one of its values).
        string[] all = ["Any Windows", "Cisco Aaa", "Linux Process", "Windows Process"];
        var cases = new (string Json, string[] Full, string[] Skipped)[]
        {
            ("""{"product":"windows","category":"process_creation","CommandLine":"whoami /all"}""", ["Any Windows", "Windows Process"], ["Cisco Aaa"]),
            ("""{"product":"Windows","category":"Process_Creation","CommandLine":"WHOAMI"}""", ["Any Windows", "Windows Process"], ["Cisco Aaa"]),
            ("""{"product":"linux","category":"process_creation","CommandLine":"whoami"}""", ["Linux Process"], ["Any Windows", "Cisco Aaa"]),
            ("""{"product":"cisco","service":"aaa","CommandLine":"whoami"}""", ["Cisco Aaa"], ["Any Windows", "Linux Process", "Windows Process"]),
            ("""{"product":"windows","category":"file_event","CommandLine":"whoami"}""", ["Any Windows"], ["Cisco Aaa", "Linux Process"]),
            ("""{"CommandLine":"whoami"}""", [], all),
            ("""{"product":"windows","category":"process_creation","CommandLine":"id"}""", [], all),
        };
        var matches = new int[8];
        var every = new int[8];
        var candidates = new int[8];
        foreach (var (json, full, skipped) in cases)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(json);
            Assert.True(set.TryEvaluate(bytes, matches, out var count, MatchScope.Full));
            Assert.Equal(full, Titles(matches.Take(count)));
            Assert.True(set.TryEvaluateEveryRule(bytes, every, out var everyCount, MatchScope.Full));
            Assert.Equal(full, Titles(every.Take(everyCount)));
            // All four detections hold when whoami is there: what the index skips, it skips for the logsource.
            var selected = Titles(candidates.Take(set.CollectCandidates(bytes, MatchScope.Full, candidates)));
            Assert.Subset(selected.ToHashSet(), full.ToHashSet());
            Assert.Empty(selected.Intersect(skipped));

            // The detection alone ignores the logsource.
            var detects = json.Contains("whoami", StringComparison.OrdinalIgnoreCase) ? 4 : 0;
            Assert.True(set.TryEvaluate(bytes, matches, out count, MatchScope.DetectionOnly));
            Assert.Equal(detects, count);
            Assert.Equal(detects, set.CollectCandidates(bytes, MatchScope.DetectionOnly, candidates));
        }
    }

    [Fact]
    public void Logsource_fields_with_an_unknown_key_or_no_field_are_config_errors_at_their_place()
    {
        const string config = "profiles:\n  routed:\n    base: flat\n    logsource_fields:\n      vendor: vendor\n      category:\n      product: product\n";
        using var run = RoutedRules(config);
        var errors = run.GeneratorDiagnostics.Where(d => d.Id == "RG0216").OrderBy(d => d.Location.GetLineSpan().StartLinePosition.Line).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains("'vendor' is not a logsource key", errors[0].GetMessage());
        Assert.Equal(4, errors[0].Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("'category' must name the event field", errors[1].GetMessage());
        // The valid key still routes: only the product is checked.
        var set = run.RuleSet();
        var matches = new int[8];
        Assert.True(set.TryEvaluate("""{"product":"windows","category":"file_event","CommandLine":"whoami"}"""u8, matches, out var count, MatchScope.Full));
        Assert.Equal(new[] { "Any Windows", "Windows Process" }, matches.Take(count).Select(r => set.Rules[r].Info.Name).Order());
    }

    [Fact]
    public void Expand_uses_placeholder_values_from_the_config_file()
    {
        const string config = "placeholders:\n  Admins: ['root', 'adm*']\n";
        using var rules = new SigmaRules(new Dictionary<string, string>
        {
            ["Admin Logon"] = "    selection:\n        User|expand: '%Admins%'\n    condition: selection",
        }, config: config);
        Assert.True(rules.Detects("Admin Logon", """{"User":"ROOT"}"""));
        Assert.True(rules.Detects("Admin Logon", """{"User":"administrator"}"""));
        Assert.False(rules.Detects("Admin Logon", """{"User":"alice"}"""));
    }

    [Fact]
    public void A_config_sets_a_profiles_time_fields_and_max_signals_and_the_rule_set_gives_them_as_run_settings()
    {
        const string config = "profiles:\n  flat:\n    time_fields: [ts, '@timestamp']\n    max_signals: 25\n";
        using var rules = new SigmaRules(new Dictionary<string, string> { ["Cmd Whoami"] = ProcessCreation }, config: config);
        Assert.Empty(rules.Diagnostics.Where(d => d.Id == "RG0216"));
        var set = rules.Run.RuleSet();
        var settings = set.RunSettingsOf(rules["Cmd Whoami"].Index)!;
        Assert.Equal(new[] { "ts", "@timestamp" }, settings.TimeFields);
        Assert.Equal(25, settings.MaxSignals);
        Assert.Equal("sigma", settings.Format);
        Assert.Equal(25, rules["Cmd Whoami"].Info.MaxSignals);

        using var ecs = new SigmaRules(new Dictionary<string, string> { ["Cmd Whoami"] = ProcessCreation }, profile: "ecs");
        var ecsSettings = ecs.Run.RuleSet().RunSettingsOf(ecs["Cmd Whoami"].Index)!;
        Assert.Equal(new[] { "@timestamp" }, ecsSettings.TimeFields);
        Assert.Null(ecsSettings.MaxSignals);
    }

    [Fact]
    public void Time_fields_and_max_signals_of_the_wrong_shape_are_config_errors_at_their_place()
    {
        const string config = "profiles:\n  flat:\n    time_fields: [ts, {a: b}]\n    max_signals: 0\n";
        using var rules = new SigmaRules(new Dictionary<string, string> { ["Cmd Whoami"] = ProcessCreation }, config: config);
        var errors = rules.Diagnostics.Where(d => d.Id == "RG0216").OrderBy(d => d.Location.GetLineSpan().StartLinePosition.Line).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains("'time_fields' must list event fields", errors[0].GetMessage());
        Assert.Equal(2, errors[0].Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("'max_signals' must be a positive whole number", errors[1].GetMessage());
        Assert.Equal(3, errors[1].Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void A_windows_rule_of_a_category_without_facts_is_gated_as_a_windows_event_by_channel_or_provider()
    {
        using var rules = new SigmaRules(new Dictionary<string, string> { ["Cmd Whoami"] = WhoamiOnly }, logsource: "    product: windows\n    category: antivirus");
        Assert.True(rules.Matches("Cmd Whoami", """{"Channel":"Anything","CommandLine":"whoami"}"""));
        Assert.True(rules.Matches("Cmd Whoami", """{"Event":{"System":{"Provider":{"#attributes":{"Name":"X"}}},"EventData":{"CommandLine":"whoami"}}}"""));
        Assert.False(rules.Matches("Cmd Whoami", """{"CommandLine":"whoami"}"""));
        Assert.True(rules.Detects("Cmd Whoami", """{"CommandLine":"whoami"}"""));
    }

    [Fact]
    public void A_config_gate_makes_a_product_the_profile_does_not_know_recognisable()
    {
        const string config = "profiles:\n  flat:\n    logsources:\n      - when: { product: zeek }\n        any:\n          - { _path: conn }\n";
        using var unmapped = new SigmaRules(new Dictionary<string, string> { ["Cmd Whoami"] = WhoamiOnly }, logsource: "    product: zeek");
        Assert.Contains(unmapped.Diagnostics, d => d.Id == "RG0224");
        Assert.False(unmapped.Matches("Cmd Whoami", """{"_path":"conn","CommandLine":"whoami"}"""));
        using var mapped = new SigmaRules(new Dictionary<string, string> { ["Cmd Whoami"] = WhoamiOnly }, logsource: "    product: zeek", config: config);
        Assert.DoesNotContain(mapped.Diagnostics, d => d.Id == "RG0224");
        Assert.True(mapped.Matches("Cmd Whoami", """{"_path":"conn","CommandLine":"whoami"}"""));
        Assert.False(mapped.Matches("Cmd Whoami", """{"_path":"dns","CommandLine":"whoami"}"""));
    }
}

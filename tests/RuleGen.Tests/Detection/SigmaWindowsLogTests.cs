using System.Text.Json;
using RuleGen.Tests.Host;
using RuleGen.Tests.Infrastructure;
using RuleGen.Tests.Sigma;

namespace RuleGen.Tests.Detection;

/// <summary>
/// Sigma rules over Windows events as users have them (evtx_dump and python-evtx JSON, flattened exports, Sysmon),
/// compiled from YAML and run by <c>rulegen scan</c>: the event's time from the profile's time fields, every match
/// alerted (no max_signals unless the user sets one, late events included), and logsource gates that keep rules of
/// other products off Windows events.
/// </summary>
public sealed class SigmaWindowsLogTests : IClassFixture<SigmaWindowsLogTests.Compiled>
{
    private const string ServiceInstall = "    selection:\n        EventID: 7045\n    condition: selection";

    /// <summary>The rules, compiled once for the class: a Windows rule, rules of other products, a correlation.</summary>
    public sealed class Compiled : IDisposable
    {
        public Compiled()
        {
            Run = GeneratorHarness.Run(Files);
            if (Run.Assembly is null) throw new InvalidOperationException(string.Join("\n", Run.CompileDiagnostics));
        }

        public GeneratorRun Run { get; }

        public void Dispose() => Run.Dispose();
    }

    private static readonly (string Path, string Text)[] Files =
    [
        ("/rules/service_install.yml", SigmaRules.Rule("Service Installed", ServiceInstall, "    product: windows\n    service: system")),
        // Purely negative, as SigmaHQ's zeek_rdp_public_listener: without a gate it would fire on every event.
        ("/rules/zeek_negative.yml", SigmaRules.Rule("Zeek Negative", "    filter:\n        id.resp_h: '10.0.0.1'\n    condition: not filter",
            "    product: zeek\n    service: rdp")),
        // A keyword rule, as SigmaHQ's Cisco rules: the keyword is in the Windows event too.
        ("/rules/cisco_keyword.yml", SigmaRules.Rule("Cisco Keyword", "    keywords:\n        - 'services.exe'\n    condition: keywords",
            "    product: cisco\n    service: aaa")),
        ("/rules/services_correlation.yml", """
            title: Many services installed on one computer
            id: e0000000-0000-4000-8000-000000000001
            correlation:
                type: event_count
                rules:
                    - service_installed_named
                group-by:
                    - Computer
                timespan: 10m
                condition:
                    gte: 3
            level: high
            ---
            title: Service Installed (named)
            id: e0000000-0000-4000-8000-000000000002
            name: service_installed_named
            logsource:
                product: windows
                service: system
            detection:
                selection:
                    EventID: 7045
                condition: selection
            level: low
            """),
    ];

    private readonly Compiled _compiled;

    public SigmaWindowsLogTests(Compiled compiled) => _compiled = compiled;

    /// <summary>A System 7045 event in the evtx_dump JSON shape, its time as <paramref name="systemTime"/>.</summary>
    private static string EvtxJson(string systemTime, string computer = "WS01") =>
        "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Service Control Manager\"}},\"EventID\":\"7045\","
        + "\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"" + systemTime + "\"}},\"Channel\":\"System\",\"Computer\":\"" + computer + "\"},"
        + "\"EventData\":{\"ServiceName\":\"evil\",\"ImagePath\":\"C:\\\\Windows\\\\services.exe\"}}}";

    /// <summary>The same event flattened (Zircolite, pySigma's SQLite users).</summary>
    private static string Flat(string systemTime) =>
        $$"""{"Provider_Name":"Service Control Manager","EventID":"7045","TimeCreated_SystemTime":"{{systemTime}}","Channel":"System","Computer":"WS01","ServiceName":"evil","ImagePath":"C:\\Windows\\services.exe"}""";

    private HostResult Scan(IEnumerable<string> events, params string[] options)
    {
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("system.ndjson", string.Join("\n", events) + "\n");
        return HostHarness.Run(["scan", "--no-progress", .. options, input], rules: _compiled.Run.RuleSet());
    }

    private static string Name(JsonElement alert) => alert.GetProperty("kibana.alert.rule.name").GetString()!;

    [Fact]
    public void The_event_time_comes_from_the_windows_event_in_the_shapes_users_have()
    {
        var result = Scan([
            EvtxJson("2017-08-30T19:13:38.198483Z"),                     // evtx_dump: ISO 8601 with Z, microseconds
            Flat("2017-08-30 19:14:38.198483"),                           // python-evtx: a space, no zone (UTC)
            """{"Channel":"System","EventID":7045,"UtcTime":"2017-08-30 19:15:53.919","ImagePath":"x"}""", // Sysmon's UtcTime shape
        ]);
        Assert.Equal(0, result.ExitCode);
        var times = result.Alerts.Where(a => Name(a) == "Service Installed")
            .Select(a => a.GetProperty("kibana.alert.original_time").GetString()).ToArray();
        Assert.Equal(new[] { "2017-08-30T19:13:38.198Z", "2017-08-30T19:14:38.198Z", "2017-08-30T19:15:53.919Z" }, times);
        // The executions ran on that time, not on a stream time given to timeless matches.
        Assert.All(result.Alerts, a => Assert.StartsWith("2017-08-30T19:", a.GetProperty("@timestamp").GetString()));
        Assert.DoesNotContain("without a timestamp", result.Stderr);
    }

    [Fact]
    public void A_sigma_rule_alerts_every_match_of_an_execution_and_the_command_line_can_cap_it()
    {
        // 250 matches within one minute (after 10:00, so all in the execution at 10:05), over Kibana's default of 100.
        var events = Enumerable.Range(0, 250).Select(i => EvtxJson($"2024-05-01T10:00:{i / 5 + 1:00}.{i % 5}00Z")).ToList();
        var all = Scan(events);
        Assert.Equal(250, all.Alerts.Count(a => Name(a) == "Service Installed"));
        Assert.DoesNotContain("held back", all.Stderr);
        Assert.DoesNotContain(all.Alerts, a => a.TryGetProperty("kibana.alert.rule.max_signals", out _));

        var capped = Scan(events, "--sigma-max-signals", "100");
        Assert.Equal(0, capped.ExitCode);
        Assert.Equal(100, capped.Alerts.Count(a => Name(a) == "Service Installed"));
        Assert.Contains("held back by max_signals 100: Service Installed", capped.Stderr);
        Assert.Contains("150 candidate alerts held back, 150 events never alerted", capped.Stderr);
    }

    [Fact]
    public void Matches_that_arrive_after_their_executions_ran_still_alert()
    {
        // Two logs one after the other, the second years older (a folder of .evtx files scanned in name order).
        var events = new[] { EvtxJson("2021-01-01T00:00:00Z"), EvtxJson("2021-01-01T00:30:00Z"), EvtxJson("2017-08-30T19:13:38Z"), EvtxJson("2017-08-30T19:13:39Z") };
        var result = Scan(events);
        var times = result.Alerts.Where(a => Name(a) == "Service Installed").Select(a => a.GetProperty("kibana.alert.original_time").GetString()).Order().ToArray();
        Assert.Equal(new[] { "2017-08-30T19:13:38.000Z", "2017-08-30T19:13:39.000Z", "2021-01-01T00:00:00.000Z", "2021-01-01T00:30:00.000Z" }, times);
        // (The correlation of this folder takes its inputs in time order: the older log's inputs are late for it alone.)
    }

    [Fact]
    public void Rules_of_other_products_do_not_fire_on_windows_events()
    {
        var result = Scan([EvtxJson("2024-05-01T10:00:00Z"), Flat("2024-05-01 10:01:00")]);
        Assert.Equal(2, result.Alerts.Count(a => Name(a) == "Service Installed"));
        Assert.DoesNotContain(result.Alerts, a => Name(a) is "Zeek Negative" or "Cisco Keyword");
        // Their detections alone do match (pySigma's reading, MatchScope.DetectionOnly).
        var set = _compiled.Run.RuleSet();
        var json = System.Text.Encoding.UTF8.GetBytes(EvtxJson("2024-05-01T10:00:00Z"));
        var matches = new int[set.Rules.Count];
        Assert.True(set.TryEvaluate(json, matches, out var count, RuleGen.Runtime.MatchScope.DetectionOnly));
        var names = matches.Take(count).Select(i => set.Rules[i].Info.Name).ToList();
        Assert.Contains("Zeek Negative", names);
        Assert.Contains("Cisco Keyword", names);
        // And so does the scan in that scope, for those who want pySigma's behaviour.
        var detectionOnly = Scan([EvtxJson("2024-05-01T10:00:00Z")], "--detection-only");
        Assert.Equal(0, detectionOnly.ExitCode);
        Assert.Contains(detectionOnly.Alerts, a => Name(a) == "Zeek Negative");
        Assert.Contains(detectionOnly.Alerts, a => Name(a) == "Cisco Keyword");
    }

    [Fact]
    public void Correlation_timespans_run_on_the_windows_event_time()
    {
        // Three installs within 10 minutes on WS01 (no @timestamp anywhere); three on WS02 spread over hours.
        var result = Scan([
            EvtxJson("2024-05-01T10:00:00Z", "WS01"), EvtxJson("2024-05-01T10:04:00Z", "WS01"), EvtxJson("2024-05-01T10:08:00Z", "WS01"),
            EvtxJson("2024-05-01T11:00:00Z", "WS02"), EvtxJson("2024-05-01T13:00:00Z", "WS02"), EvtxJson("2024-05-01T15:00:00Z", "WS02"),
        ]);
        var alert = Assert.Single(result.Alerts, a => Name(a) == "Many services installed on one computer");
        Assert.Equal("WS01", alert.GetProperty("rulegen.correlation.group").GetProperty("Computer").GetString());
        Assert.Equal("2024-05-01T10:00:00.000Z", alert.GetProperty("kibana.alert.original_time").GetString());
        Assert.DoesNotContain("without a timestamp", result.Stderr);
    }

    [Fact]
    public void Sigma_rules_carry_their_profiles_time_fields_and_format_as_run_settings()
    {
        var set = _compiled.Run.RuleSet();
        var rule = set.Rules.Single(r => r.Info.Name == "Service Installed");
        var settings = set.RunSettingsOf(rule.Index);
        Assert.NotNull(settings);
        Assert.Equal("sigma", settings.Format);
        Assert.Null(settings.MaxSignals);
        Assert.Equal(new[] { "@timestamp", "Event.System.TimeCreated.#attributes.SystemTime", "TimeCreated_SystemTime", "UtcTime", "Event.EventData.UtcTime" },
            settings.TimeFields);
        var correlation = Assert.Single(set.Correlations);
        Assert.Equal(settings.TimeFields, correlation.TimeFields);
    }
}

using System.Text.Json;
using RuleGen.Tests.Host;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Detection;

/// <summary>
/// End to end: Sigma base rules and correlation rules (event_count, value_count, temporal, temporal_ordered, written
/// from the correlation specification 2.0) compiled from YAML by the generator, run by <c>rulegen scan</c> over NDJSON.
/// </summary>
public sealed class SigmaCorrelationScanTests : IClassFixture<SigmaCorrelationScanTests.Compiled>
{
    /// <summary>The rule folder, compiled once for the class.</summary>
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

    private static string Base(string title, string name, int eventId) => $"""
        title: {title}
        id: {Guid.NewGuid()}
        name: {name}
        logsource:
            product: windows
            service: security
        detection:
            selection:
                EventID: {eventId}
            condition: selection
        level: low
        """;

    private static readonly (string Path, string Text)[] Files =
    [
        // A correlation chain with its base rules in one multi-document file: many failed logins (event_count, used
        // only by the next one) followed by a successful login of the same account (temporal_ordered).
        ("/rules/brute_force.yml", $"""
            title: Brute force followed by success
            id: d0000000-0000-4000-8000-000000000001
            correlation:
                type: temporal_ordered
                rules:
                    - many_failed
                    - successful_login
                group-by:
                    - TargetUserName
                timespan: 30m
            level: critical
            ---
            title: Many failed logins for one account
            id: d0000000-0000-4000-8000-000000000002
            name: many_failed
            correlation:
                type: event_count
                rules:
                    - failed_login
                group-by:
                    - TargetUserName
                timespan: 10m
                condition:
                    gte: 3
            level: medium
            ---
            {Base("Failed login", "failed_login", 4625)}
            ---
            {Base("Successful login", "successful_login", 4624)}
            """),
        ("/rules/failed_burst.yml", """
            title: Failed login burst from one address
            id: d0000000-0000-4000-8000-000000000003
            correlation:
                type: event_count
                rules:
                    - failed_login
                group-by:
                    - IpAddress
                timespan: 5m
                condition:
                    gte: 4
            level: high
            """),
        ("/rules/share_sweep.yml", $"""
            title: Share sweep
            id: d0000000-0000-4000-8000-000000000004
            correlation:
                type: value_count
                rules:
                    - share_access
                group-by:
                    - IpAddress
                timespan: 1h
                condition:
                    field: ShareName
                    gte: 3
                generate: true
            level: high
            ---
            {Base("Network share accessed", "share_access", 5140)}
            """),
        ("/rules/privileged_enumeration.yml", $"""
            title: Privileged logon and group enumeration
            id: d0000000-0000-4000-8000-000000000005
            correlation:
                type: temporal
                rules:
                    - special_logon
                    - group_enumeration
                group-by:
                    - SubjectUserName
                timespan: 5m
            level: high
            ---
            {Base("Special privileges logon", "special_logon", 4672)}
            ---
            {Base("Group membership enumerated", "group_enumeration", 4799)}
            """),
        ("/rules/audit_cleared.yml", Base("Audit log cleared", "audit_cleared", 1102)),
    ];

    private static string Event(string time, int eventId, string fields) =>
        $$"""{"@timestamp":"2026-03-01T{{time}}Z","Channel":"Security","EventID":{{eventId}},{{fields}}}""";

    private static readonly string[] Events =
    [
        Event("10:00:00", 4625, "\"TargetUserName\":\"alice\",\"IpAddress\":\"10.0.0.5\""),   // 1
        Event("10:01:00", 4625, "\"TargetUserName\":\"alice\",\"IpAddress\":\"10.0.0.5\""),   // 2
        Event("10:02:00", 4625, "\"TargetUserName\":\"alice\",\"IpAddress\":\"10.0.0.5\""),   // 3: alice has 3 failures
        Event("10:02:30", 4625, "\"TargetUserName\":\"bob\",\"IpAddress\":\"10.0.0.5\""),     // 4: 10.0.0.5 has 4
        Event("10:05:00", 4624, "\"TargetUserName\":\"alice\",\"IpAddress\":\"10.0.0.5\""),   // 5: alice succeeds after
        Event("10:06:00", 4624, "\"TargetUserName\":\"bob\",\"IpAddress\":\"10.0.0.5\""),     // 6: bob had one failure
        Event("10:10:00", 5140, "\"IpAddress\":\"10.0.0.7\",\"ShareName\":\"\\\\\\\\*\\\\C$\""),      // 7
        Event("10:11:00", 5140, "\"IpAddress\":\"10.0.0.7\",\"ShareName\":\"\\\\\\\\*\\\\ADMIN$\""),  // 8
        Event("10:12:00", 5140, "\"IpAddress\":\"10.0.0.7\",\"ShareName\":\"\\\\\\\\*\\\\ADMIN$\""),  // 9: the same share again
        Event("10:13:00", 5140, "\"IpAddress\":\"10.0.0.7\",\"ShareName\":\"\\\\\\\\*\\\\IPC$\""),    // 10: third distinct share
        Event("10:20:00", 4799, "\"SubjectUserName\":\"carol\""),                                    // 11
        Event("10:22:00", 4672, "\"SubjectUserName\":\"carol\""),                                    // 12: both, any order
        Event("10:30:00", 4672, "\"SubjectUserName\":\"dave\""),                                     // 13: only one rule
        Event("10:40:00", 1102, "\"SubjectUserName\":\"mallory\""),                                  // 14
        Event("11:00:00", 4688, "\"SubjectUserName\":\"nobody\""),                                   // 15: matches nothing
    ];

    private readonly Compiled _compiled;

    public SigmaCorrelationScanTests(Compiled compiled) => _compiled = compiled;

    private HostResult Scan(string path, params string[] options) =>
        HostHarness.Run(["scan", "--no-progress", .. options, path], rules: _compiled.Run.RuleSet());

    private static string Name(JsonElement alert) => alert.GetProperty("kibana.alert.rule.name").GetString()!;

    private static long[] Lines(JsonElement correlationAlert) =>
        correlationAlert.GetProperty("rulegen.correlation.events").EnumerateArray().Select(e => e.GetProperty("rulegen.input.line").GetInt64()).ToArray();

    [Fact]
    public void Correlations_compiled_from_yaml_alert_over_the_base_rules_matches_in_a_scan()
    {
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("security.ndjson", string.Join("\n", Events) + "\n");
        var result = Scan(input);
        Assert.Equal(0, result.ExitCode);
        var alerts = result.Alerts;

        // event_count: the fourth failure from 10.0.0.5 within 5 minutes.
        var burst = Assert.Single(alerts, a => Name(a) == "Failed login burst from one address");
        Assert.Equal("event_count", burst.GetProperty("rulegen.correlation.type").GetString());
        Assert.Equal("10.0.0.5", burst.GetProperty("rulegen.correlation.group").GetProperty("IpAddress").GetString());
        Assert.Equal(4, burst.GetProperty("rulegen.correlation.count").GetInt64());
        Assert.Equal(new long[] { 1, 2, 3, 4 }, Lines(burst));
        Assert.Equal("high", burst.GetProperty("kibana.alert.severity").GetString());

        // temporal_ordered over a correlation: alice's three failures, then her success (bob's success follows one failure).
        var brute = Assert.Single(alerts, a => Name(a) == "Brute force followed by success");
        Assert.Equal("temporal_ordered", brute.GetProperty("rulegen.correlation.type").GetString());
        Assert.Equal("alice", brute.GetProperty("rulegen.correlation.group").GetProperty("TargetUserName").GetString());
        Assert.Equal("critical", brute.GetProperty("kibana.alert.severity").GetString());
        // The chained event_count is used by the temporal_ordered one without generate: no alert of its own.
        Assert.DoesNotContain(alerts, a => Name(a) == "Many failed logins for one account");

        // value_count: three distinct shares from 10.0.0.7 (the repeated one counts once).
        var sweep = Assert.Single(alerts, a => Name(a) == "Share sweep");
        Assert.Equal("value_count", sweep.GetProperty("rulegen.correlation.type").GetString());
        Assert.Equal(3, sweep.GetProperty("rulegen.correlation.count").GetInt64());
        // Its events: one per distinct value, the latest occurrence (line 9 stands for ADMIN$).
        Assert.Equal(new long[] { 7, 9, 10 }, Lines(sweep));
        Assert.Equal(3, sweep.GetProperty("rulegen.correlation.values").GetArrayLength());

        // temporal: both rules for carol within 5 minutes, in either order; dave only has one.
        var enumeration = Assert.Single(alerts, a => Name(a) == "Privileged logon and group enumeration");
        Assert.Equal("temporal", enumeration.GetProperty("rulegen.correlation.type").GetString());
        Assert.Equal("carol", enumeration.GetProperty("rulegen.correlation.group").GetProperty("SubjectUserName").GetString());
        Assert.Equal(new long[] { 11, 12 }, Lines(enumeration));

        // Base rules: only correlations use them (generate: false) -> no alerts of their own; the share rule's
        // correlation says generate: true -> it alerts on each event too; a rule no correlation names alerts as usual.
        foreach (var silent in new[] { "Failed login", "Successful login", "Special privileges logon", "Group membership enumerated" })
            Assert.DoesNotContain(alerts, a => Name(a) == silent);
        Assert.Equal(new long[] { 7, 8, 9, 10 }, alerts.Where(a => Name(a) == "Network share accessed").Select(a => a.GetProperty("rulegen.input.line").GetInt64()).Order());
        Assert.Equal(14, Assert.Single(alerts, a => Name(a) == "Audit log cleared").GetProperty("rulegen.input.line").GetInt64());
        Assert.Equal(9, alerts.Count);
        // The summary counts correlation alerts under the correlation.
        Assert.Contains("Share sweep (d0000000-0000-4000-8000-000000000004)", result.Stderr);
    }

    [Fact]
    public void The_same_input_gives_byte_identical_alerts_every_time_and_on_any_number_of_threads()
    {
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("security.ndjson", string.Join("\n", Events) + "\n");
        var first = Scan(input, "--threads", "1");
        var second = Scan(input, "--threads", "1");
        var parallel = Scan(input, "--threads", "3");
        Assert.Equal(9, first.Alerts.Count);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.Equal(first.Stdout, parallel.Stdout);
    }
}

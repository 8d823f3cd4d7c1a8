using Microsoft.CodeAnalysis;
using RuleGen.Generator.RuleFormats.Sigma;
using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>
/// Sigma correlation rules compiled from YAML into the rule set's <c>Correlations</c>: references resolved by id or
/// name to rule indexes (or other correlations), aliases per rule, fields through the folder's field profile, the
/// timespan and condition; bad correlations are located diagnostics and the other rules still compile.
/// </summary>
public sealed class SigmaCorrelationTests
{
    private static string Base(string title, string id, string name, string eventId, string product = "windows", string service = "security") => $"""
        title: {title}
        id: {id}
        name: {name}
        logsource:
            product: {product}
            service: {service}
        detection:
            selection:
                EventID: {eventId}
            condition: selection
        level: low
        """;

    private const string FailedId = "a1a1a1a1-0000-4000-8000-000000000001";
    private const string SuccessId = "a1a1a1a1-0000-4000-8000-000000000002";

    /// <summary>A correlation and its base rules in one multi-document file, plus correlations in other files.</summary>
    private static (string Path, string Text)[] Folder() =>
    [
        ("/rules/logins.yml", $"""
            title: Brute force then success
            id: c0000000-0000-4000-8000-000000000001
            correlation:
                type: temporal_ordered
                rules:
                    - many_failed
                    - successful_login
                group-by:
                    - User
                timespan: 1h
            level: critical
            ---
            title: Many failed logins
            id: c0000000-0000-4000-8000-000000000002
            name: many_failed
            correlation:
                type: event_count
                rules:
                    - failed_login
                group-by:
                    - User
                timespan: 10m
                condition:
                    gte: 5
                    lt: 100
            level: medium
            ---
            {Base("Failed login", FailedId, "failed_login", "4625")}
            ---
            {Base("Successful login", SuccessId, "successful_login", "4624")}
            """),
        ("/rules/spray.yml", $"""
            title: Password spray
            id: c0000000-0000-4000-8000-000000000003
            correlation:
                type: value_count
                rules:
                    - {FailedId}
                group-by:
                    - IpAddress
                timespan: 2d
                condition:
                    field: TargetUserName
                    gte: 3
                generate: true
            level: high
            """),
        ("/rules/lateral.yml", """
            title: Same address both ways
            id: c0000000-0000-4000-8000-000000000004
            correlation:
                type: temporal
                rules:
                    - failed_login
                    - successful_login
                group-by:
                    - address
                timespan: 30s
                aliases:
                    address:
                        failed_login: IpAddress
                        successful_login: WorkstationName
            level: high
            """),
    ];

    [Fact]
    public void Correlations_are_emitted_with_references_resolved_to_rule_indexes_and_fields_through_the_profile()
    {
        using var run = GeneratorHarness.Run(Folder(), new Dictionary<string, string> { ["build_property.RuleGenSigmaProfile"] = "ecs" });
        Assert.True(run.Assembly is not null, string.Join("\n", run.CompileDiagnostics));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        var set = run.RuleSet();
        int IndexOf(string name) => set.Rules.Single(r => r.Info.Name == name).Index;
        var failed = IndexOf("Failed login");
        var success = IndexOf("Successful login");
        Assert.Equal(2, set.Rules.Count);

        // Ordered by file path, then id: lateral.yml, logins.yml (two), spray.yml.
        Assert.Equal(new[] { "Same address both ways", "Brute force then success", "Many failed logins", "Password spray" }, set.Correlations.Select(c => c.Info.Name));
        var lateral = set.Correlations[0];
        var chain = set.Correlations[1];
        var many = set.Correlations[2];
        var spray = set.Correlations[3];

        // event_count by Sigma name; User maps to user.name for a Windows rule under the ECS profile; a range condition.
        Assert.Equal(CorrelationType.EventCount, many.Type);
        var source = Assert.Single(many.Sources);
        Assert.Equal(("failed_login", failed, -1), (source.Reference, source.RuleIndex, source.CorrelationIndex));
        Assert.Equal(new[] { "user.name" }, source.GroupByFields);
        Assert.Equal(new[] { "User" }, many.GroupBy);
        Assert.Equal(10 * 60 * 1_000_000_000L, many.TimespanNanos);
        Assert.Equal(new[] { new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 5), new CorrelationCriterion(CorrelationOperator.LessThan, 100) }, many.Condition);
        Assert.False(many.Generate);
        Assert.Equal("medium", many.Info.Severity);
        Assert.Equal("c0000000-0000-4000-8000-000000000002", many.Info.Id);

        // temporal_ordered over another correlation (by name) and a rule; the correlation source keeps the group-by entry.
        Assert.Equal(CorrelationType.TemporalOrdered, chain.Type);
        Assert.Equal(("many_failed", -1, 2), (chain.Sources[0].Reference, chain.Sources[0].RuleIndex, chain.Sources[0].CorrelationIndex));
        Assert.Equal(new[] { "User" }, chain.Sources[0].GroupByFields);
        Assert.Equal((success, -1), (chain.Sources[1].RuleIndex, chain.Sources[1].CorrelationIndex));
        Assert.Equal(new[] { "user.name" }, chain.Sources[1].GroupByFields);
        Assert.Empty(chain.Condition);
        Assert.Equal(3600L * 1_000_000_000L, chain.TimespanNanos);

        // value_count by id: the counted field and the group-by field are mapped too; generate: true; days.
        Assert.Equal(CorrelationType.ValueCount, spray.Type);
        Assert.Equal((FailedId, failed), (spray.Sources[0].Reference, spray.Sources[0].RuleIndex));
        Assert.Equal(new[] { "source.ip" }, spray.Sources[0].GroupByFields);
        Assert.Equal("winlog.event_data.TargetUserName", spray.Sources[0].ValueField);
        Assert.True(spray.Generate);
        Assert.Equal(2 * 86400L * 1_000_000_000L, spray.TimespanNanos);

        // temporal with an alias resolved per rule (then mapped: IpAddress is source.ip, WorkstationName source.domain).
        Assert.Equal(CorrelationType.Temporal, lateral.Type);
        Assert.Equal(new[] { "source.ip" }, lateral.Sources[0].GroupByFields);
        Assert.Equal(new[] { "source.domain" }, lateral.Sources[1].GroupByFields);
        Assert.Equal(new[] { "address" }, lateral.GroupBy);
        Assert.Equal(30L * 1_000_000_000L, lateral.TimespanNanos);
    }

    [Fact]
    public void The_flat_profile_keeps_the_fields_as_written()
    {
        using var run = GeneratorHarness.Run(Folder());
        var spray = run.RuleSet().Correlations.Single(c => c.Info.Name == "Password spray");
        Assert.Equal(new[] { "IpAddress" }, spray.Sources[0].GroupByFields);
        Assert.Equal("TargetUserName", spray.Sources[0].ValueField);
    }

    [Fact]
    public void A_rule_set_without_correlations_has_none()
    {
        using var run = GeneratorHarness.Run(("/rules/a.yml", Base("Failed login", FailedId, "failed_login", "4625")));
        Assert.Empty(run.RuleSet().Correlations);
        Assert.DoesNotContain("Correlations", run.Sources.Single(s => s.Key == "RuleSet.g.cs").Value);
    }

    private static (int Line, int Column) Position(Diagnostic d)
    {
        var start = d.Location.GetLineSpan().StartLinePosition;
        return (start.Line + 1, start.Character + 1);
    }

    private static string Correlation(string title, string body) => $"title: {title}\nid: {Guid.NewGuid()}\ncorrelation:\n{body}level: high\n";

    [Fact]
    public void Bad_correlations_are_located_diagnostics_and_are_not_compiled_while_the_other_rules_are()
    {
        var files = new (string Path, string Text)[]
        {
            ("/rules/base.yml", Base("Failed login", FailedId, "failed_login", "4625")),
            ("/rules/good.yml", Correlation("Good", "    type: event_count\n    rules: [failed_login]\n    group-by: [User]\n    timespan: 5m\n    condition:\n        gte: 2\n")),
            ("/rules/unknown.yml", Correlation("Unknown Rule", "    type: event_count\n    rules:\n        - failed_login\n        - no_such_rule\n    timespan: 5m\n    condition:\n        gte: 2\n")),
            ("/rules/timespan.yml", Correlation("Bad Timespan", "    type: event_count\n    rules: [failed_login]\n    timespan: 5 minutes\n    condition:\n        gte: 2\n")),
            ("/rules/operator.yml", Correlation("Bad Operator", "    type: event_count\n    rules: [failed_login]\n    timespan: 5m\n    condition:\n        over: 2\n")),
            ("/rules/max.yml", Correlation("Maximum", "    type: value_max\n    rules: [failed_login]\n    timespan: 5m\n    condition:\n        field: Bytes\n        gte: 2\n")),
            ("/rules/nofield.yml", Correlation("No Field", "    type: value_sum\n    rules: [failed_login]\n    timespan: 5m\n    condition:\n        gte: 2\n")),
            ("/rules/norank.yml", Correlation("No Rank", "    type: value_percentile\n    rules: [failed_login]\n    timespan: 5m\n    condition:\n        field: Bytes\n        gte: 2\n")),
            ("/rules/badrank.yml", Correlation("Bad Rank", "    type: value_percentile\n    rules: [failed_login]\n    timespan: 5m\n    condition:\n        field: Bytes\n        percentile: 150\n        gte: 2\n")),
            ("/rules/fraction.yml", Correlation("Fraction Count", "    type: event_count\n    rules: [failed_login]\n    timespan: 5m\n    condition:\n        gte: 2.5\n")),
            ("/rules/cycle.yml", Correlation("Self", "    type: event_count\n    rules: [self_count]\n    timespan: 5m\n    condition:\n        gte: 2\n").Replace("correlation:", "name: self_count\ncorrelation:")),
        };
        using var run = GeneratorHarness.Run(files, null);
        Assert.True(run.Assembly is not null, string.Join("\n", run.CompileDiagnostics));
        Diagnostic One(string id, string path)
        {
            var d = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id && d.Location.GetLineSpan().Path == path);
            return d;
        }

        var unknown = One("RG0219", "/rules/unknown.yml");
        Assert.Equal(DiagnosticSeverity.Error, unknown.Severity);
        Assert.Equal((7, 11), Position(unknown));
        Assert.Contains("'no_such_rule'", unknown.GetMessage());

        var timespan = One("RG0220", "/rules/timespan.yml");
        Assert.Equal((6, 15), Position(timespan));
        Assert.Contains("5 minutes", timespan.GetMessage());

        var op = One("RG0221", "/rules/operator.yml");
        Assert.Equal((8, 9), Position(op));
        Assert.Contains("'over'", op.GetMessage());

        var max = One("RG0222", "/rules/max.yml");
        Assert.Equal(DiagnosticSeverity.Warning, max.Severity);
        Assert.Equal((4, 11), Position(max));
        Assert.Contains("value_max is not supported yet", max.GetMessage());

        // The metric types need the numeric field, value_percentile its percentile (0 to 100); counts stay whole.
        Assert.Contains("'field': the numeric field it aggregates", One("RG0218", "/rules/nofield.yml").GetMessage());
        Assert.Contains("needs 'percentile'", One("RG0218", "/rules/norank.yml").GetMessage());
        var rank = One("RG0218", "/rules/badrank.yml");
        Assert.Equal((9, 21), Position(rank));
        Assert.Contains("from 0 to 100", rank.GetMessage());
        Assert.Contains("needs a whole number", One("RG0218", "/rules/fraction.yml").GetMessage());

        var cycle = One("RG0219", "/rules/cycle.yml");
        Assert.Contains("its own results", cycle.GetMessage());

        // Only the good correlation is emitted; the base rule compiles.
        var set = run.RuleSet();
        Assert.Equal("Good", Assert.Single(set.Correlations).Info.Name);
        Assert.Single(set.Rules, r => r.Info.Name == "Failed login");
    }

    [Fact]
    public void Metric_correlations_are_emitted_with_their_field_percentile_and_fractional_thresholds()
    {
        var files = new (string Path, string Text)[]
        {
            ("/rules/base.yml", Base("Failed login", FailedId, "failed_login", "4625")),
            ("/rules/sum.yml", Correlation("Summed", "    type: value_sum\n    rules: [failed_login]\n    group-by: [IpAddress]\n    timespan: 5m\n    condition:\n        field: Bytes\n        gte: 1e6\n")),
            ("/rules/avg.yml", Correlation("Averaged", "    type: value_avg\n    rules: [failed_login]\n    timespan: 1h\n    condition:\n        field: Bytes\n        gt: 2.5\n        lte: 10\n")),
            ("/rules/p95.yml", Correlation("P95", "    type: value_percentile\n    rules: [failed_login]\n    timespan: 1h\n    condition:\n        field: Bytes\n        percentile: 95\n        lt: 7\n")),
            ("/rules/median.yml", Correlation("Median", "    type: value_median\n    rules: [failed_login]\n    timespan: 1h\n    condition:\n        field: Bytes\n        eq: -3\n")),
        };
        using var run = GeneratorHarness.Run(files, null);
        Assert.True(run.Assembly is not null, string.Join("\n", run.CompileDiagnostics));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        var byName = run.RuleSet().Correlations.ToDictionary(c => c.Info.Name);

        var sum = byName["Summed"];
        Assert.Equal(CorrelationType.ValueSum, sum.Type);
        Assert.Equal("Bytes", Assert.Single(sum.Sources).ValueField);
        Assert.Equal(new CorrelationCriterion(CorrelationOperator.GreaterThanOrEqual, 1e6), Assert.Single(sum.Condition));
        Assert.True(sum.IsMetric);

        var avg = byName["Averaged"];
        Assert.Equal(CorrelationType.ValueAverage, avg.Type);
        Assert.Equal(new[] { new CorrelationCriterion(CorrelationOperator.GreaterThan, 2.5), new CorrelationCriterion(CorrelationOperator.LessThanOrEqual, 10) }, avg.Condition);

        Assert.Equal((CorrelationType.ValuePercentile, 95.0), (byName["P95"].Type, byName["P95"].Percentile));
        Assert.Equal((CorrelationType.ValueMedian, 50.0), (byName["Median"].Type, byName["Median"].Percentile));
        Assert.Equal(-3, Assert.Single(byName["Median"].Condition).Value);

        // The rule set's code says what each compares.
        var code = run.Sources.Single(s => s.Key.StartsWith("RuleSet", StringComparison.Ordinal)).Value;
        Assert.Contains("value_percentile within 3600 s when percentile 95 of Bytes is lt 7", code);
        Assert.Contains("value_sum within 300 s when the sum of Bytes is gte 1000000", code);
    }

    [Fact]
    public void A_correlation_resolves_only_within_its_rule_set()
    {
        var files = new (string Path, string Text)[]
        {
            ("/a/base.yml", Base("Failed login", FailedId, "failed_login", "4625")),
            ("/b/count.yml", Correlation("Other Set", "    type: event_count\n    rules: [failed_login]\n    timespan: 5m\n    condition:\n        gte: 2\n")),
        };
        var perFile = new Dictionary<string, Dictionary<string, string>> { ["/b/count.yml"] = new() { ["build_metadata.AdditionalFiles.RuleGenRuleSet"] = "Other" } };
        using var run = GeneratorHarness.Run(files, null, perFile);
        var d = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0219");
        Assert.Contains("rule set Other", d.GetMessage());
        Assert.Empty(run.RuleSet().Correlations);
    }

    [Theory]
    [InlineData("30s", 30L)]
    [InlineData("15m", 900L)]
    [InlineData("2h", 7200L)]
    [InlineData("7d", 604800L)]
    public void Timespans_are_a_number_and_a_unit(string text, long seconds)
    {
        Assert.True(SigmaCorrelationReader.TryParseTimespan(text, out var nanos));
        Assert.Equal(seconds * 1_000_000_000L, nanos);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("0m")]
    [InlineData("5M")]
    [InlineData("1w")]
    [InlineData("-5m")]
    [InlineData("1.5h")]
    public void Other_timespans_are_rejected(string text) => Assert.False(SigmaCorrelationReader.TryParseTimespan(text, out _));
}

namespace RuleGen.Tests.Elastic;

/// <summary>new_terms, threshold and threat_match rules compile their per-event query and carry their settings.</summary>
public sealed class RuleTypeSettingsTests
{
    [Fact]
    public void New_terms_rules_compile_and_expose_fields_and_window()
    {
        using var run = ElasticRuleFixture.CompileOk("event.category:process", """
            [rule.new_terms]
            field = "new_terms_fields"
            value = ["host.id", "user.name"]
            [[rule.new_terms.history_window_start]]
            field = "history_window_start"
            value = "now-10d"
            """, type: "new_terms");
        var settings = run.SingleRule().Info.Elastic!.NewTerms!;
        Assert.Equal(new[] { "host.id", "user.name" }, settings.Fields);
        Assert.Equal("now-10d", settings.HistoryWindowStart);
        Assert.Equal(TimeSpan.FromDays(10), settings.HistoryWindow);
        Assert.True(run.Matches("""{"event":{"category":"process"}}"""));
    }

    [Fact]
    public void Threshold_rules_compile_and_expose_groups_value_and_cardinality()
    {
        using var run = ElasticRuleFixture.CompileOk("event.outcome:failure", """
            [rule.threshold]
            field = ["source.ip"]
            value = 25
            [[rule.threshold.cardinality]]
            field = "user.name"
            value = 5
            """, type: "threshold");
        var threshold = run.SingleRule().Info.Elastic!.Threshold!;
        Assert.Equal(new[] { "source.ip" }, threshold.Fields);
        Assert.Equal(25, threshold.Value);
        var cardinality = Assert.Single(threshold.Cardinality);
        Assert.Equal(("user.name", 5L), (cardinality.Field, cardinality.Value));
    }

    [Fact]
    public void Threat_match_rules_compile_and_expose_the_indicator_mapping()
    {
        using var run = ElasticRuleFixture.CompileOk("source.ip:*", """
            threat_index = ["logs-ti_*"]
            threat_indicator_path = "threat.indicator"
            threat_language = "kuery"
            threat_query = "threat.indicator.ip:*"
            [[rule.threat_mapping]]
            [[rule.threat_mapping.entries]]
            field = "source.ip"
            type = "mapping"
            value = "threat.indicator.ip"
            [[rule.threat_filters]]
            [rule.threat_filters.query.match_phrase]
            "event.kind" = "enrichment"
            """, type: "threat_match");
        var threat = run.SingleRule().Info.Elastic!.ThreatMatch!;
        var entry = Assert.Single(Assert.Single(threat.Mappings).Entries);
        Assert.Equal(("source.ip", "mapping", "threat.indicator.ip"), (entry.Field, entry.Type, entry.Value));
        Assert.Equal(new[] { "logs-ti_*" }, threat.Index);
        Assert.Equal("threat.indicator.ip:*", threat.Query);
        Assert.Contains("enrichment", Assert.Single(threat.FiltersJson));
    }

    [Fact]
    public void Alert_shaping_settings_are_typed()
    {
        using var run = ElasticRuleFixture.CompileOk("event.kind:alert", """
            rule_name_override = "message"
            [alert_suppression]
            group_by = ["host.name"]
            missing_fields_strategy = "suppress"
            [alert_suppression.duration]
            value = 5
            unit = "m"
            [[severity_mapping]]
            field = "event.severity"
            operator = "equals"
            severity = "high"
            value = "73"
            [[risk_score_mapping]]
            field = "event.risk_score"
            operator = "equals"
            value = ""
            [investigation_fields]
            field_names = ["host.name", "user.name"]
            """.Replace("[alert_suppression", "[rule.alert_suppression").Replace("[[severity_mapping", "[[rule.severity_mapping")
               .Replace("[[risk_score_mapping", "[[rule.risk_score_mapping").Replace("[investigation_fields", "[rule.investigation_fields"));
        var elastic = run.SingleRule().Info.Elastic!;
        Assert.Equal("message", elastic.RuleNameOverride);
        Assert.Equal(new[] { "host.name" }, elastic.AlertSuppression!.GroupBy);
        Assert.Equal(TimeSpan.FromMinutes(5), elastic.AlertSuppression.Duration);
        Assert.Equal("suppress", elastic.AlertSuppression.MissingFieldsStrategy);
        Assert.Equal("high", Assert.Single(elastic.SeverityMapping).Severity);
        Assert.Equal("event.risk_score", Assert.Single(elastic.RiskScoreMapping).Field);
        Assert.Equal(new[] { "host.name", "user.name" }, elastic.InvestigationFields);
    }

    [Fact]
    public void A_threshold_rule_without_a_value_is_an_error()
    {
        using var run = ElasticRuleFixture.Compile("event.outcome:failure", """
            [rule.threshold]
            field = ["source.ip"]
            """, type: "threshold");
        Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0105");
        Assert.Empty(run.RuleSet().Rules);
    }

    [Theory]
    [InlineData("machine_learning")]
    [InlineData("esql")]
    public void Machine_learning_and_esql_rules_stay_notes(string type)
    {
        using var run = ElasticRuleFixture.Compile("x", type: type, extraRuleToml: "");
        var note = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0006");
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Info, note.Severity);
    }
}

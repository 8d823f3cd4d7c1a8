using System.Text;
using RuleGen.Generator.Emit;
using RuleGen.Generator.Model;
using RuleGen.Runtime;
using Gen = RuleGen.Generator.Model;

namespace RuleGen.Tests.Emit;

/// <summary>
/// A rule's metadata travels as JSON (<see cref="MetadataEmitter.RuleInfoJson"/>) and is decoded on first use
/// (<see cref="RuleInfoJson"/>): every property the model carries must come back, and nothing may be decoded before
/// someone asks.
/// </summary>
public sealed class RuleInfoJsonTests
{
    private static RuleInfo RoundTrip(RuleMetadata metadata, string path = "rules/x.toml") =>
        RuleInfoJson.Read(Encoding.UTF8.GetBytes(MetadataEmitter.RuleInfoJson(metadata, path)));

    [Fact]
    public void Every_common_property_comes_back()
    {
        var info = RoundTrip(new RuleMetadata
        {
            Format = "elastic", Id = "id-1", Name = "Name \"quoted\" \u2028 é", Description = "line1\nline2", Type = "query",
            Language = "kuery", Query = "a:b", Severity = "high", RiskScore = 73,
            Tags = EquatableArray.Create("t1", "t2"), Authors = EquatableArray.Create("Austin Songer"), License = "Elastic License v2",
            FalsePositives = EquatableArray.Create("fp"), References = EquatableArray.Create("https://x"), Note = "n", Setup = "s",
            Version = 7, Index = EquatableArray.Create("logs-*"), Interval = "5m", From = "now-25m", MaxSignals = 100,
            TimestampOverride = "event.ingested", BuildingBlockType = "default",
            Threat = EquatableArray.Create(new Gen.ThreatMapping("MITRE ATT&CK", new Gen.MitreEntry("TA0006", "Credential Access", "u1"),
                EquatableArray.Create(new Gen.MitreTechnique(new Gen.MitreEntry("T1040", "Network Sniffing", "u2"), EquatableArray.Create(new Gen.MitreEntry("T1040.001", "Sub", "u3")))))),
            FileMetadata = EquatableArray.Create(new MetadataEntry("maturity", "\"production\""), new MetadataEntry("integration", "[\"azure\", 1]")),
            Properties = EquatableArray.Create(new MetadataEntry("nested", "{\"a\": {\"b\": null}}")),
        });
        Assert.Equal(("id-1", "Name \"quoted\" \u2028 é", "line1\nline2", "elastic", "query", "kuery", "a:b"),
            (info.Id, info.Name, info.Description, info.Format, info.Type, info.Language, info.Query));
        Assert.Equal(("rules/x.toml", "high", 73, "Elastic License v2", "n", "s", 7),
            (info.SourceFile, info.Severity, info.RiskScore, info.License, info.Note, info.Setup, info.Version));
        Assert.Equal(["t1", "t2"], info.Tags);
        Assert.Equal(["Austin Songer"], info.Authors);
        Assert.Equal(["fp"], info.FalsePositives);
        Assert.Equal(["https://x"], info.References);
        Assert.Equal(["logs-*"], info.Index);
        Assert.Equal(("5m", "now-25m", (int?)100, "event.ingested", "default"), (info.Interval, info.From, info.MaxSignals, info.TimestampOverride, info.BuildingBlockType));
        var threat = Assert.Single(info.Threat);
        Assert.Equal(new RuleGen.Runtime.MitreEntry("TA0006", "Credential Access", "u1"), threat.Tactic);
        var technique = Assert.Single(threat.Techniques);
        Assert.Equal("T1040", technique.Technique.Id);
        Assert.Equal("T1040.001", Assert.Single(technique.Subtechniques).Id);
        // JSON values keep their text as written.
        Assert.Equal("\"production\"", info.FileMetadata["maturity"]);
        Assert.Equal("[\"azure\", 1]", info.FileMetadata["integration"]);
        Assert.Equal("{\"a\": {\"b\": null}}", info.Properties["nested"]);
        Assert.Null(info.Sigma);
        Assert.Null(info.Elastic);
    }

    [Fact]
    public void Unset_optional_values_are_null_and_lists_empty()
    {
        var info = RoundTrip(new RuleMetadata { Format = "sigma", Id = "i", Name = "n", Type = "sigma", Language = "sigma" });
        Assert.Null(info.Query);
        Assert.Null(info.Version);
        Assert.Null(info.MaxSignals);
        Assert.Empty(info.Tags);
        Assert.Empty(info.Threat);
        Assert.Empty(info.FileMetadata);
        Assert.Empty(info.Properties);
    }

    [Fact]
    public void An_unpaired_surrogate_in_a_rule_file_becomes_the_replacement_character()
    {
        var json = MetadataEmitter.RuleInfoJson(new RuleMetadata { Format = "sigma", Id = "i", Name = "a\ud800b", Type = "sigma", Language = "sigma" }, "x.yml");
        Assert.Equal("a\ufffdb", RuleInfoJson.Read(Encoding.UTF8.GetBytes(json)).Name);
    }

    [Fact]
    public void Sigma_metadata_comes_back()
    {
        var info = RoundTrip(new RuleMetadata
        {
            Format = "sigma", Id = "i", Name = "n", Type = "sigma", Language = "sigma",
            Sigma = new SigmaRuleMetadata("test", "informational", "2024-01-01", "2024-02-02", "windows", "process_creation", "sysmon", "def",
                EquatableArray.Create("CommandLine"), EquatableArray.Create(new SigmaRelated("other", "derived")), "flat"),
        });
        var sigma = info.Sigma!;
        Assert.Equal(("test", "informational", "2024-01-01", "2024-02-02", "flat"), (sigma.Status, sigma.Level, sigma.Date, sigma.Modified, sigma.Profile));
        Assert.Equal(new SigmaLogsource("windows", "process_creation", "sysmon", "def"), sigma.Logsource);
        Assert.Equal(["CommandLine"], sigma.Fields);
        Assert.Equal(new SigmaRelatedRule("other", "derived"), Assert.Single(sigma.Related));
    }

    [Fact]
    public void Elastic_rule_type_settings_come_back()
    {
        var info = RoundTrip(new RuleMetadata
        {
            Format = "elastic", Id = "i", Name = "n", Type = "threshold", Language = "kuery",
            Elastic = new ElasticRuleDetails
            {
                NewTerms = new Gen.NewTermsSettings(EquatableArray.Create("user.name"), "now-7d"),
                Threshold = new Gen.ThresholdSettings(EquatableArray.Create("host.name"), 25, EquatableArray.Create(new ThresholdCardinalityEntry("user.name", 3))),
                ThreatMatch = new Gen.ThreatMatchSettings(EquatableArray.Create(new Gen.ThreatMappingGroup(EquatableArray.Create(new Gen.ThreatMappingEntry("source.ip", "mapping", "threat.indicator.ip")))),
                    EquatableArray.Create("logs-ti_*"), "x:y", "kuery", "threat.indicator", EquatableArray.Create("{}")),
                AlertSuppression = new Gen.AlertSuppressionSettings(EquatableArray.Create("host.name"), 5, "m", "suppress"),
                SeverityMapping = EquatableArray.Create(new SeverityMappingEntry("f", "equals", "v", "critical")),
                RiskScoreMapping = EquatableArray.Create(new RiskScoreMappingEntry("r", "equals", "", null)),
                RuleNameOverride = "message",
                InvestigationFields = EquatableArray.Create("user.name"),
                FiltersJson = EquatableArray.Create("{\"query\":{}}"),
                ExceptionsList = EquatableArray.Create(new Gen.ExceptionListReference("e", "l", "single", "detection")),
                Enabled = false,
            },
        });
        var e = info.Elastic!;
        Assert.Equal(["user.name"], e.NewTerms!.Fields);
        Assert.Equal(TimeSpan.FromDays(7), e.NewTerms.HistoryWindow);
        Assert.Equal(25, e.Threshold!.Value);
        Assert.Equal(new ThresholdCardinality("user.name", 3), Assert.Single(e.Threshold.Cardinality));
        Assert.Equal(new RuleGen.Runtime.ThreatMappingEntry("source.ip", "mapping", "threat.indicator.ip"), Assert.Single(Assert.Single(e.ThreatMatch!.Mappings).Entries));
        Assert.Equal(("x:y", "kuery", "threat.indicator"), (e.ThreatMatch.Query, e.ThreatMatch.Language, e.ThreatMatch.IndicatorPath));
        Assert.Equal(TimeSpan.FromMinutes(5), e.AlertSuppression!.Duration);
        Assert.Equal(["host.name"], e.AlertSuppression.GroupBy);
        Assert.Equal("suppress", e.AlertSuppression.MissingFieldsStrategy);
        Assert.Equal(new SeverityMapping("f", "equals", "v", "critical"), Assert.Single(e.SeverityMapping));
        Assert.Null(Assert.Single(e.RiskScoreMapping).RiskScore);
        Assert.Equal("message", e.RuleNameOverride);
        Assert.Equal(["user.name"], e.InvestigationFields);
        Assert.Equal(["{\"query\":{}}"], e.FiltersJson);
        Assert.Equal("single", Assert.Single(e.ExceptionsList).NamespaceType);
        Assert.False(e.Enabled);
    }

    private sealed class CountingDispatch : IRuleDispatch
    {
        public int Loads;

        public RuleInfo InfoOf(int rule)
        {
            Loads++;
            return RoundTrip(new RuleMetadata { Format = "sigma", Id = "rule" + rule, Name = "n", Type = "sigma", Language = "sigma" });
        }

        public bool IsMatch(int rule, ReadOnlySpan<byte> utf8Json, MatchScope scope) => scope == MatchScope.DetectionOnly;
    }

    [Fact]
    public void A_compiled_rules_metadata_is_loaded_once_and_only_when_asked_for()
    {
        var dispatch = new CountingDispatch();
        var rule = new CompiledRule(3, dispatch);
        Assert.Equal(0, dispatch.Loads);
        Assert.Equal("rule3", rule.Info.Id);
        Assert.Equal("rule3", rule.Info.Id);
        Assert.Equal(1, dispatch.Loads);
        Assert.False(rule.IsMatch("{}"u8.ToArray()));
        Assert.True(rule.IsMatch("{}"u8.ToArray(), MatchScope.DetectionOnly));
    }
}

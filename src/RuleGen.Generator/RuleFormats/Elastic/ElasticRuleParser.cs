using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.FieldTypes;
using RuleGen.Generator.Languages.Eql;
using RuleGen.Generator.Languages.Kql;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Toml;

namespace RuleGen.Generator.RuleFormats.Elastic;

/// <summary>
/// Parses an Elastic detection rule file (elastic/detection-rules TOML: <c>[metadata]</c>, <c>[rule]</c>,
/// <c>[[rule.threat]]</c>) into a <see cref="RuleModel"/>: typed metadata, and the query lowered into the shared
/// predicate model where the rule type is compiled. A pure function of the file's path and text.
/// </summary>
public static class ElasticRuleParser
{
    /// <summary>The rule types of the detection engine, and what RuleGen does with each.</summary>
    public static readonly IReadOnlyDictionary<string, string?> RuleTypes = new Dictionary<string, string?>
    {
        ["query"] = null,
        ["eql"] = null,
        ["esql"] = "ES|QL rules run inside Elasticsearch and are not compiled",
        ["machine_learning"] = "machine learning rules read anomaly results from Elasticsearch and are not compiled",
        // The per-event query of these is compiled; their cross-event settings go to RuleInfo.Elastic for the host.
        ["threshold"] = null,
        ["new_terms"] = null,
        ["threat_match"] = null,
        ["saved_query"] = "saved_query rules reference a saved query in Kibana and are not compiled",
    };

    public static RuleModel Parse(string path, string text) => Parse(path, text, FieldTypeOverrides.None);

    /// <summary>Parses a rule file with the user's field-type declarations.</summary>
    public static RuleModel Parse(string path, string text, FieldTypeOverrides fieldTypes)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var root = TomlTreeReader.Read(path, text, diagnostics);
        var metadata = new RuleMetadata { Format = "elastic" };
        Predicate? condition = null;
        SequenceModel? sequence = null;

        // After a TOML syntax error the tree holds whatever the parser recovered: missing or mistyped keys found in it
        // would only be echoes of that error.
        if (diagnostics.Any(d => d.Id == DiagnosticDescriptors.InvalidToml.Id))
            return new RuleModel(path, RuleFormat.Elastic, metadata, null, diagnostics.ToEquatableArray());

        var fileMetadata = root["metadata"] as TomlTableNode;
        var ruleEntry = root.Find("rule");
        if (ruleEntry is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingKey, SourceLocation.FileStart(path), "rule",
                "a [rule] table with name, rule_id, type and query"));
            return new RuleModel(path, RuleFormat.Elastic, metadata, null, diagnostics.ToEquatableArray());
        }
        if (ruleEntry.Value is not TomlTableNode ruleTable)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrongKeyType, ruleEntry.Value.Location, "rule", "a table", ruleEntry.Value.Describe()));
            return new RuleModel(path, RuleFormat.Elastic, metadata, null, diagnostics.ToEquatableArray());
        }

        var rule = new TomlReader(ruleTable, "rule", diagnostics);
        var idLocation = ruleTable.Find("rule_id")?.Value.Location;
        var type = rule.StringNode("type", required: true, hint: "type = \"query\" (or eql, threshold, new_terms, ...) to [rule]");
        var typeName = (string?)type?.Value ?? "";
        metadata = metadata with
        {
            Id = rule.String("rule_id", required: true) ?? "",
            Name = rule.String("name", required: true) ?? "",
            Description = rule.String("description", required: true) ?? "",
            Type = typeName,
            Language = rule.String("language") ?? "",
            Query = rule.String("query"),
            Severity = rule.String("severity", required: true) ?? "",
            RiskScore = rule.Integer("risk_score", required: true) ?? 0,
            Tags = rule.Strings("tags"),
            Authors = rule.Strings("author", required: true),
            License = rule.String("license"),
            FalsePositives = rule.Strings("false_positives"),
            References = rule.Strings("references"),
            Note = rule.String("note"),
            Setup = rule.String("setup"),
            Version = rule.Integer("version"),
            Index = rule.Strings("index"),
            Interval = rule.String("interval"),
            From = rule.String("from"),
            MaxSignals = rule.Integer("max_signals"),
            TimestampOverride = rule.String("timestamp_override"),
            BuildingBlockType = rule.String("building_block_type"),
            Threat = ReadThreat(rule, diagnostics),
            FileMetadata = fileMetadata is null ? EquatableArray<MetadataEntry>.Empty : Entries(fileMetadata, new HashSet<string>()),
            Properties = Entries(ruleTable, TypedKeys),
        };
        metadata = metadata with { Elastic = ElasticRuleSettingsReader.Read(ruleTable, typeName, diagnostics) };

        if (type is not null && !RuleTypes.ContainsKey(typeName))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuleType, type.Location, typeName,
                string.Join(", ", RuleTypes.Keys)));
        }
        else if (type is not null && RuleTypes[typeName] is { } reason)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RuleTypeNotCompiled, type.Location, metadata.Name, reason));
        }
        else if (type is not null && typeName == "eql")
        {
            (condition, sequence) = CompileEql(rule, metadata, diagnostics, fieldTypes);
        }
        else if (type is not null)
        {
            condition = CompileQuery(rule, metadata, typeName, diagnostics, fieldTypes);
        }

        // A rule with an error is not compiled, whatever else succeeded: better no matcher than a wrong one.
        if (diagnostics.Any(d => d.IsError))
        {
            condition = null;
            sequence = null;
        }
        return new RuleModel(path, RuleFormat.Elastic, metadata, condition, diagnostics.ToEquatableArray()) { IdLocation = idLocation, Sequence = sequence };
    }

    private static Predicate? CompileQuery(TomlReader rule, RuleMetadata metadata, string type, List<DiagnosticInfo> diagnostics,
        FieldTypeOverrides fieldTypes)
    {
        var languageNode = rule.StringNode("language", required: true, hint: "language = \"kuery\" to [rule]");
        var queryNode = rule.StringNode("query", required: true, hint: "query = '''...''' to [rule]");
        if (languageNode is null || queryNode is null) return null;
        var language = (string)languageNode.Value;
        if (language != "kuery")
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedLanguage, languageNode.Location, type, language,
                language == "lucene" ? "Lucene query syntax is not compiled; rewrite the query in KQL (language = \"kuery\")" : "use language = \"kuery\""));
            return null;
        }
        var query = (string)queryNode.Value;
        SourceLocation Locate(int start, int length) =>
            queryNode.StringMap?.Locate(start, length) ?? queryNode.Location;
        // Date math's "now" is the event's time: its timestamp_override field when it has one, else @timestamp.
        var clock = metadata.TimestampOverride is { Length: > 0 } timestamp && timestamp != "@timestamp"
            ? new[] { timestamp, "@timestamp" }
            : new[] { "@timestamp" };
        var context = new RuleFieldContext(new FieldTypeResolver(fieldTypes), clock, diagnostics);
        var condition = KqlLowering.Compile(query, Locate, context);
        if (condition is null) return null;
        if (rule.Table.Find("filters") is { } filters)
        {
            // Kibana ANDs the rule's filters with its query.
            var (filter, failed) = KibanaFilters.Compile(filters.Value, context);
            if (failed) return null;
            if (filter is not null) condition = new AndPredicate(EquatableArray.Create(condition, filter));
        }
        return condition;
    }

    /// <summary>
    /// An EQL rule: the query with the fields the rule names around it (event_category_override, timestamp_field,
    /// tiebreaker_field) and its look-back (from), which bounds how long a sequence waits without maxspan.
    /// </summary>
    private static (Predicate? Condition, SequenceModel? Sequence) CompileEql(TomlReader rule, RuleMetadata metadata, List<DiagnosticInfo> diagnostics,
        FieldTypeOverrides fieldTypes)
    {
        var languageNode = rule.StringNode("language", required: true, hint: "language = \"eql\" to [rule]");
        var queryNode = rule.StringNode("query", required: true, hint: "query = '''...''' to [rule]");
        if (languageNode is null || queryNode is null) return (null, null);
        var language = (string)languageNode.Value;
        if (language != "eql")
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedLanguage, languageNode.Location, "eql", language, "use language = \"eql\""));
            return (null, null);
        }
        var lookback = EqlRuleOptions.DefaultLookbackNanos;
        if (metadata.From is { } from && !TryParseLookback(from, out lookback))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValue, rule.Table.Find("from")!.Value.Location, "rule.from",
                "write the look-back as now-<n><unit>, such as \"now-9m\" (units s, m, h, d)"));
            return (null, null);
        }
        var options = EqlRuleOptions.Default with
        {
            CategoryField = rule.String("event_category_override") ?? EqlRuleOptions.Default.CategoryField,
            TimestampField = rule.String("timestamp_field") ?? EqlRuleOptions.Default.TimestampField,
            TiebreakerField = rule.String("tiebreaker_field"),
            LookbackNanos = lookback,
            Types = fieldTypes.IsNone ? ResolvedEqlFieldTypes.BuiltIn : new ResolvedEqlFieldTypes(new FieldTypeResolver(fieldTypes)),
        };
        var query = (string)queryNode.Value;
        SourceLocation Locate(int start, int length) =>
            queryNode.StringMap?.Locate(start, length) ?? queryNode.Location;
        var result = EqlLowering.Compile(query, Locate, diagnostics, options);
        return (result.Condition, result.Sequence);
    }

    /// <summary>Reads Kibana's <c>from</c> (date math such as <c>now-9m</c>) as a look-back duration.</summary>
    public static bool TryParseLookback(string from, out long nanoseconds)
    {
        nanoseconds = 0;
        var text = from.Trim();
        if (!text.StartsWith("now-", System.StringComparison.Ordinal) || text.Length < 6) return false;
        var unit = text[text.Length - 1];
        if (!long.TryParse(text.Substring(4, text.Length - 5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount) || amount <= 0) return false;
        long factor = unit switch
        {
            's' => 1_000_000_000L,
            'm' => 60_000_000_000L,
            'h' => 3_600_000_000_000L,
            'd' => 86_400_000_000_000L,
            _ => 0,
        };
        if (factor == 0 || amount > long.MaxValue / factor) return false;
        nanoseconds = amount * factor;
        return true;
    }

    private static EquatableArray<ThreatMapping> ReadThreat(TomlReader rule, List<DiagnosticInfo> diagnostics)
    {
        var result = new List<ThreatMapping>();
        foreach (var threatTable in rule.Tables("threat"))
        {
            var threat = new TomlReader(threatTable, "rule.threat", diagnostics);
            var tacticTable = threat.TableNode("tactic");
            var tactic = tacticTable is null ? new MitreEntry("", "", "") : Entry(new TomlReader(tacticTable, "rule.threat.tactic", diagnostics));
            var techniques = new List<MitreTechnique>();
            foreach (var techniqueTable in threat.Tables("technique"))
            {
                var technique = new TomlReader(techniqueTable, "rule.threat.technique", diagnostics);
                var subtechniques = technique.Tables("subtechnique")
                    .Select(t => Entry(new TomlReader(t, "rule.threat.technique.subtechnique", diagnostics)));
                techniques.Add(new MitreTechnique(Entry(technique), subtechniques.ToEquatableArray()));
            }
            result.Add(new ThreatMapping(threat.String("framework") ?? "MITRE ATT&CK", tactic, techniques.ToEquatableArray()));
        }
        return result.ToEquatableArray();

        static MitreEntry Entry(TomlReader reader) =>
            new(reader.String("id", required: true) ?? "", reader.String("name", required: true) ?? "", reader.String("reference") ?? "");
    }

    /// <summary>The [rule] keys that have a typed property on RuleInfo (the rest go to Properties).</summary>
    private static readonly HashSet<string> TypedKeys = new()
    {
        "rule_id", "name", "description", "type", "language", "query", "severity", "risk_score", "tags", "author",
        "license", "false_positives", "references", "note", "setup", "version", "index", "interval", "from",
        "max_signals", "timestamp_override", "building_block_type", "threat",
    };
    // (Keys read into RuleMetadata.Elastic stay in Properties too: their raw JSON is what Kibana exports.)

    private static EquatableArray<MetadataEntry> Entries(TomlTableNode table, HashSet<string> exclude) =>
        table.Entries.Where(e => !exclude.Contains(e.Key)).Select(e => new MetadataEntry(e.Key, e.Value.ToJson())).ToEquatableArray();
}

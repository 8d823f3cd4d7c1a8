using System.Collections.Generic;
using System.Linq;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Emit;

/// <summary>Emits a rule's metadata as a <c>RuleInfo</c> object initializer.</summary>
public static class MetadataEmitter
{
    private const string Rt = ConditionEmitter.Rt;

    public static string RuleInfo(RuleMetadata m, string displayPath)
    {
        var sb = new StringBuilder();
        sb.Append("new()\n{\n");
        void Prop(string name, string value) => sb.Append("    ").Append(name).Append(" = ").Append(value).Append(",\n");
        Prop("Id", Literals.String(m.Id));
        Prop("Name", Literals.String(m.Name));
        Prop("Description", Literals.Text(m.Description));
        Prop("Format", Literals.String(m.Format));
        Prop("Type", Literals.String(m.Type));
        Prop("Language", Literals.String(m.Language));
        if (m.Query is not null) Prop("Query", Literals.Text(m.Query));
        Prop("SourceFile", Literals.String(displayPath));
        Prop("Severity", Literals.String(m.Severity));
        Prop("RiskScore", m.RiskScore.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (m.Tags.Count > 0) Prop("Tags", Strings(m.Tags));
        if (m.Authors.Count > 0) Prop("Authors", Strings(m.Authors));
        if (m.License is not null) Prop("License", Literals.String(m.License));
        if (m.FalsePositives.Count > 0) Prop("FalsePositives", Strings(m.FalsePositives));
        if (m.References.Count > 0) Prop("References", Strings(m.References));
        if (m.Note is not null) Prop("Note", Literals.Text(m.Note));
        if (m.Setup is not null) Prop("Setup", Literals.Text(m.Setup));
        if (m.Version is { } version) Prop("Version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (m.Index.Count > 0) Prop("Index", Strings(m.Index));
        if (m.Interval is not null) Prop("Interval", Literals.String(m.Interval));
        if (m.From is not null) Prop("From", Literals.String(m.From));
        if (m.MaxSignals is { } max) Prop("MaxSignals", max.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (m.TimestampOverride is not null) Prop("TimestampOverride", Literals.String(m.TimestampOverride));
        if (m.BuildingBlockType is not null) Prop("BuildingBlockType", Literals.String(m.BuildingBlockType));
        if (m.Threat.Count > 0) Prop("Threat", Threat(m.Threat));
        if (m.Sigma is { } sigma) Prop("Sigma", Sigma(sigma));
        if (m.FileMetadata.Count > 0) Prop("FileMetadata", Map(m.FileMetadata));
        if (m.Properties.Count > 0) Prop("Properties", Map(m.Properties));
        if (m.Elastic is { } elastic && ElasticMetadataEmitter.Settings(elastic) is { } settings) Prop("Elastic", settings);
        sb.Append("}");
        return sb.ToString().Replace("\n", "\n        ");
    }

    private static string Sigma(SigmaRuleMetadata s) =>
        $"new {Rt}SigmaRuleInfo {{ Status = {Literals.String(s.Status)}, Level = {Literals.String(s.Level)}, Date = {Literals.String(s.Date)}, " +
        $"Modified = {Literals.String(s.Modified)}, Logsource = new {Rt}SigmaLogsource({Literals.String(s.Product)}, {Literals.String(s.Category)}, " +
        $"{Literals.String(s.Service)}, {Literals.String(s.Definition)}), Fields = {Strings(s.Fields)}, Related = new {Rt}SigmaRelatedRule[] {{ " +
        string.Join(", ", s.Related.Select(r => $"new({Literals.String(r.Id)}, {Literals.String(r.Type)})")) + $" }}, Profile = {Literals.String(s.Profile)} }}";

    private static string Strings(IEnumerable<string> values) =>
        "new string[] { " + string.Join(", ", values.Select(Literals.Text)) + " }";

    private static string Map(IEnumerable<MetadataEntry> entries) =>
        "new global::System.Collections.Generic.Dictionary<string, string> { " +
        string.Join(", ", entries.Select(e => $"[{Literals.String(e.Key)}] = {Literals.Text(e.Json)}")) + " }";

    private static string Entry(MitreEntry e) =>
        $"new {Rt}MitreEntry({Literals.String(e.Id)}, {Literals.String(e.Name)}, {Literals.String(e.Reference)})";

    private static string Subtechniques(EquatableArray<MitreEntry> entries) => entries.Count == 0
        ? $"global::System.Array.Empty<{Rt}MitreEntry>()"
        : $"new {Rt}MitreEntry[] {{ {string.Join(", ", entries.Select(Entry))} }}";

    private static string Threat(IEnumerable<ThreatMapping> threats) =>
        $"new {Rt}ThreatMapping[] {{ " + string.Join(", ", threats.Select(t =>
            $"new {Rt}ThreatMapping({Literals.String(t.Framework)}, {Entry(t.Tactic)}, new {Rt}MitreTechnique[] {{ " +
            string.Join(", ", t.Techniques.Select(tech =>
                $"new {Rt}MitreTechnique({Entry(tech.Technique)}, {Subtechniques(tech.Subtechniques)})")) +
            " })")) + " }";
}

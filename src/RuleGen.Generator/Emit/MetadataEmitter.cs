using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats;

namespace RuleGen.Generator.Emit;

/// <summary>
/// A rule's metadata as the JSON the runtime's <c>RuleInfoJson</c> decodes into a <c>RuleInfo</c> on first use:
/// <c>RuleInfo</c>'s property names in camelCase. Emitted as data, not as an object initialiser: metadata is most of
/// what a rule file says, and the hot path never reads it. Optional values the file did not set are left out; lists
/// and maps are always written, even empty, because System.Text.Json's generated reader sets an init-only property
/// it does not find to null rather than to the property's default.
/// </summary>
public static class MetadataEmitter
{
    public static string RuleInfoJson(RuleMetadata m, string displayPath)
    {
        var o = new JsonObjectWriter();
        o.String("id", m.Id);
        o.String("name", m.Name);
        o.String("description", m.Description);
        o.String("format", m.Format);
        o.String("type", m.Type);
        o.String("language", m.Language);
        o.String("query", m.Query);
        o.String("sourceFile", displayPath);
        o.String("severity", m.Severity);
        o.Number("riskScore", m.RiskScore);
        o.Strings("tags", m.Tags);
        o.Strings("authors", m.Authors);
        o.String("license", m.License);
        o.Strings("falsePositives", m.FalsePositives);
        o.Strings("references", m.References);
        o.String("note", m.Note);
        o.String("setup", m.Setup);
        if (m.Version is { } version) o.Number("version", version);
        o.Strings("index", m.Index);
        o.String("interval", m.Interval);
        o.String("from", m.From);
        if (m.MaxSignals is { } max) o.Number("maxSignals", max);
        o.String("timestampOverride", m.TimestampOverride);
        o.String("buildingBlockType", m.BuildingBlockType);
        o.Array("threat", m.Threat, Threat);
        if (m.Sigma is { } sigma) o.Object("sigma", Sigma(sigma));
        o.Object("fileMetadata", JsonValues(m.FileMetadata));
        o.Object("properties", JsonValues(m.Properties));
        if (m.Elastic is { } elastic && Elastic(elastic) is { } settings) o.Object("elastic", settings);
        return WellFormed(o.ToString());
    }

    /// <summary>
    /// The text with each unpaired surrogate (a hostile or broken rule file's) replaced by U+FFFD: UTF-8 cannot hold
    /// it, and the JSON must stay a <c>u8</c> literal that the runtime's reader accepts.
    /// </summary>
    internal static string WellFormed(string text)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var paired = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (paired)
            {
                sb?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                sb ??= new StringBuilder(text, 0, i, text.Length);
                sb.Append('\uFFFD');
                continue;
            }
            sb?.Append(c);
        }
        return sb?.ToString() ?? text;
    }

    private static JsonObjectWriter Sigma(SigmaRuleMetadata s)
    {
        var o = new JsonObjectWriter();
        o.String("status", s.Status);
        o.String("level", s.Level);
        o.String("date", s.Date);
        o.String("modified", s.Modified);
        var logsource = new JsonObjectWriter();
        logsource.String("product", s.Product);
        logsource.String("category", s.Category);
        logsource.String("service", s.Service);
        logsource.String("definition", s.Definition);
        o.Object("logsource", logsource);
        o.Strings("fields", s.Fields);
        o.Array("related", s.Related, r => Pairs(("id", r.Id), ("type", r.Type)));
        o.String("profile", s.Profile);
        return o;
    }

    private static JsonObjectWriter JsonValues(IEnumerable<MetadataEntry> entries)
    {
        var o = new JsonObjectWriter();
        foreach (var entry in entries) o.Raw(entry.Key, entry.Json);
        return o;
    }

    private static JsonObjectWriter Entry(MitreEntry e) => Pairs(("id", e.Id), ("name", e.Name), ("reference", e.Reference));

    private static JsonObjectWriter Threat(ThreatMapping t)
    {
        var o = new JsonObjectWriter();
        o.String("framework", t.Framework);
        o.Object("tactic", Entry(t.Tactic));
        o.Array("techniques", t.Techniques, tech =>
        {
            var technique = new JsonObjectWriter();
            technique.Object("technique", Entry(tech.Technique));
            technique.Array("subtechniques", tech.Subtechniques, Entry);
            return technique;
        });
        return o;
    }

    /// <summary>The Elastic rule-type settings, or null when the rule has none worth a property.</summary>
    private static JsonObjectWriter? Elastic(ElasticRuleDetails d)
    {
        if (d.NewTerms is null && d.Threshold is null && d.ThreatMatch is null && d.AlertSuppression is null && d.SeverityMapping.Count == 0
            && d.RiskScoreMapping.Count == 0 && d.RuleNameOverride is null && d.InvestigationFields.Count == 0 && d.FiltersJson.Count == 0
            && d.ExceptionsList.Count == 0 && d.Enabled is null)
            return null;
        var o = new JsonObjectWriter();
        if (d.NewTerms is { } newTerms)
        {
            var settings = new JsonObjectWriter();
            settings.Strings("fields", newTerms.Fields);
            settings.String("historyWindowStart", newTerms.HistoryWindowStart);
            o.Object("newTerms", settings);
        }
        if (d.Threshold is { } threshold)
        {
            var settings = new JsonObjectWriter();
            settings.Strings("fields", threshold.Fields);
            settings.Number("value", threshold.Value);
            settings.Array("cardinality", threshold.Cardinality, c =>
            {
                var entry = new JsonObjectWriter();
                entry.String("field", c.Field);
                entry.Number("value", c.Value);
                return entry;
            });
            o.Object("threshold", settings);
        }
        if (d.ThreatMatch is { } threat)
        {
            var settings = new JsonObjectWriter();
            settings.Array("mappings", threat.Mappings, g =>
            {
                var group = new JsonObjectWriter();
                group.Array("entries", g.Entries, e => Pairs(("field", e.Field), ("type", e.Type), ("value", e.Value)));
                return group;
            });
            settings.Strings("index", threat.Index);
            settings.String("query", threat.Query);
            settings.String("language", threat.Language);
            settings.String("indicatorPath", threat.IndicatorPath);
            settings.Strings("filtersJson", threat.FiltersJson);
            o.Object("threatMatch", settings);
        }
        if (d.AlertSuppression is { } suppression)
        {
            var settings = new JsonObjectWriter();
            settings.Strings("groupBy", suppression.GroupBy);
            if (suppression.DurationValue is { } value) settings.Number("durationValue", value);
            settings.String("durationUnit", suppression.DurationUnit);
            settings.String("missingFieldsStrategy", suppression.MissingFieldsStrategy);
            o.Object("alertSuppression", settings);
        }
        o.Array("severityMapping", d.SeverityMapping, s => Pairs(("field", s.Field), ("operator", s.Operator), ("value", s.Value), ("severity", s.Severity)));
        o.Array("riskScoreMapping", d.RiskScoreMapping, r =>
        {
            var entry = Pairs(("field", r.Field), ("operator", r.Operator), ("value", r.Value));
            if (r.RiskScore is { } score) entry.Number("riskScore", score);
            return entry;
        });
        o.String("ruleNameOverride", d.RuleNameOverride);
        o.Strings("investigationFields", d.InvestigationFields);
        o.Strings("filtersJson", d.FiltersJson);
        o.Array("exceptionsList", d.ExceptionsList, e => Pairs(("id", e.Id), ("listId", e.ListId), ("namespaceType", e.NamespaceType), ("type", e.Type)));
        if (d.Enabled is { } enabled) o.Bool("enabled", enabled);
        return o;
    }

    private static JsonObjectWriter Pairs(params (string Name, string Value)[] pairs)
    {
        var o = new JsonObjectWriter();
        foreach (var (name, value) in pairs) o.String(name, value);
        return o;
    }
}

/// <summary>Builds one JSON object's text, member by member (the generator has no JSON library; this is all it needs).</summary>
internal sealed class JsonObjectWriter
{
    private readonly StringBuilder _sb = new("{");
    private bool _empty = true;

    private StringBuilder Member(string name)
    {
        if (!_empty) _sb.Append(',');
        _empty = false;
        JsonText.AppendString(_sb, name);
        return _sb.Append(':');
    }

    /// <summary>A string member; none when <paramref name="value"/> is null.</summary>
    public void String(string name, string? value)
    {
        if (value is null) return;
        JsonText.AppendString(Member(name), value);
    }

    public void Number(string name, long value) => Member(name).Append(value.ToString(CultureInfo.InvariantCulture));

    public void Bool(string name, bool value) => Member(name).Append(value ? "true" : "false");

    /// <summary>A member whose value is JSON text already.</summary>
    public void Raw(string name, string json) => Member(name).Append(json);

    public void Object(string name, JsonObjectWriter value) => Member(name).Append(value.ToString());

    /// <summary>A string array, written even when empty (see <see cref="MetadataEmitter"/>).</summary>
    public void Strings(string name, IEnumerable<string> values)
    {
        var sb = Member(name).Append('[');
        var first = true;
        foreach (var value in values)
        {
            if (!first) sb.Append(',');
            first = false;
            JsonText.AppendString(sb, value);
        }
        sb.Append(']');
    }

    public void Array<T>(string name, IEnumerable<T> items, System.Func<T, JsonObjectWriter> item) =>
        Member(name).Append('[').Append(string.Join(",", items.Select(i => item(i).ToString()))).Append(']');

    public override string ToString() => _sb.ToString() + "}";
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RuleGen.Generator.Languages.Sigma;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Sigma.Yaml;

namespace RuleGen.Generator.RuleFormats.Sigma;

/// <summary>
/// Sigma metadata in the shape RuleInfo exposes: level to severity and risk score, <c>attack.*</c> tags to MITRE
/// ATT&amp;CK threat entries, and every key as JSON.
/// </summary>
public static class SigmaMetadataReader
{
    /// <summary>
    /// Level -> (severity, risk score). Kibana knows four severities, so <c>informational</c> becomes low with the
    /// lowest risk score; the scores are the ones pySigma's Elasticsearch backend gives converted rules.
    /// </summary>
    public static (string Severity, int RiskScore) Severity(string level) => level switch
    {
        "informational" => ("low", 1),
        "low" => ("low", 21),
        "medium" => ("medium", 47),
        "high" => ("high", 73),
        "critical" => ("critical", 99),
        _ => ("low", 21),
    };

    /// <summary>ATT&amp;CK tactics by the short names Sigma tags use (v19 split Defense Evasion into Stealth and Defense Impairment).</summary>
    private static readonly Dictionary<string, (string Id, string Name)> s_tactics = new(StringComparer.Ordinal)
    {
        ["reconnaissance"] = ("TA0043", "Reconnaissance"),
        ["resource-development"] = ("TA0042", "Resource Development"),
        ["initial-access"] = ("TA0001", "Initial Access"),
        ["execution"] = ("TA0002", "Execution"),
        ["persistence"] = ("TA0003", "Persistence"),
        ["privilege-escalation"] = ("TA0004", "Privilege Escalation"),
        ["defense-evasion"] = ("TA0005", "Defense Evasion"),
        ["stealth"] = ("TA0005", "Stealth"),
        ["defense-impairment"] = ("TA0112", "Defense Impairment"),
        ["credential-access"] = ("TA0006", "Credential Access"),
        ["discovery"] = ("TA0007", "Discovery"),
        ["lateral-movement"] = ("TA0008", "Lateral Movement"),
        ["collection"] = ("TA0009", "Collection"),
        ["command-and-control"] = ("TA0011", "Command and Control"),
        ["exfiltration"] = ("TA0010", "Exfiltration"),
        ["impact"] = ("TA0040", "Impact"),
    };

    private static readonly Lazy<Dictionary<string, (string Name, string[] Tactics)>> s_techniques = new(() =>
        SigmaProfile.ReadData("sigma-attack-techniques.tsv").ToDictionary(r => r[0], r => (r[1], r.Length > 2 ? r[2].Split('|') : Array.Empty<string>()), StringComparer.Ordinal));

    /// <summary>
    /// Threat entries from tags: one per tagged tactic, holding the tagged techniques ATT&amp;CK lists under it (a technique
    /// RuleGen has no tactic facts for goes under every tagged tactic; with no tactic tag, under its own tactics).
    /// </summary>
    public static EquatableArray<ThreatMapping> Threat(IEnumerable<string> tags)
    {
        var tactics = new List<(string Id, string Name)>();
        var techniques = new List<string>();
        foreach (var tag in tags)
        {
            if (!tag.StartsWith("attack.", StringComparison.OrdinalIgnoreCase)) continue;
            var name = tag.Substring(7).ToLowerInvariant();
            if (s_tactics.TryGetValue(name, out var tactic)) { if (!tactics.Contains(tactic)) tactics.Add(tactic); }
            else if (IsTechnique(name) && !techniques.Contains(name.ToUpperInvariant())) techniques.Add(name.ToUpperInvariant());
        }
        if (tactics.Count == 0)
        {
            foreach (var technique in techniques)
            {
                foreach (var id in KnownTactics(technique))
                {
                    var t = s_tactics.Values.FirstOrDefault(x => x.Id == id);
                    if (t.Id is not null && !tactics.Contains(t)) tactics.Add(t);
                }
            }
        }
        var result = new List<ThreatMapping>();
        foreach (var tactic in tactics)
        {
            var under = techniques.Where(t => { var known = KnownTactics(t); return known.Length == 0 || known.Contains(tactic.Id) || !known.Any(k => tactics.Any(x => x.Id == k)); }).ToList();
            var grouped = new List<MitreTechnique>();
            foreach (var parent in under.Select(t => t.Split('.')[0]).Distinct())
            {
                var subs = under.Where(t => t.StartsWith(parent + ".", StringComparison.Ordinal))
                    .Select(t => new MitreEntry(t, TechniqueName(t), Reference(t))).ToEquatableArray();
                grouped.Add(new MitreTechnique(new MitreEntry(parent, TechniqueName(parent), Reference(parent)), subs));
            }
            result.Add(new ThreatMapping("MITRE ATT&CK", new MitreEntry(tactic.Id, tactic.Name, $"https://attack.mitre.org/tactics/{tactic.Id}/"), grouped.ToEquatableArray()));
        }
        return result.ToEquatableArray();
    }

    private static bool IsTechnique(string name) =>
        name.Length >= 5 && name[0] == 't' && name.Skip(1).Take(4).All(char.IsDigit) && (name.Length == 5 || name.Length == 9 && name[5] == '.' && name.Skip(6).All(char.IsDigit));

    private static string[] KnownTactics(string technique)
    {
        if (s_techniques.Value.TryGetValue(technique, out var t) && t.Tactics.Length > 0) return t.Tactics;
        var parent = technique.Split('.')[0];
        return s_techniques.Value.TryGetValue(parent, out var p) ? p.Tactics : Array.Empty<string>();
    }

    private static string TechniqueName(string id) => s_techniques.Value.TryGetValue(id, out var t) ? t.Name : "";

    private static string Reference(string id) => "https://attack.mitre.org/techniques/" + id.Replace('.', '/') + "/";

    /// <summary>A YAML node as JSON text (scalars by their resolved type).</summary>
    public static string Json(YamlNode node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, YamlNode node)
    {
        switch (node)
        {
            case YamlScalar s when !s.Quoted && s.Kind is YamlScalarKind.Null:
                sb.Append("null");
                break;
            case YamlScalar s when !s.Quoted && s.Kind is YamlScalarKind.Boolean:
                sb.Append(s.Canonical);
                break;
            case YamlScalar s when !s.Quoted && s.Kind is YamlScalarKind.Integer or YamlScalarKind.Float
                && double.TryParse(s.Canonical, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsInfinity(d) && !double.IsNaN(d):
                sb.Append(s.Canonical);
                break;
            case YamlScalar s:
                JsonText.AppendString(sb, s.Text);
                break;
            case YamlSequence seq:
                sb.Append('[');
                for (var i = 0; i < seq.Items.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, seq.Items[i]);
                }
                sb.Append(']');
                break;
            case YamlMapping map:
                sb.Append('{');
                var first = true;
                foreach (var entry in map.Entries)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    JsonText.AppendString(sb, entry.Key.Text);
                    sb.Append(':');
                    Write(sb, entry.Value);
                }
                sb.Append('}');
                break;
        }
    }
}

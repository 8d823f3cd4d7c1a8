using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Languages.Sigma;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Sigma.Yaml;

namespace RuleGen.Generator.RuleFormats.Sigma;

/// <summary>
/// Parses a Sigma file (YAML, one or more documents) into rule models: each detection rule with its metadata, its
/// logsource gate for the field profile and its detection lowered into the shared predicate model. Correlation and
/// filter documents are read into their models (they are not single-event matchers). A pure function of its inputs.
/// </summary>
public static class SigmaRuleParser
{
    public static RuleModel Parse(string path, string text, string profile) => ParseAll(path, text, profile, SigmaConfig.Empty)[0];

    public static ImmutableArray<RuleModel> ParseAll(string path, string text, string profileName, SigmaConfig config)
    {
        var lines = new LineMap(path, text);
        SourceLocation Locate(YamlSpan span) => lines.Location(span.Start, span.Length);
        var (documents, error) = YamlTreeReader.Read(text);
        var results = new List<RuleModel>();
        if (error is not null)
        {
            var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.SigmaInvalidYaml, Locate(error.Span), error.Message);
            return ImmutableArray.Create(NotCompiled(path, new RuleMetadata { Format = "sigma", Type = "sigma", Language = "sigma" }, diagnostic));
        }
        if (documents.Count == 0)
        {
            var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.SigmaMissingKey, SourceLocation.FileStart(path), "detection", "title, logsource and detection (the file is empty)");
            return ImmutableArray.Create(NotCompiled(path, new RuleMetadata { Format = "sigma", Type = "sigma", Language = "sigma" }, diagnostic));
        }
        for (var index = 0; index < documents.Count; index++)
        {
            results.Add(ParseDocument(path, text, documents[index], index, profileName, config, Locate));
        }
        return results.ToImmutableArray();
    }

    /// <summary>The keys with a typed home on RuleInfo (the rest go to Properties, as JSON).</summary>
    private static readonly HashSet<string> TypedKeys = new(StringComparer.Ordinal)
    {
        "title", "id", "status", "description", "references", "author", "date", "modified", "tags", "logsource", "detection",
        "falsepositives", "level", "fields", "related", "license",
    };

    private static RuleModel NotCompiled(string path, RuleMetadata metadata, params DiagnosticInfo[] diagnostics) =>
        new(path, RuleFormat.Sigma, metadata, null, diagnostics.ToEquatableArray());

    private static RuleModel ParseDocument(string path, string text, YamlNode document, int index, string profileName, SigmaConfig config, Func<YamlSpan, SourceLocation> locate)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var metadata = new RuleMetadata { Format = "sigma", Type = "sigma", Language = "sigma" };
        if (document is not YamlMapping root)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaWrongType, locate(document.Span), "a Sigma document", "a map (title, logsource, detection, ...)", document.Describe()));
            return NotCompiled(path, metadata, diagnostics.ToArray());
        }

        string Str(string key) => root[key] is YamlScalar s && !s.IsNull ? s.Text : "";
        EquatableArray<string> List(string key) => root[key] switch
        {
            YamlSequence seq => seq.Items.OfType<YamlScalar>().Select(s => s.Text).ToEquatableArray(),
            YamlScalar s when !s.IsNull => EquatableArray.Create(s.Text),
            _ => EquatableArray<string>.Empty,
        };

        var title = Str("title");
        var idNode = root.Find("id")?.Value;
        var tags = List("tags");
        var level = Str("level");
        var (severity, risk) = SigmaMetadataReader.Severity(level);
        var logsourceNode = root["logsource"] as YamlMapping;
        string Ls(string key) => logsourceNode?[key] is YamlScalar s && !s.IsNull ? s.Text : "";
        var logsource = new SigmaLogsource(Ls("product"), Ls("category"), Ls("service"));
        var profile = config.Profile(profileName);
        metadata = metadata with
        {
            Id = Str("id"),
            Name = title.Length > 0 ? title : Str("name"),
            Description = Str("description"),
            Query = DetectionText(text, root),
            Severity = severity,
            RiskScore = risk,
            Tags = tags,
            Authors = List("author"),
            License = root["license"] is YamlScalar lic && !lic.IsNull ? lic.Text : null,
            FalsePositives = List("falsepositives"),
            References = List("references"),
            Threat = SigmaMetadataReader.Threat(tags),
            TimeFields = profile?.TimeFields ?? EquatableArray<string>.Empty,
            MaxSignals = profile?.MaxSignals,
            Properties = root.Entries.Where(e => !TypedKeys.Contains(e.Key.Text)).Select(e => new MetadataEntry(e.Key.Text, SigmaMetadataReader.Json(e.Value))).ToEquatableArray(),
            Sigma = new SigmaRuleMetadata(Str("status"), level, Str("date"), Str("modified"), logsource.Product, logsource.Category, logsource.Service,
                Ls("definition"), List("fields"),
                (root["related"] as YamlSequence)?.Items.OfType<YamlMapping>()
                    .Select(r => new SigmaRelated((r["id"] as YamlScalar)?.Text ?? "", (r["type"] as YamlScalar)?.Text ?? "")).ToEquatableArray()
                    ?? EquatableArray<SigmaRelated>.Empty,
                profile?.Name ?? profileName) { RuleName = Str("name") },
        };
        var idLocation = idNode is null ? null : locate(idNode.Span);

        if (root.Find("correlation") is { } correlation)
        {
            // Not a matcher: the rule set carries it as a CorrelationDefinition the host evaluates (Planning/CorrelationPlan).
            var model = SigmaCorrelationReader.Read(root, metadata.Name, profile?.Name ?? profileName, locate, diagnostics);
            if (model is not null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaCorrelation, locate(correlation.Key.Span), metadata.Name,
                    SigmaCorrelationReader.Describe(root)));
            return NotCompiled(path, metadata with { Type = "sigma_correlation", Language = "sigma" }, diagnostics.ToArray()) with { IdLocation = idLocation, Correlation = model };
        }
        if (root.Find("filter") is not null && root.Find("detection") is null)
        {
            // Not a matcher: the rule set ANDs its condition into the rules it names (Planning/SigmaFilterPlan).
            var filter = SigmaFilterReader.Read(root, path, path, text, index, fromConfig: false, profile?.Name ?? profileName, config, locate, diagnostics);
            return NotCompiled(path, metadata with { Type = "sigma_filter" }, diagnostics.ToArray()) with { IdLocation = idLocation, Filter = filter };
        }
        if (root.Find("action") is { } action)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaUnsupported, locate(action.Key.Span),
                "Sigma 1 rule collections ('action: global/reset/repeat') are not supported: write each rule as a complete document"));
            return NotCompiled(path, metadata, diagnostics.ToArray());
        }

        if (title.Length == 0)
            diagnostics.Add(Missing(root, "title", "title: <what the rule detects>", locate));
        if (logsourceNode is null)
            diagnostics.Add(root.Find("logsource") is { } l
                ? DiagnosticInfo.Create(DiagnosticDescriptors.SigmaWrongType, locate(l.Value.Span), "logsource", "a map (product, category, service)", l.Value.Describe())
                : Missing(root, "logsource", "logsource: with product, category and/or service", locate));
        var detectionEntry = root.Find("detection");
        if (detectionEntry is null)
        {
            diagnostics.Add(Missing(root, "detection", "detection: with search identifiers and a condition", locate));
            return NotCompiled(path, metadata, diagnostics.ToArray()) with { IdLocation = idLocation };
        }
        if (detectionEntry.Value is not YamlMapping detection)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaWrongType, locate(detectionEntry.Value.Span), "detection", "a map of search identifiers and a condition", detectionEntry.Value.Describe()));
            return NotCompiled(path, metadata, diagnostics.ToArray()) with { IdLocation = idLocation };
        }
        if (profile is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaUnknownProfile, SourceLocation.FileStart(path), profileName,
                string.Join(", ", SigmaProfile.BuiltIn.Concat(config.Profiles.Select(p => p.Name)).Distinct())));
            return NotCompiled(path, metadata, diagnostics.ToArray()) with { IdLocation = idLocation };
        }

        var context = new SigmaLoweringContext(profile, logsource, config.PlaceholderMap(), locate, diagnostics, metadata.Name);
        var condition = LowerDetection(detection, detectionEntry.Key.Span, context, text, out var skipped);
        var gate = condition is null ? null : Gate(profile, logsource, locate(logsourceNode?.Span ?? detectionEntry.Key.Span), diagnostics);
        if (skipped || diagnostics.Any(d => d.IsError)) condition = null;
        return new RuleModel(path, RuleFormat.Sigma, metadata, condition, diagnostics.ToEquatableArray()) { Gate = condition is null ? null : gate, IdLocation = idLocation };
    }

    private static DiagnosticInfo Missing(YamlMapping root, string key, string hint, Func<YamlSpan, SourceLocation> locate) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.SigmaMissingKey, locate(root.Span), key, hint);

    /// <summary>The detection section as written in the file (shown in generated code).</summary>
    private static string DetectionText(string text, YamlMapping root)
    {
        var entry = root.Find("detection");
        if (entry is null) return "";
        var start = entry.Key.Span.Start;
        var lineStart = text.LastIndexOf('\n', Math.Max(0, start - 1)) + 1;
        var end = start;
        while (end < text.Length)
        {
            var next = text.IndexOf('\n', end);
            if (next < 0) { end = text.Length; break; }
            end = next + 1;
            if (end < text.Length && text[end] is not ' ' and not '\t' and not '\r' and not '\n' and not '#') break;
        }
        return text.Substring(lineStart, end - lineStart).TrimEnd();
    }

    /// <summary>Lowers a detection map (search identifiers and a condition; <paramref name="ignoredKeys"/> are neither, such as a filter's <c>rules</c>).</summary>
    internal static Predicate? LowerDetection(YamlMapping detection, YamlSpan detectionSpan, SigmaLoweringContext context, string text, out bool skipped,
        IReadOnlyCollection<string>? ignoredKeys = null)
    {
        skipped = false;
        var lowering = new SigmaDetectionLowering(context);
        var searches = new Dictionary<string, Predicate?>(StringComparer.Ordinal);
        var identifiers = new List<string>();
        YamlEntry? conditionEntry = null;
        foreach (var entry in detection.Entries)
        {
            var name = entry.Key.Text;
            if (name == "condition") { conditionEntry = entry; continue; }
            if (name == "timeframe") continue; // Sigma 1's aggregation window; only meaningful with an aggregation.
            if (ignoredKeys is not null && ignoredKeys.Contains(name)) continue;
            if (!identifiers.Contains(name)) identifiers.Add(name);
            searches[name] = lowering.LowerSearch(entry.Value);
        }
        if (context.MissingPlaceholder)
        {
            skipped = true;
            return null;
        }
        if (conditionEntry is null)
        {
            context.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaMissingKey, context.Locate(detectionSpan), "condition",
                "condition: under detection (for example 'condition: selection')"));
            return null;
        }
        var conditionNodes = conditionEntry.Value switch
        {
            YamlSequence seq => seq.Items,
            _ => new[] { conditionEntry.Value },
        };
        var operands = new List<Predicate>();
        foreach (var node in conditionNodes)
        {
            if (node is not YamlScalar scalar || scalar.IsNull && !scalar.Quoted)
            {
                context.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaWrongType, context.Locate(node.Span), "condition", "a string or a list of strings", node.Describe()));
                return null;
            }
            var (result, error) = SigmaConditionParser.Parse(scalar.Text, identifiers, name => searches[name]);
            if (error is not null)
            {
                var location = TokenLocation(scalar, error.Start, error.Length, text, context.Locate);
                if (error.IsAggregation)
                {
                    context.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaAggregation, location, context.RuleTitle));
                    skipped = true;
                }
                else if (error.IsMissingIdentifier)
                {
                    var near = identifiers.Count == 0 ? "" : "; the identifiers are " + string.Join(", ", identifiers);
                    context.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaMissingIdentifier, location, error.Identifier, near));
                }
                else
                {
                    context.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaConditionSyntax, location, error.Message));
                }
                return null;
            }
            if (result is null) return null;
            operands.Add(result);
        }
        return SigmaDetectionLowering.Simplify(SigmaDetectionLowering.Or(operands));
    }

    /// <summary>The place of a token inside a condition scalar: exact for single-line plain or quoted scalars.</summary>
    private static SourceLocation TokenLocation(YamlScalar scalar, int offset, int length, string text, Func<YamlSpan, SourceLocation> locate)
    {
        var start = scalar.Span.Start;
        if (start < text.Length && text[start] is '"' or '\'') start++;
        if (scalar.Text.IndexOf('\n') < 0 && start + scalar.Text.Length <= text.Length && string.CompareOrdinal(text, start, scalar.Text, 0, scalar.Text.Length) == 0)
        {
            var span = scalar.Span;
            var column = span.Column + (start - span.Start) + offset;
            return locate(new YamlSpan(start + offset, length, span.Line, column, span.Line, column + length));
        }
        return locate(scalar.Span);
    }

    /// <summary>
    /// The logsource conditions the profile has for this logsource (ANDed groups of ORed alternatives); false when the
    /// logsource names a product, service or category the profile cannot recognise on an event (a Zeek or Cisco rule
    /// on Windows events must not fire, least of all a purely negative one or a keyword search).
    /// </summary>
    private static Predicate? Gate(SigmaProfile profile, SigmaLogsource logsource, SourceLocation location, List<DiagnosticInfo> diagnostics)
    {
        var gates = profile.GatesFor(logsource);
        var unrecognised = profile.Unrecognised(logsource, gates);
        if (unrecognised.Count > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaUnrecognisedLogsource, location, string.Join(", ", unrecognised), profile.Name));
            return ConstantPredicate.False;
        }
        if (gates.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaNoGate, location, logsource.ToString().Length == 0 ? "none" : logsource.ToString(), profile.Name));
            return null;
        }
        var groups = new List<Predicate>();
        foreach (var gate in gates)
        {
            var alternatives = new List<Predicate>();
            foreach (var alternative in gate.Alternatives)
            {
                var clauses = new List<Predicate>();
                foreach (var clause in alternative.Clauses)
                {
                    // Fields that name the event's logsource are event fields already, not Sigma names to map.
                    var field = profile.LogsourceFields.Count > 0 ? FieldRef.Of(clause.Field) : profile.Resolve(clause.Field, logsource);
                    if (clause.Values.Count == 1 && clause.Values[0] == "*")
                    {
                        clauses.Add(new ExistsPredicate(field, ExistenceKind.NonNullValue));
                        continue;
                    }
                    clauses.Add(SigmaDetectionLowering.Or(clause.Values.Select(v => (Predicate)new FieldPredicate(field, Matchers.Exact(v, CaseMode.IgnoreAsciiCase, ValueKinds.Scalars))).ToList()));
                }
                alternatives.Add(SigmaDetectionLowering.And(clauses));
            }
            groups.Add(SigmaDetectionLowering.Or(alternatives));
        }
        return SigmaDetectionLowering.And(groups);
    }
}

using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Languages.Sigma;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Sigma.Yaml;

namespace RuleGen.Generator.RuleFormats.Sigma;

/// <summary>Values of one placeholder.</summary>
public sealed record PlaceholderValues(string Name, EquatableArray<string> Values);

/// <summary>User additions to one profile (a built-in one, or a new one based on flat or ecs).</summary>
public sealed record ProfileAdditions(string Name, string BasedOn, EquatableArray<FieldMapping> Fields, EquatableArray<LogsourceGate> Gates)
{
    /// <summary>Fields in which the events name their own logsource (see <see cref="SigmaProfile.LogsourceFields"/>).</summary>
    public EquatableArray<LogsourceField> LogsourceFields { get; init; } = EquatableArray<LogsourceField>.Empty;

    /// <summary>Where the events' time is, in order (<see cref="SigmaProfile.TimeFields"/>); empty: the base profile's.</summary>
    public EquatableArray<string> TimeFields { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The most alerts one execution of a rule raises; null: as the base profile says (no cap).</summary>
    public int? MaxSignals { get; init; }
}

/// <summary>
/// What users add to RuleGen's Sigma support, from YAML files given as <c>RuleGenSigmaConfig</c> items:
/// <code>
/// placeholders:                 # values of %name% placeholders (used with |expand); Sigma wildcards allowed
///   Administrators: [Administrator, 'Domain Admins']
/// profiles:
///   ecs:                        # add to a built-in profile, or name a new one with 'base: flat' or 'base: ecs'
///     fields:
///       MyField: my.field                       # for every rule
///       Other: { field: other.path, when: { product: windows, category: process_creation } }
///     logsources:               # replaces the built-in condition of the same logsource
///       - when: { product: linux, service: auditd }
///         any:                  # alternatives; each is a map of field: value (or a list of values), ANDed
///           - { event.module: auditd }
///   routed:
///     base: flat
///     logsource_fields:         # events name their logsource in these fields: they gate each rule instead
///       product: product
///       category: category
///       service: service
///     time_fields: [ts, '@timestamp']  # where the events' time is, first found wins (replaces the base's list)
///     max_signals: 1000         # cap on one execution's alerts (default: none; Sigma has no max_signals)
/// filters:                      # Sigma filter documents (title, logsource, filter: rules, selections, condition),
///   - title: Admin accounts     # applied to the rules of every rule set as rule-folder filters are
///     logsource: { product: windows }
///     filter: { rules: any, admins: { User|startswith: adm_ }, condition: not admins }
/// </code>
/// </summary>
public sealed record SigmaConfig(EquatableArray<PlaceholderValues> Placeholders, EquatableArray<ProfileAdditions> Profiles, EquatableArray<DiagnosticInfo> Diagnostics)
{
    public static readonly SigmaConfig Empty = new(EquatableArray<PlaceholderValues>.Empty, EquatableArray<ProfileAdditions>.Empty, EquatableArray<DiagnosticInfo>.Empty);

    /// <summary>The Sigma filter documents of the config's <c>filters:</c> list (they apply to every rule set).</summary>
    public EquatableArray<SigmaFilterModel> Filters { get; init; } = EquatableArray<SigmaFilterModel>.Empty;

    /// <summary>The profile a rule folder asked for, with the user's additions; null when unknown.</summary>
    public SigmaProfile? Profile(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        if (key.Length == 0) key = SigmaProfile.Flat;
        var additions = Profiles.Where(p => p.Name == key).ToList();
        var baseName = additions.Select(a => a.BasedOn).FirstOrDefault(b => b.Length > 0) ?? key;
        var profile = SigmaProfile.BuiltInProfile(baseName);
        if (profile is null) return null;
        // A new profile keeps the field rules of its base (flat: evtx paths; ecs: winlog.event_data).
        profile = profile with { Name = key, Base = baseName };
        foreach (var a in additions) profile = profile.With(a.Fields, a.Gates, a.LogsourceFields, a.TimeFields, a.MaxSignals);
        return profile;
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> PlaceholderMap() =>
        Placeholders.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.SelectMany(p => p.Values).ToList());

    public static SigmaConfig Merge(IEnumerable<SigmaConfig> configs)
    {
        var list = configs.ToList();
        if (list.Count == 0) return Empty;
        return new SigmaConfig(list.SelectMany(c => c.Placeholders).ToEquatableArray(), list.SelectMany(c => c.Profiles).ToEquatableArray(),
            list.SelectMany(c => c.Diagnostics).ToEquatableArray()) { Filters = list.SelectMany(c => c.Filters).ToEquatableArray() };
    }

    public static SigmaConfig Parse(string path, string text)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var lines = new LineMap(path, text);
        SourceLocation Locate(YamlSpan s) => lines.Location(s.Start, s.Length);
        void Problem(YamlSpan s, string message) => diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaInvalidConfig, Locate(s), message));
        var (documents, error) = YamlTreeReader.Read(text);
        if (error is not null) Problem(error.Span, error.Message);
        var placeholders = new List<PlaceholderValues>();
        var profiles = new List<ProfileAdditions>();
        var filterNodes = new List<(YamlNode Node, int Index)>();
        foreach (var document in documents)
        {
            if (document is not YamlMapping root)
            {
                Problem(document.Span, "the file must be a map with 'placeholders' and/or 'profiles'");
                continue;
            }
            foreach (var entry in root.Entries)
            {
                switch (entry.Key.Text)
                {
                    case "placeholders" when entry.Value is YamlMapping map:
                        foreach (var p in map.Entries)
                        {
                            var values = p.Value is YamlSequence seq ? seq.Items.OfType<YamlScalar>().Select(s => s.Text).ToList()
                                : p.Value is YamlScalar one && !one.IsNull ? new List<string> { one.Text } : new List<string>();
                            placeholders.Add(new PlaceholderValues(p.Key.Text, values.ToEquatableArray()));
                        }
                        break;
                    case "profiles" when entry.Value is YamlMapping map:
                        foreach (var p in map.Entries)
                        {
                            if (p.Value is not YamlMapping body)
                            {
                                Problem(p.Value.Span, $"profile '{p.Key.Text}' must be a map with 'fields', 'logsources', 'logsource_fields', 'time_fields' and/or 'max_signals'");
                                continue;
                            }
                            profiles.Add(ReadProfile(p.Key.Text.Trim().ToLowerInvariant(), body, Problem));
                        }
                        break;
                    case "filters" when entry.Value is YamlSequence list:
                        for (var i = 0; i < list.Items.Count; i++) filterNodes.Add((list.Items[i], i));
                        break;
                    default:
                        Problem(entry.Key.Span, $"unknown or malformed key '{entry.Key.Text}': use 'placeholders' (a map), 'profiles' (a map) or 'filters' (a list of Sigma filters)");
                        break;
                }
            }
        }
        // Filters last: their detections are checked with this config's placeholders and profiles (flat by default).
        var filters = new List<SigmaFilterModel>();
        var own = new SigmaConfig(placeholders.ToEquatableArray(), profiles.ToEquatableArray(), EquatableArray<DiagnosticInfo>.Empty);
        foreach (var (node, index) in filterNodes)
        {
            if (node is not YamlMapping filterRoot)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaInvalidFilter, Locate(node.Span), $"a filter must be a map (title, logsource, filter), not {node.Describe()}"));
                continue;
            }
            if (SigmaFilterReader.Read(filterRoot, path, path, text, index, fromConfig: true, SigmaProfile.Flat, own, Locate, diagnostics) is { } filter) filters.Add(filter);
        }
        return new SigmaConfig(placeholders.ToEquatableArray(), profiles.ToEquatableArray(), diagnostics.ToEquatableArray()) { Filters = filters.ToEquatableArray() };
    }

    private static ProfileAdditions ReadProfile(string name, YamlMapping body, System.Action<YamlSpan, string> problem)
    {
        var baseName = (body["base"] as YamlScalar)?.Text.Trim().ToLowerInvariant() ?? "";
        if (baseName.Length > 0 && SigmaProfile.BuiltInProfile(baseName) is null) problem(body.Find("base")!.Value.Span, $"'base' must be {SigmaProfile.Flat} or {SigmaProfile.Ecs}");
        if (baseName.Length == 0 && SigmaProfile.BuiltInProfile(name) is null) problem(body.Span, $"profile '{name}' is not built in: give it 'base: flat' or 'base: ecs'");
        var fields = new List<FieldMapping>();
        if (body["fields"] is YamlMapping fieldMap)
        {
            foreach (var f in fieldMap.Entries)
            {
                var items = f.Value is YamlSequence s ? s.Items : new[] { f.Value };
                foreach (var item in items)
                {
                    if (item is YamlScalar target) fields.Add(new FieldMapping(f.Key.Text, target.Text, LogsourceCondition.Any));
                    else if (item is YamlMapping m && m["field"] is YamlScalar field) fields.Add(new FieldMapping(f.Key.Text, field.Text, When(m["when"])));
                    else problem(item.Span, $"field '{f.Key.Text}' must map to a field name or to {{ field: ..., when: {{ ... }} }}");
                }
            }
        }
        var gates = new List<LogsourceGate>();
        if (body["logsources"] is YamlSequence gateList)
        {
            foreach (var item in gateList.Items)
            {
                if (item is not YamlMapping g || g["any"] is not YamlSequence any)
                {
                    problem(item.Span, "a logsource entry needs 'when' (product/category/service) and 'any' (a list of maps of field: value)");
                    continue;
                }
                var alternatives = new List<GateAlternative>();
                var n = 0;
                foreach (var alt in any.Items.OfType<YamlMapping>())
                {
                    var clauses = new List<GateClause>();
                    foreach (var e in alt.Entries)
                    {
                        if (e.Value is YamlSequence vs) clauses.Add(new GateClause(e.Key.Text, vs.Items.OfType<YamlScalar>().Select(v => v.Text).ToEquatableArray()));
                        else if (e.Value is YamlScalar one) clauses.Add(new GateClause(e.Key.Text, EquatableArray.Create(one.Text)));
                        else problem(e.Value.Span, $"logsource field '{e.Key.Text}' must have a value or a list of values");
                    }
                    alternatives.Add(new GateAlternative("user" + n++, clauses.ToEquatableArray()));
                }
                gates.Add(new LogsourceGate(When(g["when"]), alternatives.ToEquatableArray()));
            }
        }
        var logsourceFields = new List<LogsourceField>();
        if (body.Find("logsource_fields") is { } lf)
        {
            if (lf.Value is YamlMapping keys)
            {
                foreach (var k in keys.Entries)
                {
                    if (System.Array.IndexOf(SigmaProfile.LogsourceKeys, k.Key.Text) < 0)
                        problem(k.Key.Span, $"'{k.Key.Text}' is not a logsource key: use product, category or service");
                    else if (k.Value is YamlScalar { IsNull: false } field && field.Text.Trim().Length > 0)
                        logsourceFields.Add(new LogsourceField(k.Key.Text, field.Text.Trim()));
                    else
                        problem(k.Value.Span, $"logsource key '{k.Key.Text}' must name the event field that holds it");
                }
            }
            else
            {
                problem(lf.Value.Span, "'logsource_fields' must be a map of logsource key (product, category, service) to event field");
            }
        }
        var timeFields = new List<string>();
        if (body.Find("time_fields") is { } tf)
        {
            var items = tf.Value is YamlSequence list ? list.Items : new[] { tf.Value };
            foreach (var item in items)
            {
                if (item is YamlScalar { IsNull: false } field && field.Text.Trim().Length > 0) timeFields.Add(field.Text.Trim());
                else problem(item.Span, "'time_fields' must list event fields that hold the event's time (the first found counts)");
            }
        }
        int? maxSignals = null;
        if (body.Find("max_signals") is { } ms)
        {
            if (ms.Value is YamlScalar { IsNull: false } n && int.TryParse(n.Text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var max) && max > 0)
                maxSignals = max;
            else
                problem(ms.Value.Span, "'max_signals' must be a positive whole number (the most alerts one execution of a rule raises)");
        }
        return new ProfileAdditions(name, baseName, fields.ToEquatableArray(), gates.ToEquatableArray())
        {
            LogsourceFields = logsourceFields.ToEquatableArray(),
            TimeFields = timeFields.ToEquatableArray(),
            MaxSignals = maxSignals,
        };
    }

    private static LogsourceCondition When(YamlNode? node)
    {
        if (node is not YamlMapping m) return LogsourceCondition.Any;
        string Get(string k) => (m[k] as YamlScalar)?.Text ?? "";
        return new LogsourceCondition(Get("product"), Get("category"), Get("service"));
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Sigma;

/// <summary>A rule's logsource: product, category, service (empty when not set).</summary>
public sealed record SigmaLogsource(string Product, string Category, string Service)
{
    public string Get(string key) => key switch
    {
        "product" => Product,
        "category" => Category,
        "service" => Service,
        _ => "",
    };

    public override string ToString() =>
        string.Join(", ", new[] { ("product", Product), ("category", Category), ("service", Service) }.Where(p => p.Item2.Length > 0).Select(p => p.Item1 + ": " + p.Item2));
}

/// <summary>Which logsource a mapping applies to: the keys it names must equal the rule's (empty = any).</summary>
public sealed record LogsourceCondition(string Product, string Category, string Service)
{
    public static readonly LogsourceCondition Any = new("", "", "");

    public int Specificity => (Product.Length > 0 ? 1 : 0) + (Category.Length > 0 ? 1 : 0) + (Service.Length > 0 ? 1 : 0);

    public bool Applies(SigmaLogsource logsource) =>
        (Product.Length == 0 || Product == logsource.Product)
        && (Category.Length == 0 || Category == logsource.Category)
        && (Service.Length == 0 || Service == logsource.Service);

    /// <summary>Parses "category=process_creation,product=windows" (the facts' notation).</summary>
    public static LogsourceCondition Parse(string text)
    {
        string product = "", category = "", service = "";
        foreach (var pair in text.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq < 0) continue;
            var key = pair.Substring(0, eq).Trim();
            var value = pair.Substring(eq + 1).Trim();
            if (key == "product") product = value;
            else if (key == "category") category = value;
            else if (key == "service") service = value;
        }
        return new LogsourceCondition(product, category, service);
    }
}

/// <summary>A Sigma field that maps to another event field under a logsource condition.</summary>
public sealed record FieldMapping(string SigmaField, string EventField, LogsourceCondition When)
{
    /// <summary>A user's mapping (from a config file): it wins over every built-in mapping that applies.</summary>
    public bool IsUser { get; init; }
}

/// <summary>One condition of a logsource gate: the field has one of the values (or any value, for "*").</summary>
public sealed record GateClause(string Field, EquatableArray<string> Values);

/// <summary>The gate rows for one logsource condition: alternatives (ORed) of clauses (ANDed).</summary>
public sealed record LogsourceGate(LogsourceCondition When, EquatableArray<GateAlternative> Alternatives);

public sealed record GateAlternative(string Name, EquatableArray<GateClause> Clauses);

/// <summary>
/// An event field that names the event's own logsource key (<c>product</c>, <c>category</c> or <c>service</c>): a
/// profile with such fields gates each rule by them instead of by its logsource facts.
/// </summary>
public sealed record LogsourceField(string Key, string Field);

/// <summary>
/// A field-resolution profile: how Sigma field names become JSON paths of the events and which conditions a rule's
/// logsource adds. Built-in profiles are <c>flat</c> (Sigma names as keys; Windows evtx JSON too) and <c>ecs</c>
/// (Sigma taxonomy mapped onto ECS, Winlogbeat / Elastic Agent). Users add mappings and gates in a config file.
/// </summary>
public sealed record SigmaProfile(
    string Name,
    EquatableArray<FieldMapping> Fields,
    EquatableArray<LogsourceGate> Gates)
{
    public const string Flat = "flat";
    public const string Ecs = "ecs";

    public static readonly string[] BuiltIn = { Flat, Ecs };

    /// <summary>The built-in profile this one extends (its own name for a built-in profile).</summary>
    public string Base { get; init; } = "";

    public bool IsEcs => (Base.Length > 0 ? Base : Name) == Ecs;

    /// <summary>
    /// Fields in which events name their logsource (<c>category: process_creation</c>), from the user's config. When
    /// there are any, a rule's gate is that each of these keys its logsource sets has the rule's value in its field.
    /// </summary>
    public EquatableArray<LogsourceField> LogsourceFields { get; init; } = EquatableArray<LogsourceField>.Empty;

    /// <summary>
    /// Where an event's time is, in order: the first of these fields that holds a date is the event's time (for
    /// executions, correlation timespans and <c>kibana.alert.original_time</c>). A Sigma config's <c>time_fields</c>
    /// replaces the list.
    /// </summary>
    public EquatableArray<string> TimeFields { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The most alerts one execution of a rule raises (a Sigma config's <c>max_signals</c>); null: no cap.</summary>
    public int? MaxSignals { get; init; }

    /// <summary>
    /// flat: <c>@timestamp</c> (ECS-shaped or Elastic-exported events), then a Windows event's <c>TimeCreated</c> as
    /// evtx_dump / python-evtx JSON nest it and as flatteners name it, then Sysmon's <c>UtcTime</c> (flat and nested).
    /// </summary>
    public static readonly EquatableArray<string> FlatTimeFields = EquatableArray.Create(
        "@timestamp", "Event.System.TimeCreated.#attributes.SystemTime", "TimeCreated_SystemTime", "UtcTime", "Event.EventData.UtcTime");

    /// <summary>ecs: <c>@timestamp</c>, as Kibana reads it.</summary>
    public static readonly EquatableArray<string> EcsTimeFields = EquatableArray.Create("@timestamp");

    /// <summary>The JSON paths a Sigma field is read from, for a rule with this logsource.</summary>
    public FieldRef Resolve(string field, SigmaLogsource logsource)
    {
        FieldMapping? best = null;
        foreach (var mapping in Fields)
        {
            if (mapping.SigmaField != field || !mapping.When.Applies(logsource)) continue;
            if (best is null || mapping.IsUser && !best.IsUser || mapping.IsUser == best.IsUser && mapping.When.Specificity > best.When.Specificity) best = mapping;
        }
        if (IsEcs)
        {
            if (best is not null) return FieldRef.Of(best.EventField);
            // Winlogbeat puts every event data field it does not map under winlog.event_data.
            return FieldRef.Of(logsource.Product == "windows" && field.IndexOf('.') < 0 ? "winlog.event_data." + field : field);
        }
        var name = best?.EventField ?? field;
        var paths = new List<string> { name };
        if (name.IndexOf('.') < 0)
        {
            // Windows events exported as evtx JSON: {"Event": {"System": {...}, "EventData": {...}}}, XML attributes
            // under "#attributes" (Sigma's Provider_Name is System.Provider.#attributes.Name). For every rule, not only
            // Windows ones: a flattened Windows event has the Sigma names as keys whatever the rule's product, so the
            // same event as evtx JSON must give the same detection verdicts (the logsource gate is what keeps other
            // products' rules off Windows events).
            var underscore = name.IndexOf('_');
            if (s_systemElements.Contains(name))
            {
                paths.Add("Event.System." + name);
                if (name == "EventID") paths.Add("Event.System.EventID.#text");
            }
            else if (underscore > 0 && underscore < name.Length - 1 && s_systemElements.Contains(name.Substring(0, underscore)))
            {
                paths.Add("Event.System." + name.Substring(0, underscore) + ".#attributes." + name.Substring(underscore + 1));
            }
            else
            {
                paths.Add("Event.EventData." + name);
            }
        }
        // Native field names with spaces ("Threat Name") are addressed without them ("ThreatName").
        return new FieldRef(paths.ToEquatableArray()) { IgnoreSpacesInKeys = name.IndexOf(' ') < 0 };
    }

    /// <summary>The elements of a Windows event's System part (Event.System in evtx JSON).</summary>
    private static readonly HashSet<string> s_systemElements = new(StringComparer.Ordinal)
    {
        "Provider", "EventID", "Version", "Level", "Task", "Opcode", "Keywords", "TimeCreated", "EventRecordID", "Correlation",
        "Execution", "Channel", "Computer", "Security",
    };

    /// <summary>
    /// The gates that apply to a logsource (every matching row group), or empty when the profile knows none. A row
    /// naming a product alone (how the profile recognises any event of the product, such as a Windows event by its
    /// channel or provider) applies only when no row naming a category or service of that product does.
    /// </summary>
    public IReadOnlyList<LogsourceGate> GatesFor(SigmaLogsource logsource)
    {
        if (LogsourceFields.Count == 0)
        {
            var applying = Gates.Where(g => g.When.Applies(logsource)).ToList();
            if (applying.Any(g => g.When.Category.Length > 0 || g.When.Service.Length > 0))
                applying.RemoveAll(g => g.When.Product.Length > 0 && g.When.Category.Length == 0 && g.When.Service.Length == 0);
            return applying;
        }
        // The event names its own logsource: one alternative, a clause per key the rule's logsource sets.
        var clauses = LogsourceFields.Where(f => logsource.Get(f.Key).Length > 0)
            .Select(f => new GateClause(f.Field, EquatableArray.Create(logsource.Get(f.Key)))).ToEquatableArray();
        return clauses.Count == 0 ? Array.Empty<LogsourceGate>()
            : new[] { new LogsourceGate(LogsourceCondition.Any, EquatableArray.Create(new GateAlternative("logsource fields", clauses))) };
    }

    /// <summary>
    /// The keys of the logsource that name what this profile cannot recognise on an event: a product or service is
    /// recognised when a gate that applies names it; a category when a gate that applies names it, or when the rule's
    /// product is recognised (its product row then gates it); everything when the events name their own logsource
    /// (<see cref="LogsourceFields"/>). A logsource with no key at all is left ungated (RG0214).
    /// </summary>
    public IReadOnlyList<string> Unrecognised(SigmaLogsource logsource, IReadOnlyList<LogsourceGate> gates)
    {
        var unrecognised = new List<string>();
        if (LogsourceFields.Count > 0) return unrecognised;
        var product = logsource.Product.Length > 0 && gates.Any(g => g.When.Product == logsource.Product);
        if (logsource.Product.Length > 0 && !product) unrecognised.Add("product: " + logsource.Product);
        if (logsource.Category.Length > 0 && !product && !gates.Any(g => g.When.Category == logsource.Category)) unrecognised.Add("category: " + logsource.Category);
        if (logsource.Service.Length > 0 && !gates.Any(g => g.When.Service == logsource.Service)) unrecognised.Add("service: " + logsource.Service);
        return unrecognised;
    }

    /// <summary>The logsource keys a profile can read from event fields.</summary>
    public static readonly string[] LogsourceKeys = { "product", "category", "service" };

    /// <summary>The profile with user mappings and gates added (a user gate replaces a built-in one for the same logsource).</summary>
    public SigmaProfile With(IEnumerable<FieldMapping> fields, IEnumerable<LogsourceGate> gates, IEnumerable<LogsourceField>? logsourceFields = null,
        EquatableArray<string>? timeFields = null, int? maxSignals = null)
    {
        var userLogsourceFields = logsourceFields?.ToList() ?? new List<LogsourceField>();
        var userGates = gates.ToList();
        var keptGates = Gates.Where(g => !userGates.Any(u => u.When == g.When));
        // User field mappings go first so that they win ties of equal specificity.
        var userFields = fields.Select(f => f with { IsUser = true }).ToList();
        return this with
        {
            Fields = userFields.Concat(Fields.Where(f => !userFields.Any(u => u.SigmaField == f.SigmaField && u.When == f.When))).ToEquatableArray(),
            Gates = keptGates.Concat(userGates).ToEquatableArray(),
            LogsourceFields = userLogsourceFields.Count > 0 ? userLogsourceFields.ToEquatableArray() : LogsourceFields,
            TimeFields = timeFields is { Count: > 0 } time ? time : TimeFields,
            MaxSignals = maxSignals ?? MaxSignals,
        };
    }

    private static readonly Lazy<SigmaProfile> s_flat = new(() =>
        new SigmaProfile(Flat, EquatableArray<FieldMapping>.Empty, ReadGates("sigma-flat-logsources.tsv")) { TimeFields = FlatTimeFields });
    private static readonly Lazy<SigmaProfile> s_ecs = new(() =>
        new SigmaProfile(Ecs, ReadFields("sigma-ecs-fields.tsv"), ReadGates("sigma-ecs-logsources.tsv")) { TimeFields = EcsTimeFields });

    /// <summary>A built-in profile by name (flat when <paramref name="name"/> is empty), or null when unknown.</summary>
    public static SigmaProfile? BuiltInProfile(string name) => name.Trim().ToLowerInvariant() switch
    {
        "" or Flat => s_flat.Value,
        Ecs => s_ecs.Value,
        _ => null,
    };

    internal static IEnumerable<string[]> ReadData(string name)
    {
        using var stream = typeof(SigmaProfile).Assembly.GetManifestResourceStream("RuleGen.Data." + name)
            ?? throw new InvalidOperationException("Missing embedded data " + name);
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            yield return line.Split('\t');
        }
    }

    private static EquatableArray<FieldMapping> ReadFields(string name) =>
        ReadData(name).Select(r => new FieldMapping(r[0], r[1], LogsourceCondition.Parse(r.Length > 2 ? r[2] : ""))).ToEquatableArray();

    private static EquatableArray<LogsourceGate> ReadGates(string name)
    {
        var groups = new List<(LogsourceCondition When, string Alternative, GateClause Clause)>();
        foreach (var r in ReadData(name))
        {
            groups.Add((new LogsourceCondition(r[0], r[1], r[2]), r[3], new GateClause(r[4], r[5].Split('|').ToEquatableArray())));
        }
        return groups.GroupBy(g => g.When)
            .Select(g => new LogsourceGate(g.Key, g.GroupBy(a => a.Alternative)
                .Select(a => new GateAlternative(a.Key, a.Select(x => x.Clause).ToEquatableArray())).ToEquatableArray()))
            .ToEquatableArray();
    }
}

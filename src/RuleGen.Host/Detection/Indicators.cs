using System.Globalization;
using System.Text;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>
/// Threat-intelligence indicator documents for threat_match rules, read from an NDJSON file: one document a line,
/// either the document itself or an Elasticsearch hit (<c>{"_index": ..., "_id": ..., "_source": {...}}</c>, as an
/// export of a <c>logs-ti_*</c> index gives). A plain document's id is its file and line, its index the file.
/// </summary>
public sealed class IndicatorSet
{
    private IndicatorSet(string file, IReadOnlyList<Indicator> indicators)
    {
        File = file;
        Indicators = indicators;
    }

    /// <summary>The file the indicators were read from (as given).</summary>
    public string File { get; }

    public IReadOnlyList<Indicator> Indicators { get; }

    /// <summary>Reads an NDJSON file of indicators; problems (malformed lines) are reported and the line skipped.</summary>
    public static IndicatorSet Load(string path, Action<string> problem)
    {
        var indicators = new List<Indicator>();
        long lineNumber = 0;
        foreach (var line in System.IO.File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 256 });
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    problem($"{path}:{lineNumber}: an indicator must be a JSON object; line skipped");
                    continue;
                }
                if (root.TryGetProperty("_source", out var source) && source.ValueKind == JsonValueKind.Object)
                {
                    var id = root.TryGetProperty("_id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : $"{path}:{lineNumber}";
                    var index = root.TryGetProperty("_index", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString()! : path;
                    indicators.Add(new Indicator(id, index, Encoding.UTF8.GetBytes(source.GetRawText())));
                }
                else
                {
                    indicators.Add(new Indicator(path + ":" + lineNumber.ToString(CultureInfo.InvariantCulture), path, Encoding.UTF8.GetBytes(line)));
                }
            }
            catch (JsonException ex)
            {
                problem($"{path}:{lineNumber}: malformed indicator line skipped: {ex.Message}");
            }
        }
        return new IndicatorSet(path, indicators);
    }

    /// <summary>Indicators given directly (tests, embedding hosts).</summary>
    public static IndicatorSet Of(string file, IEnumerable<Indicator> indicators) => new(file, indicators.ToList());
}

/// <summary>One indicator document: its id and index (for <c>matched.id</c> / <c>matched.index</c>) and its source.</summary>
public sealed record Indicator(string Id, string Index, byte[] Source);

/// <summary>
/// One entry of <c>threat.enrichments</c> (Kibana's <c>buildEnrichments</c>): the indicator object found at the rule's
/// indicator path, the feed name, and what matched: the event's value (<c>atomic</c>), the event field, the indicator's
/// id and index, and the type <c>indicator_match_rule</c>.
/// </summary>
public sealed record ThreatEnrichment(string IndicatorJson, string? FeedName, string? AtomicJson, string Field, string Id, string Index)
{
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("indicator");
        writer.WriteRawValue(IndicatorJson, skipInputValidation: true);
        writer.WriteStartObject("feed");
        if (FeedName is not null) writer.WriteString("name", FeedName);
        writer.WriteEndObject();
        writer.WriteStartObject("matched");
        if (AtomicJson is not null)
        {
            writer.WritePropertyName("atomic");
            writer.WriteRawValue(AtomicJson, skipInputValidation: true);
        }
        writer.WriteString("field", Field);
        writer.WriteString("id", Id);
        writer.WriteString("index", Index);
        writer.WriteString("type", "indicator_match_rule");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}

/// <summary>
/// Matches events against the indicators of one threat_match rule, as Kibana's indicator match executor does: the
/// rule's mapping groups are ORed, the entries of a group ANDed; an entry holds when the indicator's
/// <c>value</c> field holds the event's <c>field</c> value (a terms/match query: any element of an indicator array;
/// keyword equality of the values' text). An event field with several values takes its first for a one-entry group
/// and must hold exactly one value for a group of several entries (Kibana's <c>buildEntriesMappingFilter</c>).
/// Only indicators the rule's threat query and threat filters select at the execution's time take part; an event
/// keeps at most 200 matches (<c>MAX_NUMBER_OF_SIGNAL_MATCHES</c>).
/// </summary>
public sealed class IndicatorMatcher
{
    /// <summary>Kibana's <c>MAX_NUMBER_OF_SIGNAL_MATCHES</c>.</summary>
    public const int MaxMatchesPerEvent = 200;

    private readonly ThreatMatchSettings _settings;
    private readonly IReadOnlyList<Indicator> _indicators;
    private readonly Func<ReadOnlyMemory<byte>, long, bool>? _query;
    private readonly Dictionary<string, List<int>>[] _byValue;
    private readonly long[] _checkedAt;
    private readonly bool[] _selected;

    /// <param name="settings">The rule's threat_match settings.</param>
    /// <param name="indicators">The indicator documents.</param>
    /// <param name="query">
    /// The rule's compiled threat query and filters (<see cref="CompiledRule.IndicatorQuery"/>): whether an indicator
    /// is selected at a time (epoch milliseconds: date math's now); null selects every indicator.
    /// </param>
    public IndicatorMatcher(ThreatMatchSettings settings, IndicatorSet indicators, Func<ReadOnlyMemory<byte>, long, bool>? query)
    {
        _settings = settings;
        _indicators = indicators.Indicators;
        _query = query;
        _checkedAt = new long[_indicators.Count];
        _checkedAt.AsSpan().Fill(long.MinValue);
        _selected = new bool[_indicators.Count];
        _byValue = new Dictionary<string, List<int>>[settings.Mappings.Count];
        for (var g = 0; g < settings.Mappings.Count; g++)
        {
            var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            _byValue[g] = index;
            if (settings.Mappings[g].Entries.Count == 0) continue;
            var field = settings.Mappings[g].Entries[0].Value;
            for (var i = 0; i < _indicators.Count; i++)
            {
                using var document = JsonDocument.Parse(_indicators[i].Source, new JsonDocumentOptions { MaxDepth = 256 });
                foreach (var value in EventFieldValues.Of(document.RootElement, field).Select(v => v.Text).Distinct())
                {
                    if (!index.TryGetValue(value, out var list)) index[value] = list = new List<int>();
                    list.Add(i);
                }
            }
        }
    }

    public int IndicatorCount => _indicators.Count;

    /// <summary>The enrichments of an event at an execution's time; empty when it matches no selected indicator.</summary>
    public IReadOnlyList<ThreatEnrichment> Match(ReadOnlyMemory<byte> eventJson, long executionNanos)
    {
        using var document = EventFieldValues.Parse(eventJson);
        var root = document.RootElement;
        var matches = new List<(int Indicator, int Group)>();
        for (var g = 0; g < _settings.Mappings.Count; g++)
        {
            var entries = _settings.Mappings[g].Entries;
            if (entries.Count == 0) continue;
            var eventValues = new string[entries.Count];
            var usable = true;
            for (var e = 0; e < entries.Count && usable; e++)
            {
                var values = EventFieldValues.Of(root, entries[e].Field);
                if (values.Count == 0 || entries.Count > 1 && values.Count != 1) usable = false;
                else eventValues[e] = values[0].Text;
            }
            if (!usable || !_byValue[g].TryGetValue(eventValues[0], out var candidates)) continue;
            foreach (var i in candidates)
            {
                if (entries.Count > 1 && !OtherEntriesHold(i, entries, eventValues)) continue;
                if (!Selected(i, executionNanos)) continue;
                matches.Add((i, g));
            }
        }
        if (matches.Count == 0) return Array.Empty<ThreatEnrichment>();

        var enrichments = new List<ThreatEnrichment>();
        foreach (var (i, g) in matches.OrderBy(m => m.Indicator).ThenBy(m => m.Group))
        {
            var indicator = _indicators[i];
            using var source = JsonDocument.Parse(indicator.Source, new JsonDocumentOptions { MaxDepth = 256 });
            var found = EventFieldValues.Elements(source.RootElement, _settings.IndicatorPath);
            var first = found.Count == 0 ? (JsonElement?)null : found[0].ValueKind == JsonValueKind.Array ? found[0].EnumerateArray().Cast<JsonElement?>().FirstOrDefault() : found[0];
            var indicatorJson = first is { ValueKind: JsonValueKind.Object } o ? o.GetRawText() : "{}";
            var feed = EventFieldValues.Of(source.RootElement, "threat.feed.name").FirstOrDefault();
            foreach (var entry in _settings.Mappings[g].Entries)
            {
                if (enrichments.Count == MaxMatchesPerEvent) return enrichments;
                enrichments.Add(new ThreatEnrichment(indicatorJson, feed.Text, Atomic(root, entry.Field), entry.Field, indicator.Id, indicator.Index));
            }
        }
        return enrichments;
    }

    private bool OtherEntriesHold(int indicator, IReadOnlyList<ThreatMappingEntry> entries, string[] eventValues)
    {
        using var document = JsonDocument.Parse(_indicators[indicator].Source, new JsonDocumentOptions { MaxDepth = 256 });
        for (var e = 1; e < entries.Count; e++)
        {
            if (!EventFieldValues.Of(document.RootElement, entries[e].Value).Any(v => v.Text == eventValues[e])) return false;
        }
        return true;
    }

    /// <summary>Whether the threat query selects the indicator at this execution (remembered per execution time).</summary>
    private bool Selected(int indicator, long executionNanos)
    {
        if (_query is null) return true;
        if (_checkedAt[indicator] != executionNanos)
        {
            _selected[indicator] = _query(_indicators[indicator].Source, executionNanos / 1_000_000);
            _checkedAt[indicator] = executionNanos;
        }
        return _selected[indicator];
    }

    /// <summary>The event's value(s) of the matched field as Kibana copies them (<c>get(source, field)</c>).</summary>
    private static string? Atomic(JsonElement root, string field)
    {
        var elements = EventFieldValues.Elements(root, field);
        return elements.Count switch
        {
            0 => null,
            1 => elements[0].GetRawText(),
            _ => "[" + string.Join(",", elements.Select(e => e.GetRawText())) + "]",
        };
    }
}

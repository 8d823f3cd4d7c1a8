using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using RuleGen.Host;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Tests.Detection;

/// <summary>
/// A rule set made by hand for detection tests: each rule's metadata (schedule, type settings, shaping) and a
/// predicate over the parsed event deciding whether it matches. It evaluates like a generated rule set (so the scan
/// command can run it) but needs no generator.
/// </summary>
public sealed class HandRuleSet : IRuleSet
{
    private readonly List<CompiledRule> _rules = new();
    private readonly List<Func<JsonElement, bool>> _predicates = new();

    public IReadOnlyList<CompiledRule> Rules => _rules;

    public List<CorrelationDefinition> CorrelationList { get; } = new();

    public IReadOnlyList<CorrelationDefinition> Correlations => CorrelationList;

    /// <summary>Adds a rule; <paramref name="matches"/> decides per event (default: every event matches).</summary>
    public CompiledRule Add(RuleInfo info, Func<JsonElement, bool>? matches = null, Func<ReadOnlyMemory<byte>, long, bool>? indicatorQuery = null)
    {
        var predicate = matches ?? (_ => true);
        var rule = new CompiledRule(_rules.Count, info, json => Evaluate(predicate, json.Span)) { IndicatorQuery = indicatorQuery };
        _rules.Add(rule);
        _predicates.Add(predicate);
        return rule;
    }

    private static bool Evaluate(Func<JsonElement, bool> predicate, ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        return predicate(document.RootElement);
    }

    public int Evaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches)
    {
        using var document = JsonDocument.Parse(utf8Json.ToArray());
        var count = 0;
        for (var i = 0; i < _rules.Count; i++)
        {
            if (!_predicates[i](document.RootElement)) continue;
            if (count < matches.Length) matches[count] = i;
            count++;
        }
        return count;
    }

    public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                matchCount = 0;
                return false;
            }
            matchCount = Evaluate(utf8Json, matches);
            return true;
        }
        catch (JsonException)
        {
            matchCount = 0;
            return false;
        }
    }

    public bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope) => TryEvaluate(utf8Json, matches, out matchCount);

    /// <summary>A rule's metadata with the fields tests set most.</summary>
    public static RuleInfo Info(string name, string type = "query", string? interval = "5m", string? from = "now-6m", int? maxSignals = null,
        string? timestampOverride = null, ElasticRuleSettings? elastic = null, string severity = "medium", int riskScore = 47, string? buildingBlock = null) => new()
    {
        Id = "rule-" + name.ToLowerInvariant().Replace(' ', '-'),
        Name = name,
        Format = "elastic",
        Type = type,
        Language = "kuery",
        Query = "test",
        SourceFile = "rules/" + name.ToLowerInvariant().Replace(' ', '_') + ".toml",
        Severity = severity,
        RiskScore = riskScore,
        Interval = interval,
        From = from,
        MaxSignals = maxSignals,
        TimestampOverride = timestampOverride,
        BuildingBlockType = buildingBlock,
        Elastic = elastic,
    };
}

/// <summary>Collects the engine's alerts as the scan writes them (JSON text), with whether each was an update.</summary>
public sealed class CollectingSink : IDetectionAlertSink
{
    public List<(string Json, bool Update, DetectionAlert Alert)> Written { get; } = new();

    public void Write(DetectionAlert alert, bool update)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            alert.WriteTo(writer);
        }
        Written.Add((Encoding.UTF8.GetString(stream.ToArray()), update, alert));
    }

    /// <summary>The alerts (new ones, not updates), parsed.</summary>
    public List<JsonElement> Alerts => Written.Where(w => !w.Update).Select(w => JsonDocument.Parse(w.Json).RootElement.Clone()).ToList();

    public List<JsonElement> Updates => Written.Where(w => w.Update).Select(w => JsonDocument.Parse(w.Json).RootElement.Clone()).ToList();
}

/// <summary>Drives a <see cref="DetectionEngine"/> over hand-made events and rules.</summary>
public sealed class DetectionRun
{
    private readonly HandRuleSet _rules;
    private long _line;

    public DetectionRun(HandRuleSet rules, DetectionOptions? options = null, IndicatorSet? indicators = null)
    {
        _rules = rules;
        Sink = new CollectingSink();
        Engine = new DetectionEngine(rules, Sink, options ?? new DetectionOptions(), indicators);
    }

    public CollectingSink Sink { get; }

    public DetectionEngine Engine { get; }

    /// <summary>Feeds one event (matched by the rule set's predicates); returns its line number.</summary>
    public long Event(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var matches = new int[Math.Max(1, _rules.Rules.Count)];
        Assert.True(_rules.TryEvaluate(bytes, matches, out var count), "not an event: " + json);
        Engine.OnEvent(bytes, new EventSource("events.ndjson", ++_line), matches.AsSpan(0, count));
        return _line;
    }

    public DetectionRun Events(IEnumerable<string> events)
    {
        foreach (var e in events) Event(e);
        return this;
    }

    public DetectionRun Finish()
    {
        Engine.Finish();
        return this;
    }

    public List<JsonElement> Alerts => Sink.Alerts;

    /// <summary>Input lines of the alerts, in output order.</summary>
    public long[] AlertLines => Alerts.Select(a => a.GetProperty("rulegen.input.line").GetInt64()).ToArray();
}

/// <summary>Events for tests: JSON text with a time and fields.</summary>
public static class Ev
{
    public static readonly DateTime Base = new(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);

    public static string Time(TimeSpan offset) => (Base + offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An event at <paramref name="minutes"/> after <see cref="Base"/> with extra JSON members (<c>"k":v,...</c>).</summary>
    public static string At(double minutes, string members = "") =>
        "{\"@timestamp\":\"" + Time(TimeSpan.FromMinutes(minutes)) + "\"" + (members.Length > 0 ? "," + members : "") + "}";

    public static DateTime Tick(double minutes) => Base + TimeSpan.FromMinutes(minutes);

    public static string Iso(double minutes) => Time(TimeSpan.FromMinutes(minutes));
}

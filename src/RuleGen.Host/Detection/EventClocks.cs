using System.Text;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>
/// The event times the rules of a rule set run on. A rule's time is its <c>timestamp_override</c> field, falling back
/// to <c>@timestamp</c> when an event lacks it (Kibana searches the override first and, unless
/// <c>timestamp_override_fallback_disabled</c>, events without it by <c>@timestamp</c>), or <c>@timestamp</c> alone.
/// Each distinct time field is a clock; <see cref="Read"/> reads every clock's time of one event in one pass over its
/// bytes, allocation-free.
/// </summary>
public sealed class EventClocks
{
    /// <summary>The field every clock falls back to.</summary>
    public const string Timestamp = "@timestamp";

    private readonly byte[][] _fields;
    private readonly int[] _primary;

    public EventClocks(IEnumerable<string?> timestampOverrides)
    {
        var fields = new List<string> { Timestamp };
        var clocks = new List<string> { Timestamp };
        foreach (var field in timestampOverrides.Where(f => !string.IsNullOrEmpty(f) && f != Timestamp).Distinct().Order(StringComparer.Ordinal))
        {
            fields.Add(field!);
            clocks.Add(field!);
        }
        Fields = fields;
        Names = clocks;
        _fields = fields.Select(Encoding.UTF8.GetBytes).ToArray();
        _primary = clocks.Select(c => fields.IndexOf(c)).ToArray();
    }

    /// <summary>The clocks of a rule set's rules (by their <c>timestamp_override</c>).</summary>
    /// <remarks>A rule whose run settings the set gives (<see cref="IRuleSet.RunSettingsOf"/>) has its metadata left unread.</remarks>
    public static EventClocks Of(IRuleSet ruleSet) =>
        new(ruleSet.Rules.Select(r => ruleSet.RunSettingsOf(r.Index) is { } settings ? settings.TimestampOverride : r.Info.TimestampOverride));

    /// <summary>The time fields read from each event (<c>@timestamp</c> first).</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Each clock's primary field (clock 0 is <c>@timestamp</c>).</summary>
    public IReadOnlyList<string> Names { get; }

    public int Count => Names.Count;

    /// <summary>The clock of a rule: its <c>timestamp_override</c>, else <c>@timestamp</c>.</summary>
    public int ClockOf(RuleInfo rule) => ClockOf(rule.TimestampOverride, rule);

    /// <summary>
    /// The clock of a rule whose <c>timestamp_override</c> is <paramref name="timestampOverride"/>; <paramref name="rule"/>
    /// names it in the error only, so a rule whose metadata is not decoded stays so.
    /// </summary>
    public int ClockOf(string? timestampOverride, object rule)
    {
        var field = string.IsNullOrEmpty(timestampOverride) ? Timestamp : timestampOverride;
        for (var i = 0; i < Names.Count; i++)
        {
            if (Names[i] == field) return i;
        }
        throw new ArgumentException($"Rule {rule} has a timestamp field this clock set does not know.", nameof(timestampOverride));
    }

    /// <summary>
    /// Reads the event's time on every clock (nanoseconds since the epoch; <see cref="EventTime.Missing"/> when neither
    /// the clock's field nor <c>@timestamp</c> holds a date). A field's first date value counts, as Elasticsearch
    /// sorts a multi-valued date by its first value; dates are <c>strict_date_optional_time||epoch_millis</c>.
    /// </summary>
    /// <param name="json">One well-formed JSON object.</param>
    /// <param name="times">One entry per clock.</param>
    public void Read(ReadOnlySpan<byte> json, Span<long> times)
    {
        Span<long> fieldTimes = stackalloc long[_fields.Length];
        ReadFields(json, fieldTimes);
        for (var c = 0; c < _primary.Length; c++)
        {
            var primary = fieldTimes[_primary[c]];
            times[c] = primary != EventTime.Missing ? primary : fieldTimes[0];
        }
    }

    private void ReadFields(ReadOnlySpan<byte> json, Span<long> fieldTimes)
    {
        fieldTimes.Fill(EventTime.Missing);
        var remaining = _fields.Length;
        Span<byte> path = stackalloc byte[512];
        Span<int> pathLengths = stackalloc int[64];
        Span<byte> keyBuffer = stackalloc byte[256];
        var depth = 0; // objects entered below the root that are on some field's path
        var pathLength = 0;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
            while (remaining > 0 && reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    if (depth == 0) return;
                    depth--;
                    pathLength = depth == 0 ? 0 : pathLengths[depth - 1];
                    continue;
                }
                if (reader.TokenType != JsonTokenType.PropertyName) continue;
                scoped ReadOnlySpan<byte> key;
                if (reader.ValueIsEscaped || reader.HasValueSequence)
                {
                    if (reader.ValueSpan.Length > keyBuffer.Length) { Skip(ref reader); continue; }
                    var written = reader.CopyString(keyBuffer);
                    key = keyBuffer[..written];
                }
                else
                {
                    key = reader.ValueSpan;
                }
                var start = pathLength;
                var needed = start + (start > 0 ? 1 : 0) + key.Length;
                if (needed > path.Length) { Skip(ref reader); continue; }
                if (start > 0) path[start] = (byte)'.';
                key.CopyTo(path[(start > 0 ? start + 1 : 0)..]);
                var full = path[..needed];

                var target = IndexOf(full);
                if (!reader.Read()) return;
                if (target >= 0)
                {
                    if (fieldTimes[target] == EventTime.Missing && TryReadTime(ref reader, out var nanos))
                    {
                        fieldTimes[target] = nanos;
                        remaining--;
                    }
                    else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                    }
                    continue;
                }
                if (reader.TokenType == JsonTokenType.StartObject && IsPrefix(full) && depth < pathLengths.Length)
                {
                    pathLengths[depth] = needed;
                    depth++;
                    pathLength = needed;
                    continue;
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            }
        }
        catch (JsonException)
        {
            // A malformed event has no time; the rule set reports the line.
        }
    }

    private static void Skip(ref Utf8JsonReader reader)
    {
        if (reader.Read() && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
    }

    private int IndexOf(ReadOnlySpan<byte> path)
    {
        for (var i = 0; i < _fields.Length; i++)
        {
            if (path.SequenceEqual(_fields[i])) return i;
        }
        return -1;
    }

    private bool IsPrefix(ReadOnlySpan<byte> path)
    {
        foreach (var field in _fields)
        {
            if (field.Length > path.Length && field[path.Length] == (byte)'.' && field.AsSpan().StartsWith(path)) return true;
        }
        return false;
    }

    /// <summary>The date at the reader (a string or a number, or an array's first element); the reader ends on the value.</summary>
    private static bool TryReadTime(ref Utf8JsonReader reader, out long nanos)
    {
        nanos = EventTime.Missing;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            if (!reader.Read()) return false;
            var found = TryReadScalarTime(ref reader, out nanos);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            while (reader.TokenType != JsonTokenType.EndArray && reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            }
            return found;
        }
        return TryReadScalarTime(ref reader, out nanos);
    }

    private static bool TryReadScalarTime(ref Utf8JsonReader reader, out long nanos)
    {
        nanos = EventTime.Missing;
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number)) return false;
        Span<byte> buffer = stackalloc byte[64];
        scoped ReadOnlySpan<byte> text;
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            if (reader.ValueSpan.Length > buffer.Length) return false;
            text = buffer[..reader.CopyString(buffer)];
        }
        else
        {
            text = reader.ValueSpan;
        }
        if (!ElasticDate.TryParse(text, roundUp: false, out var millis) || millis is < -9_000_000_000_000L or > 9_000_000_000_000L) return false;
        nanos = millis * 1_000_000;
        return true;
    }
}

using System.Text;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

/// <summary>
/// The event times the rules of a rule set run on. A rule's time is the first of its time fields that holds a date: an
/// Elastic rule's <c>timestamp_override</c>, falling back to <c>@timestamp</c> when an event lacks it (Kibana searches
/// the override first and, unless <c>timestamp_override_fallback_disabled</c>, events without it by
/// <c>@timestamp</c>), or <c>@timestamp</c> alone; a Sigma rule's profile lists its own fields
/// (<see cref="RuleRunSettings.TimeFields"/>). Each distinct list is a clock; <see cref="Read"/> reads every clock's
/// time of one event in one pass over its bytes, allocation-free.
/// </summary>
public sealed class EventClocks
{
    /// <summary>The field every Elastic clock falls back to; clock 0 is it alone.</summary>
    public const string Timestamp = "@timestamp";

    private readonly byte[][] _fields;
    private readonly int[][] _clockFields;
    private readonly List<IReadOnlyList<string>> _lists;

    /// <summary>Clocks for rules with these <c>timestamp_override</c>s (Elastic rules).</summary>
    public EventClocks(IEnumerable<string?> timestampOverrides)
        : this(timestampOverrides.Select(RuleRunSettings.DefaultTimeFields))
    {
    }

    /// <summary>Clocks for rules with these time-field lists (each: the first field that holds a date counts).</summary>
    public EventClocks(IEnumerable<IReadOnlyList<string>> timeFields)
    {
        var fields = new List<string> { Timestamp };
        _lists = new List<IReadOnlyList<string>> { new[] { Timestamp } };
        var others = timeFields.Where(l => l.Count > 0 && !(l.Count == 1 && l[0] == Timestamp))
            .Select(l => (IReadOnlyList<string>)l.Distinct().ToArray())
            .GroupBy(NameOf, StringComparer.Ordinal).Select(g => g.First())
            .OrderBy(NameOf, StringComparer.Ordinal);
        _lists.AddRange(others);
        foreach (var field in _lists.SelectMany(l => l))
        {
            if (!fields.Contains(field)) fields.Add(field);
        }
        Fields = fields;
        Names = _lists.Select(NameOf).ToList();
        _fields = fields.Select(Encoding.UTF8.GetBytes).ToArray();
        _clockFields = _lists.Select(l => l.Select(f => fields.IndexOf(f)).ToArray()).ToArray();
    }

    /// <summary>
    /// A clock's name (what <c>--state</c> files record, so older files keep theirs): <c>@timestamp</c> for clock 0, the
    /// field for Kibana's pair (field, then <c>@timestamp</c>), else the fields joined by <c>|</c> (a single other
    /// field with a trailing <c>|</c>, so that it is not taken for the pair).
    /// </summary>
    public static string NameOf(IReadOnlyList<string> timeFields) =>
        timeFields.Count == 1 && timeFields[0] == Timestamp ? Timestamp
        : timeFields.Count == 2 && timeFields[1] == Timestamp ? timeFields[0]
        : timeFields.Count == 1 ? timeFields[0] + "|"
        : string.Join("|", timeFields);

    /// <summary>The clocks of a rule set's rules and correlations.</summary>
    /// <remarks>A rule whose run settings the set gives (<see cref="IRuleSet.RunSettingsOf"/>) has its metadata left unread.</remarks>
    public static EventClocks Of(IRuleSet ruleSet, IReadOnlyList<CorrelationDefinition>? correlations = null) =>
        new(ruleSet.Rules.Select(r => TimeFieldsOf(ruleSet.RunSettingsOf(r.Index), r))
            .Append(CorrelationTimeFields(correlations ?? ruleSet.Correlations)));

    /// <summary>A rule's time fields: from its run settings when the set gives them, else from its metadata.</summary>
    public static IReadOnlyList<string> TimeFieldsOf(RuleRunSettings? settings, CompiledRule rule) =>
        settings is not null ? settings.ResolvedTimeFields : RuleRunSettings.DefaultTimeFields(rule.Info.TimestampOverride);

    /// <summary>
    /// The one clock every correlation runs on (they share a time order): the time fields of each correlation in turn,
    /// without repeats; <c>@timestamp</c> when none names any.
    /// </summary>
    public static IReadOnlyList<string> CorrelationTimeFields(IReadOnlyList<CorrelationDefinition> correlations)
    {
        var fields = correlations.SelectMany(c => c.TimeFields).Distinct().ToArray();
        return fields.Length == 0 ? new[] { Timestamp } : fields;
    }

    /// <summary>The time fields read from each event (<c>@timestamp</c> first).</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Each clock's name (<see cref="NameOf"/>; clock 0 is <c>@timestamp</c>).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Each clock's time fields, in the order they are tried.</summary>
    public IReadOnlyList<IReadOnlyList<string>> TimeFields => _lists;

    public int Count => Names.Count;

    /// <summary>The clock of a rule from its metadata: its <c>timestamp_override</c>, else <c>@timestamp</c>.</summary>
    public int ClockOf(RuleInfo rule) => ClockOf(RuleRunSettings.DefaultTimeFields(rule.TimestampOverride), rule);

    /// <summary>
    /// The clock of a rule whose <c>timestamp_override</c> is <paramref name="timestampOverride"/>; <paramref name="rule"/>
    /// names it in the error only, so a rule whose metadata is not decoded stays so.
    /// </summary>
    public int ClockOf(string? timestampOverride, object rule) => ClockOf(RuleRunSettings.DefaultTimeFields(timestampOverride), rule);

    /// <summary>The clock of these time fields; <paramref name="rule"/> names the rule in the error only.</summary>
    public int ClockOf(IReadOnlyList<string> timeFields, object rule)
    {
        var name = NameOf(timeFields.Distinct().ToArray());
        for (var i = 0; i < Names.Count; i++)
        {
            if (Names[i] == name) return i;
        }
        throw new ArgumentException($"Rule {rule} has time fields this clock set does not know.", nameof(timeFields));
    }

    /// <summary>
    /// Reads the event's time on every clock (nanoseconds since the epoch; <see cref="EventTime.Missing"/> when none of
    /// the clock's fields holds a date). A field's first date value counts, as Elasticsearch sorts a multi-valued date
    /// by its first value. Dates are <c>strict_date_optional_time||epoch_millis</c>, and also what Windows logs hold,
    /// read as UTC when they name no offset: a space for the <c>T</c> (python-evtx's <c>2017-08-30 19:13:38.198483</c>,
    /// Sysmon's <c>UtcTime</c> <c>2026-07-28 11:44:53.919</c>) and fractions to the nanosecond (evtx_dump's
    /// <c>2017-08-30T19:13:38.198483Z</c>).
    /// </summary>
    /// <param name="json">One well-formed JSON object.</param>
    /// <param name="times">One entry per clock.</param>
    public void Read(ReadOnlySpan<byte> json, Span<long> times)
    {
        Span<long> fieldTimes = stackalloc long[_fields.Length];
        ReadFields(json, fieldTimes);
        for (var c = 0; c < _clockFields.Length; c++)
        {
            var time = EventTime.Missing;
            foreach (var field in _clockFields[c])
            {
                time = fieldTimes[field];
                if (time != EventTime.Missing) break;
            }
            times[c] = time;
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
        if (ElasticDate.TryParse(text, roundUp: false, out var millis))
        {
            if (millis is < -9_000_000_000_000L or > 9_000_000_000_000L) return false;
            nanos = millis * 1_000_000;
            return true;
        }
        // Windows logs' own shapes (a space for the T; no offset: UTC); EventTime keeps the fraction to the nanosecond.
        return reader.TokenType == JsonTokenType.String && EventTime.TryParse(text, out nanos);
    }
}

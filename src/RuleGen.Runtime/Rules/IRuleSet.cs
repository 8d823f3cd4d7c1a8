namespace RuleGen.Runtime;

/// <summary>
/// What a generated rule set answers about any of its rules by index: its metadata and its matcher alone. A set of
/// thousands of rules builds its <see cref="CompiledRule"/>s in one loop over this, instead of a type initializer with
/// a delegate per rule, and decodes a rule's metadata only when someone asks for it.
/// </summary>
public interface IRuleDispatch
{
    /// <summary>The rule's metadata (each rule caches its own).</summary>
    RuleInfo InfoOf(int rule);

    /// <summary>Evaluates the rule alone on one UTF-8 JSON event; false for malformed JSON.</summary>
    bool IsMatch(int rule, ReadOnlySpan<byte> utf8Json, MatchScope scope);
}

/// <summary>
/// The settings of a rule's metadata that decide how a host schedules a single-event rule (Kibana's <c>interval</c>,
/// <c>from</c>, <c>max_signals</c>, <c>timestamp_override</c>), as the rule file states them; null: not set.
/// </summary>
public sealed record RuleRunSettings(string? Interval, string? From, int? MaxSignals, string? TimestampOverride)
{
    /// <summary>
    /// Where an event's time is, in order: the first of these fields that holds a date is the event's time. Null: the
    /// rule's <see cref="TimestampOverride"/>, then <c>@timestamp</c> (Kibana's rule). A Sigma rule has its profile's
    /// list (flat: <c>@timestamp</c>, then the Windows event's <c>TimeCreated</c> in its exported shapes, then
    /// Sysmon's <c>UtcTime</c>; ecs: <c>@timestamp</c>), which a Sigma config can replace.
    /// </summary>
    public IReadOnlyList<string>? TimeFields { get; init; }

    /// <summary>
    /// The rule's format (<see cref="RuleInfo.Format"/>: "elastic" or "sigma"), which decides what an unset
    /// <see cref="MaxSignals"/> means: Kibana's default of 100 for Elastic rules, no cap for Sigma rules.
    /// </summary>
    public string? Format { get; init; }

    /// <summary>The time fields of these settings, resolved: <see cref="TimeFields"/>, or the override then <c>@timestamp</c>.</summary>
    public IReadOnlyList<string> ResolvedTimeFields => TimeFields is { Count: > 0 } fields ? fields : DefaultTimeFields(TimestampOverride);

    /// <summary>Kibana's time of an event for a rule with this <c>timestamp_override</c> (or none): it, then <c>@timestamp</c>.</summary>
    public static IReadOnlyList<string> DefaultTimeFields(string? timestampOverride) =>
        string.IsNullOrEmpty(timestampOverride) || timestampOverride == "@timestamp" ? s_timestamp : new[] { timestampOverride!, "@timestamp" };

    private static readonly string[] s_timestamp = { "@timestamp" };

    // Equality covers the lists by content (a record would compare their references).
    public bool Equals(RuleRunSettings? other) =>
        other is not null && Interval == other.Interval && From == other.From && MaxSignals == other.MaxSignals
        && TimestampOverride == other.TimestampOverride && Format == other.Format
        && (TimeFields ?? Array.Empty<string>()).SequenceEqual(other.TimeFields ?? Array.Empty<string>());

    public override int GetHashCode() => HashCode.Combine(Interval, From, MaxSignals, TimestampOverride, Format, TimeFields?.Count ?? 0);
}

/// <summary>One compiled rule: its metadata and its matcher.</summary>
public sealed class CompiledRule
{
    private readonly Func<ReadOnlyMemory<byte>, bool>? _isMatch;
    private readonly Func<ReadOnlyMemory<byte>, bool>? _isDetectionMatch;
    private readonly IRuleDispatch? _dispatch;
    private RuleInfo? _info;

    public CompiledRule(int index, RuleInfo info, Func<ReadOnlyMemory<byte>, bool> isMatch,
        Func<ReadOnlyMemory<byte>, bool>? isDetectionMatch = null)
    {
        Index = index;
        _info = info;
        _isMatch = isMatch;
        _isDetectionMatch = isDetectionMatch ?? isMatch;
    }

    /// <summary>Rule <paramref name="index"/> of a generated rule set; its metadata is read when first asked for.</summary>
    public CompiledRule(int index, IRuleDispatch dispatch)
    {
        Index = index;
        _dispatch = dispatch;
    }

    /// <summary>The rule's position in its rule set (what <see cref="IRuleSet.Evaluate"/> reports).</summary>
    public int Index { get; }

    public RuleInfo Info
    {
        get
        {
            var info = Volatile.Read(ref _info);
            if (info is not null) return info;
            // The dispatch caches each rule's metadata, so threads that race here get the same instance.
            info = _dispatch!.InfoOf(Index);
            Volatile.Write(ref _info, info);
            return info;
        }
    }

    /// <summary>
    /// For a multi-event rule (EQL sequence or sample), its definition; null for single-event rules. A sequence rule
    /// never matches a single event (<see cref="IsMatch(ReadOnlyMemory{byte})"/> is false): a
    /// <see cref="SequenceEngine"/> joins the steps its events match.
    /// </summary>
    public SequenceDefinition? Sequence { get; init; }

    /// <summary>
    /// For a threat_match rule, its compiled threat query and threat filters over indicator documents: whether an
    /// indicator (UTF-8 JSON) is selected when the rule runs at a time (epoch milliseconds, what the query's date math
    /// calls now). Null for other rules, and for a threat_match rule without a threat query (every indicator is).
    /// </summary>
    public Func<ReadOnlyMemory<byte>, long, bool>? IndicatorQuery { get; init; }

    /// <summary>Evaluates this rule alone (convenience; the generated static <c>IsMatch</c> takes a span).</summary>
    public bool IsMatch(ReadOnlyMemory<byte> utf8Json) => IsMatch(utf8Json, MatchScope.Full);

    /// <summary>Evaluates this rule alone with the given meaning of a match.</summary>
    public bool IsMatch(ReadOnlyMemory<byte> utf8Json, MatchScope scope) =>
        _dispatch is not null ? _dispatch.IsMatch(Index, utf8Json.Span, scope)
        : scope == MatchScope.DetectionOnly ? _isDetectionMatch!(utf8Json) : _isMatch!(utf8Json);

    public override string ToString() => Info.ToString();
}

/// <summary>
/// Every compiled rule of a compilation, evaluated together: one pass over each event's bytes extracts the fields
/// any rule reads, then each rule's condition runs on them.
/// </summary>
public interface IRuleSet
{
    /// <summary>The rules, in a stable order (by source file path).</summary>
    IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>
    /// The Sigma correlation rules of the rule folders, which a host evaluates over the matches of the rules they
    /// name (empty when there are none).
    /// </summary>
    IReadOnlyList<CorrelationDefinition> Correlations => Array.Empty<CorrelationDefinition>();

    /// <summary>
    /// How rule <paramref name="rule"/> runs, when that is all its metadata says about running it: a single-event query
    /// (KQL, EQL, Sigma) with no threshold, new_terms or threat_match settings. Null otherwise, or when the set does not
    /// say: the host reads the metadata. A rule set of thousands of rules decodes a rule's metadata only when asked, so
    /// with this a host sets such rules up without decoding any.
    /// </summary>
    RuleRunSettings? RunSettingsOf(int rule) => null;

    /// <summary>
    /// Evaluates every rule against one UTF-8 JSON event and writes the indexes of the matching rules into
    /// <paramref name="matches"/> (in rule order). Returns how many rules matched; when that is more than
    /// <paramref name="matches"/> holds, only the first ones are written. Allocates nothing.
    /// </summary>
    /// <exception cref="System.Text.Json.JsonException">The bytes are not one well-formed JSON object.</exception>
    int Evaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches);

    /// <summary>Like <see cref="Evaluate"/>, but returns false instead of throwing on a malformed event.</summary>
    bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount);

    /// <summary>
    /// Like <see cref="TryEvaluate(ReadOnlySpan{byte}, Span{int}, out int)"/>, choosing what a match means:
    /// <see cref="MatchScope.DetectionOnly"/> skips the conditions a rule format adds around the query (a Sigma
    /// rule's logsource), as reference evaluators that judge the detection alone do.
    /// </summary>
    bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope);

    /// <summary>
    /// Like <see cref="TryEvaluate(ReadOnlySpan{byte}, Span{int}, out int, MatchScope)"/>, and in the same pass over
    /// the event tells <paramref name="sequences"/> which steps of each sequence rule the event matches. A rule set
    /// without sequence rules ignores the sink.
    /// </summary>
    bool TryEvaluate(ReadOnlySpan<byte> utf8Json, Span<int> matches, out int matchCount, MatchScope scope, ISequenceSink? sequences) =>
        TryEvaluate(utf8Json, matches, out matchCount, scope);
}

/// <summary>What a match means.</summary>
public enum MatchScope
{
    /// <summary>The rule's whole condition: its logsource (Sigma) and its query.</summary>
    Full,

    /// <summary>The query alone (Sigma detection without logsource).</summary>
    DetectionOnly,
}

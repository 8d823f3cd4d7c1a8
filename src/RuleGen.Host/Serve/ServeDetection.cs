using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Host.Serve;

/// <summary>
/// The detection of one partition in <c>rulegen serve</c>: the same <see cref="DetectionEngine"/> and EQL
/// <see cref="SequenceState"/> a scan uses, fed the same way (<c>ScanCommand</c>'s stage b), whose alerts are kept
/// until the caller publishes them. Its state is saved and restored with the scan's layout (<c>engine</c>,
/// <c>sequences</c>) in a checksummed <see cref="StateFile"/> blob, with the stream sequence it covers.
/// </summary>
public sealed class ServeDetection : IDetectionAlertSink
{
    public const string FormatName = "rulegen-serve-state/1";

    private readonly IRuleSet _ruleSet;
    private readonly ISequenceSink? _sequenceSink;
    private readonly int[] _matches;
    private readonly int[] _discarded;

    public ServeDetection(IRuleSet ruleSet, DetectionOptions options)
    {
        _ruleSet = ruleSet;
        Engine = new DetectionEngine(ruleSet, this, options);
        Sequences = new SequenceState(ruleSet, Engine.OnSequence);
        _sequenceSink = Sequences.HasSequenceRules ? Sequences : null;
        _matches = new int[Math.Max(1, ruleSet.Rules.Count)];
        _discarded = new int[Math.Max(1, ruleSet.Rules.Count)];
    }

    public DetectionEngine Engine { get; }

    public SequenceState Sequences { get; }

    /// <summary>Alerts raised since <see cref="TakeAlerts"/>, in the engine's order, with whether each updates one before.</summary>
    public List<(DetectionAlert Alert, bool Update)> Alerts { get; } = new();

    /// <summary>
    /// One message: false when it is not a JSON object event (nothing changed). As in a scan: the rules' verdicts,
    /// then (with sequence rules) the event's sequence steps, then the engine.
    /// </summary>
    public bool OnEvent(ReadOnlySpan<byte> json, EventSource source)
    {
        if (json.IndexOfAnyExcept(" \t\r\n"u8) < 0) return false;
        var clock = ServeProfile.Start();
        if (!_ruleSet.TryEvaluate(json, _matches, out var count)) return false;
        if (_sequenceSink is not null)
        {
            Sequences.Engine.CurrentSource = source;
            Sequences.BeginEvent();
            _ruleSet.TryEvaluate(json, _discarded, out _, MatchScope.Full, _sequenceSink);
            clock = ServeProfile.Add(ServeProfile.Phase.Rules, clock);
            Sequences.EndEvent(json, source);
        }
        else
        {
            clock = ServeProfile.Add(ServeProfile.Phase.Rules, clock);
        }
        Engine.OnEvent(json, source, _matches.AsSpan(0, count));
        ServeProfile.Add(ServeProfile.Phase.Engine, clock);
        return true;
    }

    void IDetectionAlertSink.Write(DetectionAlert alert, bool update) => Alerts.Add((alert, update));

    /// <summary>The state and the stream sequence it covers, as checkpoint bytes.</summary>
    public byte[] Save(ulong coveredSequence, long events) => StateFile.Encode(writer =>
    {
        writer.WriteString("format", FormatName);
        writer.WriteNumber("sequence", coveredSequence);
        writer.WriteNumber("events", events);
        StateFormat.WriteDetection(writer, Engine, Sequences);
    });

    /// <summary>Restores checkpoint bytes (before any event); returns the stream sequence and event count they cover.</summary>
    /// <exception cref="InvalidDataException">The bytes are damaged or not a serve checkpoint.</exception>
    public (ulong Sequence, long Events) Load(byte[] bytes)
    {
        try
        {
            StateFile.Check(bytes, []);
        }
        catch (StateFile.CorruptException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }
        using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 512 });
        var root = document.RootElement;
        if (!root.TryGetProperty("format", out var format) || format.GetString() != FormatName)
            throw new InvalidDataException($"not a rulegen serve checkpoint (expected format {FormatName})");
        StateFormat.ReadDetection(root, Engine, Sequences);
        return (root.GetProperty("sequence").GetUInt64(), root.GetProperty("events").GetInt64());
    }
}

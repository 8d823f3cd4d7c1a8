using System.Globalization;
using System.Text;
using System.Text.Json;
using RuleGen.Host.Detection;
using RuleGen.Runtime;

namespace RuleGen.Host.Output;

/// <summary>
/// One alert as a timeline line: hayabusa's columns. Read from the alert's own data (its rule, its time, its source
/// event's bytes) in one forward pass over the event, without building a document.
/// </summary>
public sealed record TimelineRow(string Timestamp, string Computer, string Channel, string EventId, string Level, string RuleTitle, string Details)
{
    /// <summary>The timeline's columns, in order (hayabusa's names).</summary>
    public static readonly string[] Columns = { "Timestamp", "Computer", "Channel", "EventID", "Level", "RuleTitle", "Details" };

    /// <summary>What a column holds when the event has no such field (hayabusa's placeholder).</summary>
    public const string Missing = "-";

    public string this[int column] => column switch
    {
        0 => Timestamp, 1 => Computer, 2 => Channel, 3 => EventId, 4 => Level, 5 => RuleTitle, _ => Details,
    };

    /// <summary>The alert's level: a mapped severity, else the Sigma level (informational kept), else the rule's severity.</summary>
    public static string LevelOf(DetectionAlert alert) =>
        alert.Overrides.Severity ?? alert.Rule.Info.Sigma?.Level ?? alert.Rule.Info.Severity;

    /// <summary>ISO 8601 in UTC with milliseconds, as the alert documents write times.</summary>
    public static string FormatTime(long nanos) =>
        new DateTime(DateTime.UnixEpoch.Ticks + nanos / 100, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// Reads the timeline columns of alerts. One instance per scan (it reuses its buffers; not thread-safe: alerts are
/// written in stage b, on one thread).
/// </summary>
public sealed class TimelineRowReader
{
    private readonly EventFieldReader _fields = new();

    /// <summary>The row of <paramref name="alert"/>; <paramref name="details"/> false leaves Details empty (cheaper).</summary>
    public TimelineRow Read(DetectionAlert alert, bool details)
    {
        var info = alert.Rule.Info;
        var title = alert.Overrides.RuleName ?? info.Name;
        var level = TimelineRow.LevelOf(alert);
        var time = TimelineRow.FormatTime(alert.OriginalTimeNanos);
        switch (alert)
        {
            case EventAlert e:
                _fields.Read(e.Json.Span, details);
                break;
            case SequenceAlert s:
                // The sequence's last event: the one that completed it, at the alert's time.
                _fields.Read(s.Match.Events[^1].Json.Span, details);
                break;
            case ThresholdAlert t:
                // A threshold alert has no single event: its group's fields are what it is about.
                _fields.Read(t.SourceDocument(), details);
                break;
            default:
                _fields.Clear();
                break;
        }
        return new TimelineRow(time, _fields.Computer ?? TimelineRow.Missing, _fields.Channel ?? TimelineRow.Missing,
            _fields.EventId ?? TimelineRow.Missing, level, title, details ? _fields.Details() : "");
    }
}

/// <summary>
/// Finds an event's computer, channel, event id and key fields in any of the shapes RuleGen reads: Windows events
/// flattened (<c>Computer</c>, <c>Channel</c>, <c>EventID</c>, event data at the top), as evtx JSON
/// (<c>Event.System.*</c>, <c>Event.EventData.*</c>), and ECS (<c>host.name</c>, <c>event.code</c>,
/// <c>winlog.*</c>), with dotted keys or nested objects alike.
/// </summary>
public sealed class EventFieldReader
{
    private char[] _path = new char[256];
    private readonly List<(string Name, string Value, Kind Kind)> _candidates = new();
    private int _computerRank, _channelRank, _eventIdRank;

    public string? Computer { get; private set; }
    public string? Channel { get; private set; }
    public string? EventId { get; private set; }
    public string? Provider { get; private set; }

    private enum Kind { Flat, EventData, WinlogEventData, Ecs }

    public void Clear()
    {
        Computer = Channel = EventId = Provider = null;
        _computerRank = _channelRank = _eventIdRank = int.MaxValue;
        _candidates.Clear();
    }

    /// <summary>Reads <paramref name="json"/> (one JSON object); invalid JSON leaves what was found before it.</summary>
    public void Read(ReadOnlySpan<byte> json, bool details)
    {
        Clear();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        Span<int> starts = stackalloc int[64];
        var depth = 0;
        var length = 0;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    if (depth == 0) return;
                    length = starts[--depth];
                    continue;
                }
                if (reader.TokenType != JsonTokenType.PropertyName) continue;
                var start = length;
                var nameLength = reader.HasValueSequence || reader.ValueIsEscaped ? reader.GetString()!.Length : reader.ValueSpan.Length;
                EnsurePath(length + 1 + nameLength * 3);
                if (length > 0) _path[length++] = '.';
                length += reader.CopyString(_path.AsSpan(length));
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    if (depth == starts.Length) { reader.Skip(); length = start; continue; }
                    starts[depth++] = start;
                    continue;
                }
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    reader.Skip();
                    length = start;
                    continue;
                }
                OnValue(_path.AsSpan(0, length), ref reader, details);
                length = start;
            }
        }
        catch (JsonException)
        {
            // A row from what was read: the alert itself is still written.
        }
    }

    private void EnsurePath(int needed)
    {
        if (needed > _path.Length) Array.Resize(ref _path, Math.Max(needed, _path.Length * 2));
    }

    private void OnValue(ReadOnlySpan<char> path, ref Utf8JsonReader reader, bool details)
    {
        switch (path)
        {
            case "Computer" or "Event.System.Computer":
                Take(ref reader, 0, ref _computerRank, v => Computer = v);
                return;
            case "host.name" or "winlog.computer_name":
                Take(ref reader, 1, ref _computerRank, v => Computer = v);
                return;
            case "host.hostname":
                Take(ref reader, 2, ref _computerRank, v => Computer = v);
                return;
            case "Channel" or "Event.System.Channel" or "winlog.channel":
                Take(ref reader, 0, ref _channelRank, v => Channel = v);
                return;
            case "event.provider":
                Take(ref reader, 1, ref _channelRank, v => Channel = v);
                return;
            case "event.dataset":
                Take(ref reader, 2, ref _channelRank, v => Channel = v);
                return;
            case "EventID" or "Event.System.EventID" or "Event.System.EventID.#text" or "winlog.event_id":
                Take(ref reader, 0, ref _eventIdRank, v => EventId = v);
                return;
            case "event.code":
                Take(ref reader, 1, ref _eventIdRank, v => EventId = v);
                return;
            case "Provider_Name" or "Event.System.Provider.#attributes.Name" or "winlog.provider_name":
                Provider ??= Text(ref reader);
                return;
        }
        if (!details) return;
        if (path.StartsWith("Event.EventData.")) Add(path["Event.EventData.".Length..], ref reader, Kind.EventData);
        else if (path.StartsWith("Event.UserData.")) Add(path[(path.LastIndexOf('.') + 1)..], ref reader, Kind.EventData);
        else if (path.StartsWith("winlog.event_data.")) Add(path["winlog.event_data.".Length..], ref reader, Kind.WinlogEventData);
        else if (EcsKeyLookup.ContainsKey(path)) Add(path, ref reader, Kind.Ecs);
        else if (path.IndexOf('.') < 0 && !IsFlatSystemField(path)) Add(path, ref reader, Kind.Flat);
    }

    private void Take(ref Utf8JsonReader reader, int rank, ref int current, Action<string> set)
    {
        if (rank >= current) return;
        var text = Text(ref reader);
        if (text.Length == 0) return;
        current = rank;
        set(text);
    }

    private void Add(ReadOnlySpan<char> name, ref Utf8JsonReader reader, Kind kind)
    {
        var value = Text(ref reader);
        // Empty and placeholder values say nothing (hayabusa leaves them out too).
        if (value.Length == 0 || value == "-") return;
        _candidates.Add((name.ToString(), value, kind));
    }

    private static string Text(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString() ?? "",
        JsonTokenType.Null => "",
        _ => Encoding.UTF8.GetString(reader.ValueSpan),
    };

    /// <summary>The System part of a flattened Windows event (not its event data).</summary>
    private static bool IsFlatSystemField(ReadOnlySpan<char> name) =>
        name is "EventID" or "Version" or "Level" or "Task" or "Opcode" or "Keywords" or "EventRecordID" or "Channel" or "Computer"
            or "@timestamp" or "Provider_Name" or "Provider_Guid" or "EventID_Qualifiers" or "Qualifiers"
        || name.StartsWith("TimeCreated") || name.StartsWith("Correlation_") || name.StartsWith("Execution_") || name.StartsWith("Security_")
        || name.StartsWith("Provider_");

    /// <summary>ECS fields that say what an event is about, with the short labels the timeline gives them.</summary>
    private static readonly (string Field, string Label)[] EcsKeyFieldOrder =
    {
        ("process.command_line", "Cmdline"), ("process.executable", "Proc"), ("process.pid", "PID"),
        ("process.parent.command_line", "ParentCmdline"), ("process.parent.executable", "ParentProc"), ("user.name", "User"),
        ("source.ip", "SrcIP"), ("source.port", "SrcPort"), ("destination.ip", "TgtIP"),
        ("destination.port", "TgtPort"), ("file.path", "Path"), ("registry.path", "TgtObj"),
        ("dns.question.name", "Query"), ("url.full", "URL"), ("event.action", "Action"),
        ("event.outcome", "Outcome"), ("powershell.file.script_block_text", "ScriptBlock"), ("message", "Message"),
    };

    private static readonly Dictionary<string, string> EcsKeyFields = EcsKeyFieldOrder.ToDictionary(f => f.Field, f => f.Label, StringComparer.Ordinal);

    /// <summary>Looks a field path up without making a string of it.</summary>
    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> EcsKeyLookup = EcsKeyFields.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Well-known Windows events and the event data fields the timeline shows for them, in order, with short labels,
    /// chosen as hayabusa's default details choose (the command line and image of a process creation, the logon
    /// type, user and source of a logon, ...). Other events show all of their event data.
    /// </summary>
    private static readonly (string Channel, string EventId, (string Label, string Field)[] Fields)[] KnownEvents =
    {
        ("Sysmon", "1", new[] { ("Cmdline", "CommandLine"), ("Proc", "Image"), ("User", "User"), ("ParentCmdline", "ParentCommandLine"), ("LID", "LogonId"), ("PID", "ProcessId"), ("PGUID", "ProcessGuid"), ("Hashes", "Hashes") }),
        ("Sysmon", "3", new[] { ("Proto", "Protocol"), ("SrcIP", "SourceIp"), ("SrcPort", "SourcePort"), ("SrcHost", "SourceHostname"), ("TgtIP", "DestinationIp"), ("TgtPort", "DestinationPort"), ("TgtHost", "DestinationHostname"), ("User", "User"), ("Proc", "Image"), ("PID", "ProcessId") }),
        ("Sysmon", "11", new[] { ("Path", "TargetFilename"), ("Proc", "Image"), ("PID", "ProcessId") }),
        ("Sysmon", "13", new[] { ("EventType", "EventType"), ("TgtObj", "TargetObject"), ("Details", "Details"), ("Proc", "Image"), ("PID", "ProcessId") }),
        ("Security", "4624", new[] { ("Type", "LogonType"), ("TgtUser", "TargetUserName"), ("SrcComp", "WorkstationName"), ("SrcIP", "IpAddress"), ("LID", "TargetLogonId") }),
        ("Security", "4625", new[] { ("Type", "LogonType"), ("TgtUser", "TargetUserName"), ("SrcComp", "WorkstationName"), ("SrcIP", "IpAddress"), ("AuthPkg", "AuthenticationPackageName") }),
        ("Security", "4688", new[] { ("Cmdline", "CommandLine"), ("Proc", "NewProcessName"), ("PID", "NewProcessId"), ("User", "SubjectUserName"), ("LID", "SubjectLogonId") }),
        ("Security", "1102", new[] { ("User", "SubjectUserName"), ("Domain", "SubjectDomainName") }),
        ("PowerShell", "4104", new[] { ("ScriptBlock", "ScriptBlockText"), ("Path", "Path") }),
        ("System", "7045", new[] { ("Svc", "ServiceName"), ("Path", "ImagePath"), ("Acct", "AccountName"), ("StartType", "StartType") }),
    };

    /// <summary>The Details column: <c>Label: value ¦ Label: value</c> (hayabusa's separator).</summary>
    public string Details()
    {
        // The event data of the shape the event has: evtx JSON, Winlogbeat's, else flat Windows or ECS.
        var kind = _candidates.Any(c => c.Kind == Kind.EventData) ? Kind.EventData
            : _candidates.Any(c => c.Kind == Kind.WinlogEventData) ? Kind.WinlogEventData
            : Computer is not null && _computerRank == 0 ? Kind.Flat : Kind.Ecs;
        var builder = new StringBuilder();
        void Append(string label, string value)
        {
            if (builder.Length > 0) builder.Append(" ¦ ");
            builder.Append(label).Append(": ").Append(value);
        }
        if (kind == Kind.Ecs)
        {
            // In the order of the key field list (what the event is, then who, then where), whatever the event's order.
            foreach (var (field, label) in EcsKeyFieldOrder)
                foreach (var (name, value, k) in _candidates)
                    if (k == Kind.Ecs && name == field) Append(label, value);
            return builder.Length == 0 ? TimelineRow.Missing : builder.ToString();
        }
        var known = Known();
        if (known is not null)
        {
            foreach (var (label, field) in known)
            {
                foreach (var (name, value, k) in _candidates)
                {
                    if (k == kind && name == field)
                    {
                        Append(label, value);
                        break;
                    }
                }
            }
        }
        if (builder.Length == 0)
        {
            foreach (var (name, value, k) in _candidates)
                if (k == kind) Append(name, value);
        }
        return builder.Length == 0 ? TimelineRow.Missing : builder.ToString();
    }

    private (string Label, string Field)[]? Known()
    {
        if (EventId is null) return null;
        var channel = Channel ?? "";
        var provider = Provider ?? "";
        foreach (var (c, id, fields) in KnownEvents)
        {
            if (id != EventId) continue;
            var matches = c switch
            {
                "Sysmon" => channel.Contains("Sysmon", StringComparison.OrdinalIgnoreCase) || provider.Contains("Sysmon", StringComparison.OrdinalIgnoreCase),
                "PowerShell" => channel.Contains("PowerShell", StringComparison.OrdinalIgnoreCase),
                _ => channel.Equals(c, StringComparison.OrdinalIgnoreCase),
            };
            if (matches) return fields;
        }
        return null;
    }
}

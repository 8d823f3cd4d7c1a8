using System.Globalization;
using System.Text;
using System.Text.Json;
using RuleGen.Evtx;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Evtx;

/// <summary>
/// The real Windows event logs of ../shared/real-logs/evtx (each X.evtx beside X.json.ndjson, python-evtx's records),
/// and how the tests read them and compare records.
/// </summary>
public static class EvtxLogs
{
    public const string Missing = "../shared/real-logs/evtx is absent beside the repository: this test needs its .evtx files.";

    /// <summary>The folder, or null when ../shared (or the folder) is absent.</summary>
    public static string? Folder =>
        Repo.Shared is { } shared && Directory.Exists(Path.Combine(shared, "real-logs", "evtx")) ? Path.Combine(shared, "real-logs", "evtx") : null;

    /// <summary>Every .evtx file, in ordinal path order.</summary>
    public static IReadOnlyList<string> Files() =>
        Directory.GetFiles(Folder!, "*.evtx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    /// <summary>The python-evtx records beside <paramref name="evtx"/>.</summary>
    public static string ReferencePath(string evtx) => evtx[..^".evtx".Length] + ".json.ndjson";

    /// <summary>Every entry of an EVTX file's bytes, with the JSON of each record.</summary>
    public static List<(EvtxEntry Entry, string? Json)> ReadAll(byte[] bytes)
    {
        var reader = new EvtxReader(new MemoryStream(bytes, writable: false));
        var output = new JsonBuffer();
        var entries = new List<(EvtxEntry, string?)>();
        while (true)
        {
            output.Clear();
            var entry = reader.Read(output);
            if (entry.Kind == EvtxEntryKind.End) return entries;
            entries.Add((entry, entry.Kind == EvtxEntryKind.Record ? Encoding.UTF8.GetString(output.WrittenSpan) : null));
        }
    }

    public static string RecordId(JsonElement e) => e.GetProperty("Event").GetProperty("System").GetProperty("EventRecordID").GetString()!;

    /// <summary>
    /// Whether <paramref name="ours"/> renders the same XML as python-evtx's <paramref name="reference"/>: the same keys
    /// (in any order) and the same values, where times are compared as instants (python-evtx writes
    /// <c>2017-08-30 19:13:38.198483</c>, converted from a float, so up to a microsecond off; we write evtx_dump's ISO
    /// 8601, <c>2017-08-30T19:13:38.198483Z</c>, truncated to the microsecond) and line ends as an XML parser reads them
    /// (the reference was parsed from python-evtx's XML, which turns CRLF into LF; we keep the log's CRLF, as
    /// evtx_dump does), and string arrays as python-evtx misorders their empty items (<see cref="SameStringArray"/>).
    /// Differences are added to <paramref name="differences"/> with their path.
    /// </summary>
    public static void Compare(JsonElement reference, JsonElement ours, string path, List<string> differences)
    {
        if (reference.ValueKind != ours.ValueKind)
        {
            differences.Add($"{path}: {reference.ValueKind} {Short(reference)} vs ours {ours.ValueKind} {Short(ours)}");
            return;
        }
        switch (reference.ValueKind)
        {
            case JsonValueKind.Object:
                var theirs = reference.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                var mine = ours.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var name in theirs.Except(mine)) differences.Add($"{path}.{name}: missing from ours");
                foreach (var name in mine.Except(theirs)) differences.Add($"{path}.{name}: only in ours ({Short(ours.GetProperty(name))})");
                foreach (var name in theirs.Intersect(mine)) Compare(reference.GetProperty(name), ours.GetProperty(name), path + "." + name, differences);
                return;
            case JsonValueKind.String:
                var a = reference.GetString()!;
                var b = ours.GetString()!;
                if (a == b || a == b.Replace("\r\n", "\n").Replace('\r', '\n')) return;
                if (PythonTime(a) is { } t1 && IsoTime(b) is { } t2 && Math.Abs((t1 - t2).Ticks) <= 30) return;
                if (SameStringArray(a, b)) return;
                differences.Add($"{path}: {Short(reference)} vs ours {Short(ours)}");
                return;
            default:
                if (reference.GetRawText() != ours.GetRawText()) differences.Add($"{path}: {Short(reference)} vs ours {Short(ours)}");
                return;
        }
    }

    /// <summary>
    /// String arrays (<c>&lt;string&gt;a&lt;/string&gt;\n...</c>) with the same items: python-evtx finds each item with a
    /// regex search that skips leading NULs, so it moves empty items after the next non-empty one
    /// (<c>["", "0"]</c> comes out as <c>0</c>, then the empty one); we keep the log's order.
    /// </summary>
    private static bool SameStringArray(string reference, string ours)
    {
        if (!reference.StartsWith("<string>", StringComparison.Ordinal) || !ours.StartsWith("<string>", StringComparison.Ordinal)) return false;
        static List<string> Items(string s) => s.Split("</string>\n", StringSplitOptions.None).Order(StringComparer.Ordinal).ToList();
        return Items(reference).SequenceEqual(Items(ours.Replace("\r\n", "\n")));
    }

    private static string Short(JsonElement e)
    {
        var text = e.GetRawText();
        return text.Length > 120 ? text[..120] + "..." : text;
    }

    private static DateTime? PythonTime(string text) =>
        DateTime.TryParseExact(text, ["yyyy-MM-dd HH:mm:ss.ffffff", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static DateTime? IsoTime(string text) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}

using System.Text.Json;

namespace RuleGen.Conformance;

/// <summary>One rule of a dataset: its id, the events checked against it, the ones expected to match, grey pairs.</summary>
public sealed record DatasetRule(string Path, string Id, IReadOnlySet<int>? Checked, IReadOnlySet<int> Matches, IReadOnlySet<int> Grey);

/// <summary>
/// A conformance dataset folder: <c>events.ndjson</c> (event index = 0-based line) and <c>expected.json</c>
/// (<c>rules</c>: path -> rule_id or id, checked ("all" or indexes), matches; optional <c>grey_pairs</c>: path ->
/// indexes whose verdict is informational; <c>excluded</c>: path -> reason).
/// </summary>
public sealed class Dataset
{
    public required IReadOnlyList<byte[]> Events { get; init; }
    public required IReadOnlyList<DatasetRule> Rules { get; init; }
    public required IReadOnlyDictionary<string, string> Excluded { get; init; }
    public string? Oracle { get; init; }

    public static Dataset Load(string folder)
    {
        var eventsPath = Path.Combine(folder, "events.ndjson");
        var expectedPath = Path.Combine(folder, "expected.json");
        if (!File.Exists(eventsPath)) throw new FileNotFoundException($"No events.ndjson in {folder}", eventsPath);
        if (!File.Exists(expectedPath)) throw new FileNotFoundException($"No expected.json in {folder}", expectedPath);

        var events = new List<byte[]>();
        using (var reader = new StreamReader(eventsPath))
        {
            // Event index = 0-based line number, blank lines included.
            string? line;
            while ((line = reader.ReadLine()) is not null) events.Add(System.Text.Encoding.UTF8.GetBytes(line));
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(expectedPath));
        var root = document.RootElement;
        var grey = new Dictionary<string, HashSet<int>>();
        if (root.TryGetProperty("grey_pairs", out var greyPairs) && greyPairs.ValueKind == JsonValueKind.Object)
        {
            foreach (var rule in greyPairs.EnumerateObject()) grey[rule.Name] = Indexes(rule.Value);
        }
        var rules = new List<DatasetRule>();
        foreach (var rule in root.GetProperty("rules").EnumerateObject())
        {
            var value = rule.Value;
            var id = value.TryGetProperty("rule_id", out var ruleId) ? ruleId.GetString()
                : value.TryGetProperty("id", out var sigmaId) ? sigmaId.GetString() : null;
            if (id is null) throw new InvalidDataException($"Rule {rule.Name} in {expectedPath} has neither rule_id nor id.");
            var checkedValue = value.GetProperty("checked");
            IReadOnlySet<int>? checkedSet = checkedValue.ValueKind == JsonValueKind.String && checkedValue.GetString() == "all" ? null : Indexes(checkedValue);
            rules.Add(new DatasetRule(rule.Name, id, checkedSet, Indexes(value.GetProperty("matches")),
                grey.TryGetValue(rule.Name, out var g) ? g : new HashSet<int>()));
        }
        var excluded = new Dictionary<string, string>();
        if (root.TryGetProperty("excluded", out var excludedElement) && excludedElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var e in excludedElement.EnumerateObject()) excluded[e.Name] = e.Value.ValueKind == JsonValueKind.String ? e.Value.GetString()! : e.Value.GetRawText();
        }
        return new Dataset
        {
            Events = events,
            Rules = rules,
            Excluded = excluded,
            Oracle = root.TryGetProperty("oracle", out var oracle) ? oracle.ToString() : null,
        };
    }

    private static HashSet<int> Indexes(JsonElement array)
    {
        var set = new HashSet<int>();
        if (array.ValueKind != JsonValueKind.Array) return set;
        foreach (var item in array.EnumerateArray()) set.Add(item.GetInt32());
        return set;
    }
}

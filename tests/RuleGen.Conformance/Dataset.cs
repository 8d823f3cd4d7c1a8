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

    /// <summary>The events file every dataset has, the one its verdicts are computed on.</summary>
    public const string DefaultEvents = "events.ndjson";

    /// <summary>
    /// Reads a dataset folder. A malformed <c>expected.json</c> (missing keys, wrong types, event indexes outside
    /// <c>events.ndjson</c>) is an <see cref="InvalidDataException"/> naming the rule and the problem, never a
    /// silently smaller dataset.
    /// </summary>
    /// <param name="folder">The dataset folder.</param>
    /// <param name="eventsFile">
    /// The events file inside it: <c>events.ndjson</c>, or another rendering of the same events, line for line (such
    /// as <c>sigma-real</c>'s <c>events.evtx-json.ndjson</c>), judged by the same verdicts.
    /// </param>
    public static Dataset Load(string folder, string eventsFile = DefaultEvents)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"No dataset folder {folder}");
        var eventsPath = Path.Combine(folder, eventsFile);
        var expectedPath = Path.Combine(folder, "expected.json");
        if (!File.Exists(eventsPath)) throw new FileNotFoundException($"No {eventsFile} in {folder}", eventsPath);
        if (!File.Exists(expectedPath)) throw new FileNotFoundException($"No expected.json in {folder}", expectedPath);

        var events = new List<byte[]>();
        using (var reader = new StreamReader(eventsPath, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            // Event index = 0-based line number, blank lines included (a blank line is an event that is not JSON).
            string? line;
            while ((line = reader.ReadLine()) is not null) events.Add(System.Text.Encoding.UTF8.GetBytes(line));
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(expectedPath), new JsonDocumentOptions { AllowTrailingCommas = false });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{expectedPath} must hold a JSON object.");
        var grey = new Dictionary<string, HashSet<int>>();
        if (root.TryGetProperty("grey_pairs", out var greyPairs) && greyPairs.ValueKind == JsonValueKind.Object)
        {
            foreach (var rule in greyPairs.EnumerateObject()) grey[rule.Name] = Indexes(rule.Value, $"grey_pairs of {rule.Name}", events.Count);
        }
        if (!root.TryGetProperty("rules", out var rulesElement) || rulesElement.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{expectedPath} has no \"rules\" object (rule path -> rule_id/id, checked, matches).");
        var rules = new List<DatasetRule>();
        foreach (var rule in rulesElement.EnumerateObject())
        {
            var value = rule.Value;
            if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"Rule {rule.Name} in {expectedPath} must be an object.");
            var id = value.TryGetProperty("rule_id", out var ruleId) && ruleId.ValueKind == JsonValueKind.String ? ruleId.GetString()
                : value.TryGetProperty("id", out var sigmaId) && sigmaId.ValueKind == JsonValueKind.String ? sigmaId.GetString() : null;
            if (string.IsNullOrEmpty(id)) throw new InvalidDataException($"Rule {rule.Name} in {expectedPath} has neither rule_id nor id.");
            if (!value.TryGetProperty("checked", out var checkedValue))
                throw new InvalidDataException($"Rule {rule.Name} in {expectedPath} has no \"checked\" (\"all\" or event indexes).");
            IReadOnlySet<int>? checkedSet = checkedValue.ValueKind == JsonValueKind.String
                ? checkedValue.GetString() == "all" ? null : throw new InvalidDataException($"Rule {rule.Name}: \"checked\" must be \"all\" or an array of event indexes.")
                : Indexes(checkedValue, $"checked of {rule.Name}", events.Count);
            if (!value.TryGetProperty("matches", out var matchesValue))
                throw new InvalidDataException($"Rule {rule.Name} in {expectedPath} has no \"matches\" (event indexes).");
            var matches = Indexes(matchesValue, $"matches of {rule.Name}", events.Count);
            rules.Add(new DatasetRule(rule.Name, id!, checkedSet, matches, grey.TryGetValue(rule.Name, out var g) ? g : new HashSet<int>()));
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

    private static HashSet<int> Indexes(JsonElement array, string what, int eventCount)
    {
        if (array.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"The {what} must be an array of event indexes.");
        var set = new HashSet<int>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var index))
                throw new InvalidDataException($"The {what} holds {item.GetRawText()}, which is not an event index.");
            if (index < 0 || index >= eventCount)
                throw new InvalidDataException($"The {what} names event {index}, but events.ndjson has {eventCount} lines.");
            set.Add(index);
        }
        return set;
    }
}

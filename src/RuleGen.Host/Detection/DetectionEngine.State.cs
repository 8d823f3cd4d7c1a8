using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Detection;

// Persisted state: everything a later run needs to continue the stream as if it had not stopped.
public sealed partial class DetectionEngine
{
    /// <summary>The format name written in the state, checked when it is read.</summary>
    public const string StateFormatName = "rulegen-detection-engine/1";

    /// <summary>
    /// Writes the engine's state as one JSON object: the stream's time per clock, and per rule (by rule id) its last
    /// execution, what it holds (pending events, new_terms history, threshold events and signal history, completed
    /// sequences), its open suppression windows, and the correlations' groups and pending hits.
    /// </summary>
    public void SaveState(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("format", StateFormatName);
        writer.WriteNumber("arrival", _arrival);
        writer.WriteStartArray("clocks");
        for (var c = 0; c < _clockStates.Length; c++)
        {
            writer.WriteStartObject();
            writer.WriteString("field", Clocks.Names[c]);
            if (_clockStates[c].Watermark == EventTime.Missing) writer.WriteNull("watermark");
            else writer.WriteNumber("watermark", _clockStates[c].Watermark);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("rules");
        foreach (var runner in _runners)
        {
            if (runner is not null) SaveRunner(writer, runner);
        }
        writer.WriteEndArray();
        writer.WriteStartObject("correlations");
        writer.WriteStartArray("rules");
        foreach (var runner in Correlations.Runners) SaveRunner(writer, runner);
        writer.WriteEndArray();
        Correlations.SaveState(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void SaveRunner(Utf8JsonWriter writer, RuleRunner runner)
    {
        writer.WriteStartObject();
        writer.WriteString("id", runner.Rule.Info.Id);
        writer.WriteString("file", runner.Rule.Info.SourceFile);
        if (runner.LastExecuted == long.MinValue) writer.WriteNull("lastExecuted");
        else writer.WriteNumber("lastExecuted", runner.LastExecuted);
        writer.WriteStartObject("state");
        runner.SaveState(writer);
        writer.WriteEndObject();
        writer.WriteStartArray("windows");
        foreach (var (key, window) in runner.Windows.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteNumber("createdAt", window.CreatedAt);
            writer.WriteNumber("written", window.WrittenDocsCount);
            writer.WriteStartObject("alert");
            StateFormat.WriteWindowAlert(writer, window.Alert);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// Continues from a state <see cref="SaveState"/> wrote (before any event of this run). Rules are matched by rule
    /// id and file; the state of rules the rule set no longer has is dropped (returned as the count).
    /// </summary>
    /// <exception cref="InvalidDataException">The JSON is not a detection engine state.</exception>
    public int LoadState(JsonElement state)
    {
        if (!state.TryGetProperty("format", out var format) || format.GetString() != StateFormatName)
            throw new InvalidDataException($"not a RuleGen detection state (expected format {StateFormatName})");
        _arrival = state.GetProperty("arrival").GetInt64();
        foreach (var clock in state.GetProperty("clocks").EnumerateArray())
        {
            var field = clock.GetProperty("field").GetString();
            for (var c = 0; c < Clocks.Count; c++)
            {
                if (Clocks.Names[c] == field && clock.GetProperty("watermark").ValueKind == JsonValueKind.Number)
                    _clockStates[c].Watermark = clock.GetProperty("watermark").GetInt64();
            }
        }
        var dropped = 0;
        SetUpAll();
        var byKey = _runners.Where(r => r is not null).GroupBy(r => (r!.Rule.Info.Id, r.Rule.Info.SourceFile)).ToDictionary(g => g.Key, g => g.First()!);
        foreach (var saved in state.GetProperty("rules").EnumerateArray())
        {
            if (byKey.TryGetValue((saved.GetProperty("id").GetString()!, saved.GetProperty("file").GetString()!), out var runner)) LoadRunner(saved, runner);
            else dropped++;
        }
        if (state.TryGetProperty("correlations", out var correlations))
        {
            var byId = Correlations.Runners.ToDictionary(r => r.Rule.Info.Id);
            foreach (var saved in correlations.GetProperty("rules").EnumerateArray())
            {
                if (byId.TryGetValue(saved.GetProperty("id").GetString()!, out var runner)) LoadRunner(saved, runner);
                else dropped++;
            }
            Correlations.LoadState(correlations);
        }
        foreach (var runner in AllRunners())
        {
            if (runner.HasPending && runner.EarliestPending == EventTime.Missing) _clockStates[runner.Clock].Timeless.Add(runner);
            else Schedule(runner);
        }
        return dropped;
    }

    private static void LoadRunner(JsonElement saved, RuleRunner runner)
    {
        if (saved.GetProperty("lastExecuted").ValueKind == JsonValueKind.Number) runner.LastExecuted = saved.GetProperty("lastExecuted").GetInt64();
        runner.LoadState(saved.GetProperty("state"));
        foreach (var w in saved.GetProperty("windows").EnumerateArray())
        {
            var alert = StateFormat.ReadWindowAlert(w.GetProperty("alert"), runner.Rule);
            runner.RestoreWindow(w.GetProperty("key").GetString()!, new SuppressionWindow(alert, w.GetProperty("createdAt").GetInt64())
            {
                WrittenDocsCount = w.GetProperty("written").GetInt64(),
            });
        }
    }
}

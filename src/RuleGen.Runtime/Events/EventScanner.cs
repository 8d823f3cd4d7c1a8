using System.Buffers;
using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// Reads one UTF-8 JSON event once, token by token, and records the values of the fields a schema asks for.
/// Nested objects and dotted keys resolve alike, arrays (of scalars or of objects) contribute every element, and
/// JSON string escapes are decoded into scratch space. Every token is read, so a malformed event is always detected;
/// so is an event that is not Unicode text (<see cref="EventText"/>). Duplicate keys are not an error: every
/// occurrence's value is recorded, as if the field held an array of them.
/// </summary>
public static class EventScanner
{
    /// <summary>
    /// Nesting the reader accepts (deeper events are malformed, found in linear time, as the reader counts depth
    /// without recursion); <see cref="EventFields.Frames"/> has room for it.
    /// </summary>
    public const int MaxDepth = 256;

    private static readonly JsonReaderOptions s_options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = MaxDepth };

    /// <summary>
    /// Scans <paramref name="utf8Json"/> into <paramref name="fields"/>. Returns false (and records nothing
    /// usable) when the bytes are not one well-formed JSON object.
    /// </summary>
    public static bool TryScan<TSchema>(ReadOnlySpan<byte> utf8Json, EventFields fields)
        where TSchema : struct, IFieldSchema
    {
        try
        {
            if (ScanEvent<TSchema>(utf8Json, fields) == Outcome.Scanned && EventText.IsValid(utf8Json)) return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
        }
        fields.Reset();
        return false;
    }

    /// <summary>
    /// Whether one UTF-8 JSON event satisfies <paramref name="condition"/>, scanned with <typeparamref name="TSchema"/>
    /// into this thread's <see cref="EventFields"/>; false for malformed JSON. What a generated rule's <c>IsMatch</c>
    /// is, in one place instead of in every rule.
    /// </summary>
    public static bool Matches<TSchema>(ReadOnlySpan<byte> utf8Json, EventCondition condition)
        where TSchema : struct, IFieldSchema
    {
        var fields = EventFields.ForCurrentThread(TSchema.SlotCount);
        try
        {
            return TryScan<TSchema>(utf8Json, fields) && condition(new EventView(utf8Json, fields));
        }
        finally
        {
            EventFields.Release();
        }
    }

    /// <summary>Like <see cref="TryScan{TSchema}"/>, but throws <see cref="JsonException"/> with the reader's message.</summary>
    public static void Scan<TSchema>(ReadOnlySpan<byte> utf8Json, EventFields fields)
        where TSchema : struct, IFieldSchema
    {
        switch (ScanEvent<TSchema>(utf8Json, fields))
        {
            case Outcome.NotAnObject: throw new JsonException("An event must be a JSON object.");
            case Outcome.TrailingData: throw new JsonException("Unexpected data after the event's JSON object.");
        }
        var problem = EventText.Find(utf8Json, out var index);
        if (problem != EventText.Problem.None)
        {
            fields.Reset();
            throw new JsonException(EventText.Describe(utf8Json, problem, index));
        }
    }

    private enum Outcome { Scanned, NotAnObject, TrailingData }

    /// <summary>
    /// The scan itself: one loop over the tokens with the reader in a local and a single call to
    /// <see cref="Utf8JsonReader.Read"/> (so the JIT inlines the reader's fast path into it, as in the benchmark floor's
    /// loop), the open objects and arrays on an explicit stack (<see cref="EventFields.Frames"/>), values that some
    /// slot records handled out of line. Throws <see cref="JsonException"/> on malformed JSON.
    /// </summary>
    private static Outcome ScanEvent<TSchema>(ReadOnlySpan<byte> utf8Json, EventFields fields)
        where TSchema : struct, IFieldSchema
    {
        fields.EnsureSlots(TSchema.SlotCount);
        fields.Reset();
        var reader = new Utf8JsonReader(utf8Json, s_options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return Outcome.NotAnObject;

        var trackPaths = TSchema.Patterns is not null;
        // With a field-less search or field patterns every value matters, wherever it is; otherwise a value whose key
        // leads to no field of the schema is skipped unread.
        var everyValue = TSchema.AllStringsSlot >= 0 || trackPaths;
        var frames = fields.Frames;
        var depth = 0;
        frames[0] = new EventFields.Frame { KeyNode = 0, ValueNode = -1, Path = 0, IsArray = false };
        // The node (and, with patterns, the path) of the value that follows the last property name.
        var valueNode = -1;
        var valuePath = 0;
        var skipValue = false;
        while (reader.Read())
        {
            var token = reader.TokenType;
            if (skipValue)
            {
                // A value no rule reads: a scalar is dropped, an object or array skipped token by token.
                skipValue = false;
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                continue;
            }
            if (token == JsonTokenType.PropertyName)
            {
                ref readonly var frame = ref frames[depth];
                // Escapes, rare in keys, are decoded into a reused buffer.
                var key = reader.ValueIsEscaped ? EscapedKey(ref reader, fields) : reader.ValueSpan;
                valueNode = frame.KeyNode < 0 ? -1 : TSchema.Child(frame.KeyNode, key);
                if (trackPaths) valuePath = AppendPath(fields, frame.Path, key);
                skipValue = valueNode < 0 && !everyValue;
                continue;
            }
            if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                if (depth == 0)
                {
                    // The event's own object: anything after it but whitespace (a second value, garbage) makes the
                    // line malformed, as a further Read would report.
                    var rest = utf8Json.Slice((int)reader.BytesConsumed);
                    return rest.IndexOfAnyExcept(JsonWhitespace) < 0 ? Outcome.Scanned : Outcome.TrailingData;
                }
                Close<TSchema>(ref reader, fields, in frames[depth], token);
                depth--;
                continue;
            }
            depth = OnValue<TSchema>(ref reader, fields, frames, depth, valueNode, valuePath, everyValue);
        }
        // The reader ends the input before the object closes only by throwing; this is not reached.
        return Outcome.NotAnObject;
    }

    /// <summary>What JSON allows between tokens.</summary>
    private static readonly SearchValues<byte> JsonWhitespace = SearchValues.Create(" \t\r\n"u8);

    /// <summary>An object or array ends: an object's raw JSON is a value of its field; an empty array marks the key present.</summary>
    private static void Close<TSchema>(ref Utf8JsonReader reader, EventFields fields, in EventFields.Frame frame, JsonTokenType token)
        where TSchema : struct, IFieldSchema
    {
        var node = frame.ValueNode;
        if (node < 0 || (token == JsonTokenType.EndArray && frame.HasElements)) return;
        var end = (int)reader.BytesConsumed;
        var kind = token == JsonTokenType.EndObject ? JsonValueKind.Object : JsonValueKind.Array;
        foreach (var slot in TSchema.Slots(node)) fields.Add(slot, kind, frame.Start, end - frame.Start, false);
    }

    /// <summary>
    /// A value (after a key, or an array's element, which belongs to the array's field): an object or array is entered
    /// (or skipped when nothing below it is read), a scalar recorded in its slots. Returns the new depth.
    /// </summary>
    private static int OnValue<TSchema>(ref Utf8JsonReader reader, EventFields fields, EventFields.Frame[] frames, int depth, int valueNode, int valuePath, bool everyValue)
        where TSchema : struct, IFieldSchema
    {
        ref var frame = ref frames[depth];
        int node, path;
        if (frame.IsArray)
        {
            frame.HasElements = true;
            node = frame.ValueNode;
            path = frame.Path;
        }
        else
        {
            node = valueNode;
            path = valuePath;
        }
        var allStrings = TSchema.AllStringsSlot;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var start = (int)reader.TokenStartIndex;
                var keyNode = node >= 0 && TSchema.HasChildren(node) ? node : -1;
                if (keyNode < 0 && !everyValue)
                {
                    // Nothing below is read: skip it, and record the object itself if its field is read.
                    reader.Skip();
                    if (node >= 0)
                    {
                        var end = (int)reader.BytesConsumed;
                        foreach (var slot in TSchema.Slots(node)) fields.Add(slot, JsonValueKind.Object, start, end - start, false);
                    }
                    return depth;
                }
                Push(frames, ref depth, keyNode, node, path, start, isArray: false);
                return depth;
            }
            case JsonTokenType.StartArray:
                Push(frames, ref depth, -1, node, path, (int)reader.TokenStartIndex, isArray: true);
                return depth;
            case JsonTokenType.String:
            {
                int start, length;
                bool inScratch;
                if (reader.ValueIsEscaped)
                {
                    var raw = reader.ValueSpan.Length;
                    var target = fields.ReserveScratch(raw, out start);
                    length = reader.CopyString(target);
                    fields.ShrinkScratch(raw - length);
                    inScratch = true;
                }
                else
                {
                    start = (int)reader.TokenStartIndex + 1;
                    length = reader.ValueSpan.Length;
                    inScratch = false;
                }
                if (node >= 0)
                {
                    foreach (var slot in TSchema.Slots(node)) fields.Add(slot, JsonValueKind.String, start, length, inScratch);
                }
                if (allStrings >= 0) fields.Add(allStrings, JsonValueKind.String, start, length, inScratch);
                if (TSchema.Patterns is { } patterns) AddPatternMatches(fields, patterns, path, JsonValueKind.String, start, length, inScratch);
                return depth;
            }
            default:
            {
                var kind = reader.TokenType switch
                {
                    JsonTokenType.Number => JsonValueKind.Number,
                    JsonTokenType.True => JsonValueKind.True,
                    JsonTokenType.False => JsonValueKind.False,
                    _ => JsonValueKind.Null,
                };
                var start = (int)reader.TokenStartIndex;
                var length = reader.ValueSpan.Length;
                if (node >= 0)
                {
                    foreach (var slot in TSchema.Slots(node)) fields.Add(slot, kind, start, length, false);
                }
                if (TSchema.Patterns is { } patterns) AddPatternMatches(fields, patterns, path, kind, start, length, false);
                return depth;
            }
        }
    }

    private static void Push(EventFields.Frame[] frames, ref int depth, int keyNode, int valueNode, int path, int start, bool isArray)
    {
        // The reader refuses nesting deeper than MaxDepth, which Frames holds.
        frames[++depth] = new EventFields.Frame { KeyNode = keyNode, ValueNode = valueNode, Path = path, Start = start, IsArray = isArray };
    }

    private static ReadOnlySpan<byte> EscapedKey(ref Utf8JsonReader reader, EventFields fields)
    {
        var target = fields.LongKeyBuffer(reader.ValueSpan.Length);
        return target.Slice(0, reader.CopyString(target));
    }

    private static int AppendPath(EventFields fields, int pathLength, ReadOnlySpan<byte> key)
    {
        var needed = pathLength + (pathLength > 0 ? 1 : 0) + key.Length;
        if (needed > fields.PathBuffer.Length) Array.Resize(ref fields.PathBuffer, Math.Max(needed, fields.PathBuffer.Length * 2));
        var buffer = fields.PathBuffer.AsSpan();
        var at = pathLength;
        if (pathLength > 0) buffer[at++] = (byte)'.';
        key.CopyTo(buffer.Slice(at));
        return needed;
    }

    private static void AddPatternMatches(EventFields fields, FieldPatternSet patterns, int pathLength, JsonValueKind kind, int start, int length, bool inScratch)
    {
        var path = fields.PathBuffer.AsSpan(0, pathLength);
        for (var i = 0; i < patterns.Count; i++)
        {
            if (patterns.IsMatch(i, path)) fields.Add(patterns.SlotOf(i), kind, start, length, inScratch);
        }
    }
}

/// <summary>A compiled condition over an event already scanned with its scope's slots (a generated <c>Evaluate</c>).</summary>
public delegate bool EventCondition(scoped in EventView ev);

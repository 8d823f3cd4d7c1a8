using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// Reads one UTF-8 JSON event once, token by token, and records the values of the fields a schema asks for.
/// Nested objects and dotted keys resolve alike, arrays (of scalars or of objects) contribute every element, and
/// JSON string escapes are decoded into scratch space. Every token is read, so a malformed event is always detected.
/// </summary>
public static class EventScanner
{
    /// <summary>Nesting the reader accepts; <see cref="EventFields.Frames"/> has room for it.</summary>
    internal const int MaxDepth = 256;

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
            if (ScanEvent<TSchema>(utf8Json, fields) == Outcome.Scanned) return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
        }
        fields.Reset();
        return false;
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
    }

    private enum Outcome { Scanned, NotAnObject, TrailingData }

    /// <summary>
    /// The scan itself: one loop over the tokens with the reader in a local (as the benchmark floor reads them), the
    /// open objects and arrays on an explicit stack (<see cref="EventFields.Frames"/>) rather than in recursive calls
    /// that would pass the reader by reference. Throws <see cref="JsonException"/> on malformed JSON.
    /// </summary>
    private static Outcome ScanEvent<TSchema>(ReadOnlySpan<byte> utf8Json, EventFields fields)
        where TSchema : struct, IFieldSchema
    {
        fields.EnsureSlots(TSchema.SlotCount);
        fields.Reset();
        var reader = new Utf8JsonReader(utf8Json, s_options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return Outcome.NotAnObject;

        var trackPaths = TSchema.Patterns is not null;
        var allStrings = TSchema.AllStringsSlot;
        // With a field-less search or field patterns every value matters, wherever it is; otherwise a value whose key
        // leads to no field of the schema is skipped unread.
        var everyValue = allStrings >= 0 || trackPaths;
        var frames = fields.Frames;
        var depth = 0;
        frames[0] = new EventFields.Frame { KeyNode = 0, ValueNode = -1, Path = 0, IsArray = false };
        // The node (and, with patterns, the path) of the value that follows the last property name.
        var valueNode = -1;
        var valuePath = 0;
        while (reader.Read())
        {
            ref var frame = ref frames[depth];
            var token = reader.TokenType;
            if (token == JsonTokenType.PropertyName)
            {
                // Escapes, rare in keys, are decoded into a reused buffer.
                var key = reader.ValueIsEscaped ? EscapedKey(ref reader, fields) : reader.ValueSpan;
                valueNode = frame.KeyNode < 0 ? -1 : TSchema.Child(frame.KeyNode, key);
                if (trackPaths) valuePath = AppendPath(fields, frame.Path, key);
                if (valueNode < 0 && !everyValue)
                {
                    // A value no rule reads: a scalar is read and dropped, an object or array skipped token by token.
                    reader.Read();
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                }
                continue;
            }
            if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                if (depth == 0) break; // the event's own object
                var node = frame.ValueNode;
                if (node >= 0 && (token == JsonTokenType.EndObject || !frame.HasElements))
                {
                    // An object's raw JSON is a value of its field; an empty array marks the key present with no value.
                    var end = (int)reader.BytesConsumed;
                    var kind = token == JsonTokenType.EndObject ? JsonValueKind.Object : JsonValueKind.Array;
                    foreach (var slot in TSchema.Slots(node)) fields.Add(slot, kind, frame.Start, end - frame.Start, false);
                }
                depth--;
                continue;
            }

            // A value: an array's elements belong to the array's field.
            int nodeOfValue, pathOfValue;
            if (frame.IsArray)
            {
                frame.HasElements = true;
                nodeOfValue = frame.ValueNode;
                pathOfValue = frame.Path;
            }
            else
            {
                nodeOfValue = valueNode;
                pathOfValue = valuePath;
            }
            switch (token)
            {
                case JsonTokenType.StartObject:
                {
                    var start = (int)reader.TokenStartIndex;
                    var keyNode = nodeOfValue >= 0 && TSchema.HasChildren(nodeOfValue) ? nodeOfValue : -1;
                    if (keyNode < 0 && !everyValue)
                    {
                        // Nothing below is read: skip it, and record the object itself if its field is read.
                        reader.Skip();
                        if (nodeOfValue >= 0)
                        {
                            var end = (int)reader.BytesConsumed;
                            foreach (var slot in TSchema.Slots(nodeOfValue)) fields.Add(slot, JsonValueKind.Object, start, end - start, false);
                        }
                        break;
                    }
                    Push(frames, ref depth, keyNode, nodeOfValue, pathOfValue, start, isArray: false);
                    break;
                }
                case JsonTokenType.StartArray:
                    Push(frames, ref depth, -1, nodeOfValue, pathOfValue, (int)reader.TokenStartIndex, isArray: true);
                    break;
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
                    if (nodeOfValue >= 0)
                    {
                        foreach (var slot in TSchema.Slots(nodeOfValue)) fields.Add(slot, JsonValueKind.String, start, length, inScratch);
                    }
                    if (allStrings >= 0) fields.Add(allStrings, JsonValueKind.String, start, length, inScratch);
                    if (trackPaths) AddPatternMatches(fields, TSchema.Patterns!, pathOfValue, JsonValueKind.String, start, length, inScratch);
                    break;
                }
                default:
                {
                    var kind = token switch
                    {
                        JsonTokenType.Number => JsonValueKind.Number,
                        JsonTokenType.True => JsonValueKind.True,
                        JsonTokenType.False => JsonValueKind.False,
                        _ => JsonValueKind.Null,
                    };
                    var start = (int)reader.TokenStartIndex;
                    var length = reader.ValueSpan.Length;
                    if (nodeOfValue >= 0)
                    {
                        foreach (var slot in TSchema.Slots(nodeOfValue)) fields.Add(slot, kind, start, length, false);
                    }
                    if (trackPaths) AddPatternMatches(fields, TSchema.Patterns!, pathOfValue, kind, start, length, false);
                    break;
                }
            }
        }
        // Anything after the object (a second value, garbage) makes the line malformed.
        return reader.Read() ? Outcome.TrailingData : Outcome.Scanned;
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

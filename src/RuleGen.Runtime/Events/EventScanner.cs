using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// Reads one UTF-8 JSON event once, token by token, and records the values of the fields a schema asks for.
/// Nested objects and dotted keys resolve alike, arrays (of scalars or of objects) contribute every element, and
/// JSON string escapes are decoded into scratch space. Every token is read, so a malformed event is always detected.
/// </summary>
public static class EventScanner
{
    private static readonly JsonReaderOptions s_options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 256 };

    /// <summary>
    /// Scans <paramref name="utf8Json"/> into <paramref name="fields"/>. Returns false (and records nothing
    /// usable) when the bytes are not one well-formed JSON object.
    /// </summary>
    public static bool TryScan<TSchema>(ReadOnlySpan<byte> utf8Json, EventFields fields)
        where TSchema : struct, IFieldSchema
    {
        fields.EnsureSlots(TSchema.SlotCount);
        fields.Reset();
        try
        {
            var reader = new Utf8JsonReader(utf8Json, s_options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            ScanObject<TSchema>(ref reader, fields, 0, 0);
            // Anything after the object (a second value, garbage) makes the line malformed.
            return !reader.Read();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            fields.Reset();
            return false;
        }
    }

    /// <summary>Like <see cref="TryScan{TSchema}"/>, but throws <see cref="JsonException"/> with the reader's message.</summary>
    public static void Scan<TSchema>(ReadOnlySpan<byte> utf8Json, EventFields fields)
        where TSchema : struct, IFieldSchema
    {
        fields.EnsureSlots(TSchema.SlotCount);
        fields.Reset();
        var reader = new Utf8JsonReader(utf8Json, s_options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("An event must be a JSON object.");
        ScanObject<TSchema>(ref reader, fields, 0, 0);
        if (reader.Read()) throw new JsonException("Unexpected data after the event's JSON object.");
    }

    // pathLength: bytes of the current object's dotted path in fields.PathBuffer (only kept when patterns exist).
    private static void ScanObject<TSchema>(ref Utf8JsonReader reader, EventFields fields, int node, int pathLength)
        where TSchema : struct, IFieldSchema
    {
        var trackPaths = TSchema.Patterns is not null;
        var allStrings = TSchema.AllStringsSlot;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject) return;

            // Property name (escapes, rare in keys, are decoded into a reused buffer: no stackalloc to clear per object).
            var key = reader.ValueIsEscaped ? EscapedKey(ref reader, fields) : reader.ValueSpan;
            var child = node < 0 ? -1 : TSchema.Child(node, key);
            var childPath = pathLength;
            if (trackPaths) childPath = AppendPath(fields, pathLength, key);

            reader.Read();
            if (child < 0 && allStrings < 0 && !trackPaths)
            {
                // A value no rule reads: a scalar is already read; an object or array is skipped token by token.
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                continue;
            }
            ScanValue<TSchema>(ref reader, fields, child, childPath);
        }
    }

    private static void ScanValue<TSchema>(ref Utf8JsonReader reader, EventFields fields, int node, int pathLength)
        where TSchema : struct, IFieldSchema
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var start = (int)reader.TokenStartIndex;
                var hasSlots = node >= 0 && !TSchema.Slots(node).IsEmpty;
                if (node >= 0 && TSchema.HasChildren(node) || TSchema.AllStringsSlot >= 0 || TSchema.Patterns is not null)
                    ScanObject<TSchema>(ref reader, fields, node >= 0 && TSchema.HasChildren(node) ? node : -1, pathLength);
                else
                    reader.Skip();
                if (hasSlots)
                {
                    var end = (int)reader.BytesConsumed;
                    foreach (var slot in TSchema.Slots(node)) fields.Add(slot, JsonValueKind.Object, start, end - start, false);
                }
                return;
            }
            case JsonTokenType.StartArray:
            {
                var start = (int)reader.TokenStartIndex;
                var any = false;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    any = true;
                    ScanValue<TSchema>(ref reader, fields, node, pathLength);
                }
                if (!any && node >= 0)
                {
                    // An empty array: the key is present but holds no value.
                    var end = (int)reader.BytesConsumed;
                    foreach (var slot in TSchema.Slots(node)) fields.Add(slot, JsonValueKind.Array, start, end - start, false);
                }
                return;
            }
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
                if (TSchema.AllStringsSlot >= 0) fields.Add(TSchema.AllStringsSlot, JsonValueKind.String, start, length, inScratch);
                if (TSchema.Patterns is { } patterns) AddPatternMatches(fields, patterns, pathLength, JsonValueKind.String, start, length, inScratch);
                return;
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
                if (TSchema.Patterns is { } patterns) AddPatternMatches(fields, patterns, pathLength, kind, start, length, false);
                return;
            }
        }
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

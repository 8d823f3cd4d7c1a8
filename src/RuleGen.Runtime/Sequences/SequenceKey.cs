using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace RuleGen.Runtime;

/// <summary>
/// The join key values of one event for one step: for each key field, its values' text (numbers and booleans as
/// their JSON text, so 4624 and "4624" join), or null. Compared byte for byte.
/// </summary>
internal sealed class SequenceKey : IEquatable<SequenceKey>
{
    private readonly byte[] _data;
    private readonly int _hash;

    private SequenceKey(byte[] data)
    {
        _data = data;
        var hash = new HashCode();
        hash.AddBytes(data);
        _hash = hash.ToHashCode();
    }

    /// <summary>The key of <paramref name="step"/>'s fields in the event, or null when a required key has no value.</summary>
    public static SequenceKey? Read(scoped in EventView ev, SequenceStepDefinition step, List<byte> buffer)
    {
        buffer.Clear();
        Span<byte> length = stackalloc byte[4];
        ReadOnlySpan<byte> placeholder = stackalloc byte[4];
        for (var k = 0; k < step.KeySlots.Count; k++)
        {
            var countAt = buffer.Count;
            buffer.AddRange(placeholder);
            var count = 0;
            foreach (var value in ev.Values(step.KeySlots[k]))
            {
                if (value.Kind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)) continue;
                BinaryPrimitives.WriteInt32LittleEndian(length, value.Utf8.Length);
                buffer.AddRange(length);
                buffer.AddRange(value.Utf8);
                count++;
            }
            if (count == 0 && !step.OptionalKeys[k]) return null;
            BinaryPrimitives.WriteInt32LittleEndian(length, count);
            for (var i = 0; i < 4; i++) buffer[countAt + i] = length[i];
        }
        return new SequenceKey(buffer.ToArray());
    }

    /// <summary>The key values as text, one per key field (several values joined with ", "; null when none).</summary>
    public IReadOnlyList<string?> Values()
    {
        var result = new List<string?>();
        var span = _data.AsSpan();
        while (!span.IsEmpty)
        {
            var count = BinaryPrimitives.ReadInt32LittleEndian(span);
            span = span.Slice(4);
            if (count == 0)
            {
                result.Add(null);
                continue;
            }
            var parts = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(span);
                parts.Add(Encoding.UTF8.GetString(span.Slice(4, length)));
                span = span.Slice(4 + length);
            }
            result.Add(string.Join(", ", parts));
        }
        return result;
    }

    public bool Equals(SequenceKey? other) => other is not null && _hash == other._hash && _data.AsSpan().SequenceEqual(other._data);

    public override bool Equals(object? obj) => obj is SequenceKey other && Equals(other);

    public override int GetHashCode() => _hash;
}

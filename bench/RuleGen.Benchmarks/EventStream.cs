namespace RuleGen.Benchmarks;

/// <summary>
/// An NDJSON file held in memory: one byte array and each event's offset and length, so every engine reads exactly
/// the same bytes and the loop over events costs nothing measurable.
/// </summary>
public sealed class EventStream
{
    private EventStream(string name, string path, byte[] bytes, int[] starts, int[] lengths)
    {
        Name = name;
        Path = path;
        Bytes = bytes;
        Starts = starts;
        Lengths = lengths;
    }

    public string Name { get; }
    public string Path { get; }
    public byte[] Bytes { get; }
    public int[] Starts { get; }
    public int[] Lengths { get; }
    public int Count => Starts.Length;

    /// <summary>Bytes of the events themselves (newlines excluded).</summary>
    public long EventBytes => Lengths.Sum(l => (long)l);

    public ReadOnlySpan<byte> this[int index] => Bytes.AsSpan(Starts[index], Lengths[index]);

    public ReadOnlyMemory<byte> Memory(int index) => Bytes.AsMemory(Starts[index], Lengths[index]);

    public static EventStream Load(string name, string path)
    {
        var bytes = File.ReadAllBytes(path);
        var starts = new List<int>();
        var lengths = new List<int>();
        var at = 0;
        while (at < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', at);
            if (end < 0) end = bytes.Length;
            var length = end - at;
            if (length > 0 && bytes[at + length - 1] == (byte)'\r') length--;
            if (length > 0)
            {
                starts.Add(at);
                lengths.Add(length);
            }
            at = end + 1;
        }
        return new EventStream(name, path, bytes, starts.ToArray(), lengths.ToArray());
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace RuleGen.Benchmarks;

/// <summary>
/// The floor as a whole process, for end-to-end ratios against <c>rulegen scan</c> over the same file: read the NDJSON
/// file in blocks, split its lines, and read every token of each event with <see cref="Utf8JsonReader"/>; nothing
/// else. (The floor rows of the benchmark table do the same over events held in memory.)
/// </summary>
public static class FloorProgram
{
    public static int Run(IReadOnlyList<string> files, TextWriter output)
    {
        var watch = Stopwatch.StartNew();
        long events = 0, bytes = 0, tokens = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = stream.Read(buffer, filled, buffer.Length - filled);
                filled += read;
                var rest = buffer.AsSpan(0, filled);
                var consumed = 0;
                while (true)
                {
                    var end = rest.IndexOf((byte)'\n');
                    if (end < 0 && read > 0) break;
                    var line = end < 0 ? rest : rest[..end];
                    if (!line.Trim((byte)'\r').IsEmpty)
                    {
                        events++;
                        var reader = new Utf8JsonReader(line);
                        while (reader.Read()) tokens++;
                    }
                    bytes += line.Length + (end < 0 ? 0 : 1);
                    consumed += end < 0 ? line.Length : end + 1;
                    if (end < 0) break;
                    rest = rest[(end + 1)..];
                }
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (read == 0) break;
            }
        }
        ArrayPool<byte>.Shared.Return(buffer);
        output.WriteLine($"floor: read {events:N0} events ({bytes / 1e6:N1} MB, {tokens:N0} tokens) from {files.Count} file(s) in {watch.Elapsed.TotalSeconds:N2} s");
        return 0;
    }
}

using System.Text.Json;
using RuleGen.Evtx;
using RuleGen.Tests.Infrastructure;
using TempFolder = RuleGen.Tests.Host.HostHarness.TempFolder;
using Xunit.Abstractions;

namespace RuleGen.Tests.Evtx;

/// <summary>
/// The EVTX reader on real logs: every record python-evtx rendered comes out equal (matched by EventRecordID), and
/// damaged copies (cut short, bytes overwritten; made in a temporary folder) give located reports, no exception, and
/// the records of their undamaged chunks.
/// </summary>
public sealed class EvtxReaderTests(ITestOutputHelper output)
{
    private const int ChunkStart = EvtxReader.FileHeaderSize;

    [SkippableFact]
    public void Every_record_python_evtx_rendered_comes_out_equal()
    {
        Skip.If(EvtxLogs.Folder is null, EvtxLogs.Missing);
        var files = EvtxLogs.Files();
        Assert.Equal(34, files.Count);
        var differences = new List<string>();
        int compared = 0, ours = 0;
        foreach (var file in files)
        {
            var entries = EvtxLogs.ReadAll(File.ReadAllBytes(file));
            Assert.All(entries, e => Assert.Equal(EvtxEntryKind.Record, e.Entry.Kind));
            var byId = new Dictionary<string, JsonElement>();
            foreach (var (entry, json) in entries)
            {
                var element = JsonDocument.Parse(json!).RootElement;
                var id = EvtxLogs.RecordId(element);
                byId[id] = element;
                ours++;
            }
            foreach (var line in File.ReadLines(EvtxLogs.ReferencePath(file)))
            {
                var reference = JsonDocument.Parse(line).RootElement;
                var id = EvtxLogs.RecordId(reference);
                compared++;
                if (!byId.TryGetValue(id, out var mine))
                {
                    differences.Add($"{Path.GetFileName(file)} EventRecordID {id}: not found");
                    continue;
                }
                var before = differences.Count;
                EvtxLogs.Compare(reference, mine, "", differences);
                for (var i = before; i < differences.Count; i++) differences[i] = $"{Path.GetFileName(file)} EventRecordID {id}: {differences[i]}";
            }
        }
        output.WriteLine($"{compared:N0} python-evtx records compared, {ours:N0} records read from {files.Count} files");
        foreach (var d in differences.Take(30)) output.WriteLine(d);
        Assert.Equal(6786, compared);
        Assert.Empty(differences);
    }

    /// <summary>A file of several chunks (the corruption tests need chunks to lose and chunks to keep).</summary>
    private static byte[] ManyChunks(out string name)
    {
        var path = EvtxLogs.Files().First(f => f.EndsWith("many-events-application.evtx", StringComparison.Ordinal));
        name = Path.GetFileName(path);
        return File.ReadAllBytes(path);
    }

    /// <summary>The records of the intact file, by the chunk they are in.</summary>
    private static Dictionary<long, string> RecordsByOffset(byte[] bytes) =>
        EvtxLogs.ReadAll(bytes).ToDictionary(e => e.Entry.Offset, e => e.Json!);

    [SkippableTheory]
    [InlineData(100)] // inside the file header
    [InlineData(ChunkStart + 3 * 65536 + 200)] // inside a chunk header
    [InlineData(ChunkStart + 5 * 65536 + 33_333)] // inside a chunk's records
    [InlineData(ChunkStart + 7 * 65536)] // at a chunk boundary
    public void A_truncated_copy_reports_the_cut_and_keeps_every_record_before_it(int length)
    {
        Skip.If(EvtxLogs.Folder is null, EvtxLogs.Missing);
        var bytes = ManyChunks(out _);
        var intact = RecordsByOffset(bytes);
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "truncated.evtx");
        File.WriteAllBytes(path, bytes[..length]);

        var entries = EvtxLogs.ReadAll(File.ReadAllBytes(path));
        var problems = entries.Where(e => e.Entry.Kind == EvtxEntryKind.Corrupt).ToList();
        foreach (var p in problems) output.WriteLine($"0x{p.Entry.Offset:x}: {p.Entry.Problem}");
        // Every record that lies whole before the cut comes out, as it does from the whole file.
        var records = entries.Where(e => e.Entry.Kind == EvtxEntryKind.Record).ToDictionary(e => e.Entry.Offset, e => e.Json);
        var wholeChunks = intact.Where(r => r.Key < ChunkStart + (length - ChunkStart) / 65536 * 65536L).ToList();
        Assert.All(wholeChunks, r => Assert.Equal(r.Value, records[r.Key]));
        Assert.All(records, r => Assert.Equal(intact[r.Key], r.Value));
        if (length % 65536 == ChunkStart) Assert.Empty(problems); // a file cut at a chunk boundary is whole chunks
        else
        {
            // The cut is reported where it is: in the file header or in the chunk that the end of the file cuts.
            Assert.NotEmpty(problems);
            var cutChunk = length < ChunkStart ? 0 : ChunkStart + (length - ChunkStart) / 65536 * 65536L;
            Assert.Contains(problems, p => p.Entry.Offset >= cutChunk && p.Entry.Offset < length);
        }
        if (length < ChunkStart) Assert.Empty(records);
        else Assert.True(records.Count >= wholeChunks.Count);
    }

    [SkippableFact]
    public void Overwritten_bytes_in_one_chunk_are_reported_there_and_the_other_chunks_records_come_out_whole()
    {
        Skip.If(EvtxLogs.Folder is null, EvtxLogs.Missing);
        var bytes = ManyChunks(out _);
        var intact = RecordsByOffset(bytes);
        var random = new Random(14);
        for (var damaged = 0; damaged < 21; damaged += 4)
        {
            var start = ChunkStart + damaged * 65536L;
            var copy = (byte[])bytes.Clone();
            // Damage the chunk's header fields, a template and records: bursts of random bytes across the chunk.
            for (var burst = 0; burst < 12; burst++)
            {
                var at = (int)start + (burst == 0 ? random.Next(0, 512) : random.Next(512, 65536 - 64));
                for (var i = 0; i < random.Next(1, 48); i++) copy[at + i] = (byte)random.Next(256);
            }
            using var temp = new TempFolder();
            var path = Path.Combine(temp.Path, $"damaged-{damaged}.evtx");
            File.WriteAllBytes(path, copy);

            var entries = EvtxLogs.ReadAll(File.ReadAllBytes(path));
            var problems = entries.Where(e => e.Entry.Kind == EvtxEntryKind.Corrupt).ToList();
            output.WriteLine($"chunk {damaged}: {problems.Count} reports, first: {problems.FirstOrDefault().Entry.Problem}");
            Assert.NotEmpty(problems);
            Assert.All(problems, p => Assert.InRange(p.Entry.Offset, start, start + 65535));
            Assert.All(problems, p => Assert.Contains($"(offset 0x{start:x})", p.Entry.Problem));
            var records = entries.Where(e => e.Entry.Kind == EvtxEntryKind.Record).ToList();
            // Every record of the other chunks comes out as from the intact file; every record is one JSON object.
            var outside = intact.Where(r => r.Key < start || r.Key >= start + 65536).ToList();
            var found = records.ToDictionary(r => r.Entry.Offset, r => r.Json);
            Assert.All(outside, r => Assert.Equal(r.Value, found[r.Key]));
            Assert.All(records, r => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(r.Json!).RootElement.ValueKind));
        }
    }

    [SkippableFact]
    public void Random_damage_anywhere_never_escapes_as_an_exception_and_every_record_is_json()
    {
        Skip.If(EvtxLogs.Folder is null, EvtxLogs.Missing);
        var files = EvtxLogs.Files();
        var random = new Random(1414);
        long reports = 0, records = 0;
        for (var round = 0; round < 60; round++)
        {
            var bytes = File.ReadAllBytes(files[round % files.Count]);
            var flips = random.Next(1, 400);
            for (var i = 0; i < flips; i++) bytes[random.Next(EvtxReader.FileHeaderSize, bytes.Length)] = (byte)random.Next(256);
            foreach (var (entry, json) in EvtxLogs.ReadAll(bytes))
            {
                if (entry.Kind == EvtxEntryKind.Corrupt)
                {
                    reports++;
                    Assert.False(string.IsNullOrEmpty(entry.Problem));
                    Assert.InRange(entry.Offset, 0, bytes.Length);
                    continue;
                }
                records++;
                using var document = JsonDocument.Parse(json!, new JsonDocumentOptions { MaxDepth = 512 });
                Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            }
        }
        output.WriteLine($"{records:N0} records and {reports:N0} reports from 60 damaged copies");
        Assert.True(reports > 0);
    }

    [SkippableFact]
    public void Reading_records_allocates_nothing_per_record_once_the_buffers_have_grown()
    {
        Skip.If(EvtxLogs.Folder is null, EvtxLogs.Missing);
        var bytes = ManyChunks(out _);
        var json = new JsonBuffer(1 << 20);
        var stream = new MemoryStream(bytes, writable: false);
        // Warm up: one pass grows the reader's buffers (tree, names) to what this file needs.
        var reader = new EvtxReader(stream);
        var records = 0;
        while (reader.Read(json).Kind == EvtxEntryKind.Record)
        {
            json.Clear();
            records++;
        }
        var count = 0;
        var (least, figures) = ThreadAllocations.Least(() =>
        {
            stream.Position = 0;
            var again = new EvtxReader(stream);
            count = 0;
            while (again.Read(json).Kind == EvtxEntryKind.Record)
            {
                json.Clear();
                count++;
            }
        });
        Assert.Equal(records, count);
        Assert.True(count > 2000);
        // A new reader allocates its chunk buffer (64 KiB) and its tables once; nothing grows per record.
        Assert.True(least < 200_000, $"{count} records allocated {figures}");
        output.WriteLine($"{count} records: {least:N0} bytes allocated in all (the reader's own buffers)");
    }
}

using RuleGen.Host;
using RuleGen.Host.Scanning;
using RuleGen.Tests.Evtx;

namespace RuleGen.Tests.Host;

/// <summary>
/// <c>rulegen scan</c> over .evtx inputs: recognised by content, folders recursively (<c>--input-format</c> picks which
/// files), damaged data reported with the file and its offset, counted and skipped, and a resumed read starting at a
/// batch's end giving exactly the rest.
/// </summary>
public sealed class EvtxInputTests : IDisposable
{
    private readonly HostHarness.TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Log(string name) => EvtxLogs.Files().First(f => Path.GetFileName(f) == name);

    private static int PythonRecords(string evtx) => File.ReadLines(EvtxLogs.ReferencePath(evtx)).Count();

    [SkippableFact]
    public void An_evtx_file_is_recognised_by_its_content_whatever_its_name()
    {
        Skip.If(EvtxLogs.Folder is null, EvtxLogs.Missing);
        var log = Log("psattack-security.evtx");
        var copy = _folder.File("security-log.bin", File.ReadAllBytes(log));
        var result = HostHarness.Run(["scan", "--no-progress", copy]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"scanned {PythonRecords(log)} events", result.Stderr);
        Assert.Contains("malformed lines: 0", result.Stderr);
    }

    [SkippableFact]
    public void A_folder_is_scanned_recursively_and_input_format_picks_its_files()
    {
        Skip.If(EvtxLogs.Folder is null, EvtxLogs.Missing);
        var log = Log("new-user-security.evtx");
        Directory.CreateDirectory(Path.Combine(_folder.Path, "a", "b"));
        _folder.File(Path.Combine("a", "b", "one.evtx"), File.ReadAllBytes(log));
        _folder.File(Path.Combine("a", "two.evtx"), File.ReadAllBytes(log));
        _folder.File("events.ndjson", "{\"x\":1}\n{\"x\":2}\n");
        _folder.File("notes.txt", "not an input\n");
        var records = PythonRecords(log);

        var auto = HostHarness.Run(["scan", "--no-progress", _folder.Path]);
        Assert.Equal(0, auto.ExitCode);
        Assert.Contains($"scanned {2 * records + 2} events (", auto.Stderr);
        Assert.Contains("from 3 inputs", auto.Stderr);
        var evtx = HostHarness.Run(["scan", "--no-progress", "--input-format", "evtx", _folder.Path]);
        Assert.Contains($"scanned {2 * records} events (", evtx.Stderr);
        Assert.Contains("from 2 inputs", evtx.Stderr);
        var ndjson = HostHarness.Run(["scan", "--no-progress", "--input-format", "ndjson", _folder.Path]);
        Assert.Contains("scanned 2 events (", ndjson.Stderr);
        Assert.Contains("from 1 input ", ndjson.Stderr);

        var bad = HostHarness.Run(["scan", "--input-format", "xml", _folder.Path]);
        Assert.Equal(ExitCodes.UsageError, bad.ExitCode);
        Directory.CreateDirectory(Path.Combine(_folder.Path, "empty"));
        var empty = HostHarness.Run(["scan", "--input-format", "evtx", Path.Combine(_folder.Path, "empty")]);
        Assert.Equal(ExitCodes.InputOutputError, empty.ExitCode);
        Assert.Contains("holds no EVTX file", empty.Stderr);
    }

    [SkippableFact]
    public void Damaged_evtx_data_is_reported_with_its_file_and_offset_counted_and_skipped()
    {
        Skip.If(EvtxLogs.Folder is null, EvtxLogs.Missing);
        var bytes = File.ReadAllBytes(Log("many-events-application.evtx"));
        // Cut in the middle of the sixth chunk, and overwrite the third chunk's signature.
        var damaged = bytes[..(4096 + 5 * 65536 + 30_000)];
        "XXXXXXXX"u8.CopyTo(damaged.AsSpan(4096 + 2 * 65536));
        var path = _folder.File("damaged.evtx", damaged);

        var result = HostHarness.Run(["scan", "--no-progress", path]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"rulegen: {path}: chunk 2 (offset 0x21000): no ElfChnk signature; the chunk is skipped", result.Stderr);
        Assert.Contains($"rulegen: {path}: chunk 5 (offset 0x51000): cut off by the end of the file", result.Stderr);
        Assert.Contains("damaged EVTX data: ", result.Stderr);
        Assert.Contains($"{path}@0x21000", result.Stderr);
        Assert.Contains("malformed lines: 0", result.Stderr);
        // The intact chunks' records are scanned: chunks 0, 1, 3 and 4 whole, and chunk 5's whole records.
        var intact = EvtxLogs.ReadAll(bytes).Count(e => e.Entry.Offset < 4096 + 2 * 65536 || (e.Entry.Offset >= 4096 + 3 * 65536 && e.Entry.Offset < 4096 + 5 * 65536));
        var events = long.Parse(System.Text.RegularExpressions.Regex.Match(result.Stderr, @"scanned ([\d,]+) events").Groups[1].Value.Replace(",", ""));
        Assert.InRange(events, intact + 1, intact + 200);
    }

    [SkippableFact]
    public void A_file_named_evtx_without_the_signature_is_an_input_error()
    {
        var path = _folder.File("fake.evtx", "{\"x\":1}\n");
        var result = HostHarness.Run(["scan", "--no-progress", path]);
        Assert.Equal(ExitCodes.InputOutputError, result.ExitCode);
        Assert.Contains("is named .evtx but does not hold an EVTX log", result.Stderr);
    }

    [SkippableFact]
    public void A_read_resumed_at_a_batch_end_gives_exactly_the_rest_with_the_same_numbers()
    {
        Skip.If(EvtxLogs.Folder is null, EvtxLogs.Missing);
        var bytes = File.ReadAllBytes(Log("smb-password-guessing-security.evtx"));
        var whole = Batches(new EvtxBatchReader(new MemoryStream(bytes), false, BatchReader.DefaultMaxLineBytes));
        Assert.True(whole.Count >= 4, $"{whole.Count} batches");
        foreach (var cut in new[] { 0, whole.Count / 2, whole.Count - 2 })
        {
            var (endOffset, lastLine, _) = whole[cut];
            Assert.True(EvtxBatchReader.IsResumeOffset(endOffset));
            var stream = new MemoryStream(bytes);
            ScanInput.Skip(stream, endOffset);
            var rest = Batches(new EvtxBatchReader(stream, false, BatchReader.DefaultMaxLineBytes, lastLine + 1, endOffset));
            Assert.Equal(whole.Skip(cut + 1).SelectMany(b => b.Lines), rest.SelectMany(b => b.Lines));
        }
    }

    /// <summary>Each batch's end offset, last line number and lines (number and text).</summary>
    private static List<(long EndOffset, long LastLine, List<(long, string)> Lines)> Batches(EvtxBatchReader reader)
    {
        var batches = new List<(long, long, List<(long, string)>)>();
        var batch = new LineBatch(ScanPipeline.BatchBytes);
        while (reader.Fill(batch))
        {
            var lines = Enumerable.Range(0, batch.Count).Select(i => (batch.LineNumber(i), System.Text.Encoding.UTF8.GetString(batch.Line(i)))).ToList();
            batches.Add((batch.EndOffset, batch.LastLineNumber, lines));
            if (batch.EndOfInput) break;
        }
        return batches;
    }
}

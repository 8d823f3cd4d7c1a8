using System.IO.Compression;
using System.Text;
using RuleGen.Host.Scanning;
using static RuleGen.Tests.Host.HostHarness;

namespace RuleGen.Tests.Host;

/// <summary>
/// The scan's two stages: events evaluated in parallel batches, alerts and reports written in input order. A scan
/// on several threads must write exactly what a scan on one thread writes.
/// </summary>
public sealed class ParallelScanTests
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// About <paramref name="lines"/> lines of matching, non-matching, dotted, malformed, blank and CRLF lines, two
    /// seconds apart from <paramref name="start"/> (the rules run on event time: about fifty matches per five-minute
    /// execution, under the seed rule's max_signals, so every match alerts).
    /// </summary>
    private static string MixedInput(int lines, int seed, DateTime start)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            var at = start.AddSeconds(2 * i).ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", System.Globalization.CultureInfo.InvariantCulture);
            var line = random.Next(12) switch
            {
                0 or 1 => ScanInputTests.Match,
                2 => ScanInputTests.DottedMatch,
                3 => "{\"event\":",
                4 => "",
                5 => ScanInputTests.Match.Replace("alice", "bob-" + i) + "\r",
                _ => ScanInputTests.NoMatch,
            };
            sb.Append(System.Text.RegularExpressions.Regex.Replace(line, "2026-11-02T08:0[0-9]:00\\.000Z", at));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static readonly DateTime Day = new(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Several_threads_write_the_same_alerts_in_the_same_order_as_one_thread()
    {
        using var temp = new TempFolder();
        // Several megabytes per input: several batches each, evaluated out of order by the workers.
        var plain = temp.File("a.ndjson", MixedInput(20_000, 1, Day));
        var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(Utf8(MixedInput(15_000, 2, Day.AddHours(12))));
        var gz = temp.File("b.ndjson.gz", memory.ToArray());
        var stdin = Utf8(MixedInput(5_000, 3, Day.AddHours(24)));

        var one = Run(["scan", "--threads", "1", plain, gz, "-"], stdin);
        var four = Run(["scan", "--threads", "4", plain, gz, "-"], stdin);

        Assert.Equal(0, one.ExitCode);
        Assert.Equal(0, four.ExitCode);
        Assert.True(one.Alerts.Count > 5_000, $"only {one.Alerts.Count} alerts");
        Assert.Equal(one.Stdout, four.Stdout);
        // Malformed-line reports (and the summary's counts) agree too; only the timing line may differ.
        static string[] Reports(string stderr) => stderr.Split('\n').Where(l => !l.Contains(" in ") || !l.Contains("events/s")).ToArray();
        Assert.Equal(Reports(one.Stderr), Reports(four.Stderr));
        // Input order: files in the order given, lines ascending within each.
        var order = four.Alerts.Select(a => (File: a.GetProperty("rulegen.input.file").GetString(), Line: a.GetProperty("rulegen.input.line").GetInt64())).ToList();
        var inputs = new[] { plain, gz, "<stdin>" };
        for (var i = 1; i < order.Count; i++)
        {
            var before = (Array.IndexOf(inputs, order[i - 1].File), order[i - 1].Line);
            var after = (Array.IndexOf(inputs, order[i].File), order[i].Line);
            Assert.True(before.CompareTo(after) < 0, $"alert {i} ({order[i]}) comes after {order[i - 1]}");
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("many")]
    public void Threads_must_be_a_positive_number(string value)
    {
        var result = Run(["scan", "--threads", value, "-"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--threads needs a number of threads (1 or more)", result.Stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Batches_hold_whole_lines_however_the_reads_split_them(bool interactive)
    {
        var lines = new[] { "first", "", "second\r", "a much longer third line " + new string('x', 3000), "last without newline" };
        var bytes = Utf8("\uFEFF" + string.Join("\n", lines));
        var reader = new BatchReader(new TrickleStream(bytes, 7), interactive);
        var batch = new LineBatch(64);
        var seen = new List<(long Number, string Text)>();
        while (reader.Fill(batch))
        {
            for (var i = 0; i < batch.Count; i++) seen.Add((batch.LineNumber(i), Encoding.UTF8.GetString(batch.Line(i))));
            if (batch.EndOfInput) break;
        }
        Assert.Equal(new (long, string)[] { (1, "first"), (2, ""), (3, "second"), (4, lines[3]), (5, "last without newline") }, seen);
        Assert.Equal(bytes.Length, reader.BytesRead);
    }

    [Fact]
    public void Evaluating_a_batch_allocates_nothing_once_warm()
    {
        // Well-formed and blank lines (System.Text.Json's reader allocates for malformed JSON: the documented exception).
        var text = string.Join("\n", MixedInput(2_000, 4, Day).Split('\n').Where(l => l != "{\"event\":"));
        var batch = new LineBatch(1 << 20);
        var reader = new BatchReader(new MemoryStream(Utf8(text)), false);
        Assert.True(reader.Fill(batch));
        ScanPipeline.Evaluate(batch, HostRules);
        var before = GC.GetAllocatedBytesForCurrentThread();
        ScanPipeline.Evaluate(batch, HostRules);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(batch.Count >= 1_500);
    }

    /// <summary>Returns at most a few bytes per read.</summary>
    private sealed class TrickleStream(byte[] bytes, int step) : Stream
    {
        private int _at;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, step), bytes.Length - _at);
            Array.Copy(bytes, _at, buffer, offset, n);
            _at += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

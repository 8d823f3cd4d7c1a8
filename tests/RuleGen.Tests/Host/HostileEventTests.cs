using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RuleGen.Host.Scanning;
using RuleGen.Runtime;
using static RuleGen.Tests.Host.HostHarness;

namespace RuleGen.Tests.Host;

/// <summary>
/// Event lines an attacker can write: longer than the line limit, nested 100,000 deep, not UTF-8, with unpaired
/// surrogate escapes, NUL bytes, duplicate keys. Each gets a located report or the reading the README documents, and
/// the summary's counts add up to the lines read whatever the mixture.
/// </summary>
public sealed partial class HostileEventTests
{
    private static readonly string Sample = File.ReadLines(SamplePath).First();

    /// <summary>The first sample event, which the seed rule matches, with one more property.</summary>
    private static string SampleWith(string property) => Sample[..^1] + "," + property + "}";

    private static byte[] Lines(params byte[][] lines) => lines.SelectMany(l => l.Concat(new[] { (byte)'\n' })).ToArray();

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void An_overlong_line_is_skipped_as_it_is_read_and_never_held_whole()
    {
        // 40 MB of one line from a stream that makes it up as it goes: the batch buffer never grows past the limit.
        var stream = new GeneratedLineStream(Utf8(Sample + "\n{\"a\":\""), 40_000_000, Utf8("\"}\n" + Sample + "\n"));
        var reader = new BatchReader(stream, dispatchEachRead: false, maxLineBytes: 100_000);
        var batch = new LineBatch(64 * 1024);
        var lines = new List<(long Number, bool Overlong, long Length)>();
        var largestBuffer = 0;
        while (reader.Fill(batch))
        {
            largestBuffer = Math.Max(largestBuffer, batch.BufferBytes);
            for (var i = 0; i < batch.Count; i++)
                lines.Add((batch.LineNumber(i), batch.IsOverlong(i), batch.IsOverlong(i) ? batch.OverlongLength(i) : batch.Line(i).Length));
            if (batch.EndOfInput) break;
        }
        Assert.Equal(new[] { (1L, false, (long)Sample.Length), (2L, true, 40_000_008L), (3L, false, (long)Sample.Length) }, lines);
        Assert.True(largestBuffer <= 100_001 * 2, $"the buffer grew to {largestBuffer} bytes");
        Assert.Equal(stream.Length, reader.BytesRead);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void An_overlong_line_is_reported_with_its_line_number_and_the_scan_goes_on(int threads)
    {
        var input = Lines(Utf8(Sample), Utf8("{\"a\":\"" + new string('x', 5000) + "\"}"), Utf8(Sample));
        var result = Run(["scan", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--max-line-bytes", "1K", "-"], input);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("rulegen: <stdin>:2: overlong line skipped unread: 5,008 bytes, over the line limit of 1,024 (--max-line-bytes)", result.Stderr);
        Assert.Contains("overlong lines: 1 (over the line limit, skipped unread: <stdin>:2)", result.Stderr);
        Assert.Equal(new long[] { 1, 3 }, SeedAlertLines(result));
    }

    [Fact]
    public void A_bad_line_limit_is_a_usage_error()
    {
        var result = Run(["scan", "--max-line-bytes", "0", "-"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--max-line-bytes needs a number of bytes", result.Stderr);
    }

    public static TheoryData<string, byte[], string> HostileLines => new()
    {
        { "100,000-deep nesting", Utf8("{\"a\":" + new string('[', 100_000) + new string(']', 100_000) + "}"),
            "malformed line skipped: The maximum configured depth of 256 has been exceeded" },
        { "invalid UTF-8 in a field no rule reads", [.. Utf8(Sample[..^1] + ",\"x\":\""), 0xFF, 0xFE, .. Utf8("\"}")],
            "malformed line skipped: invalid UTF-8 (byte 0xFF at column" },
        { "invalid UTF-8 in a field the rule reads", Utf8(Sample).Select(b => b == (byte)'S' ? (byte)0xE9 : b).ToArray(),
            "malformed line skipped: invalid UTF-8 (byte 0xE9 at column" },
        { "a lone high surrogate escape", Utf8(SampleWith("\"x\":\"\\ud800\"")), "malformed line skipped: the escape \\ud800 at column 716 is an unpaired UTF-16 surrogate, which is not text" },
        { "a lone low surrogate escape", Utf8(SampleWith("\"x\":\"a\\uDC00\"")), "malformed line skipped: the escape \\uDC00 at column" },
        { "a high surrogate escape before a non-surrogate", Utf8(SampleWith("\"x\":\"\\ud800\\u0041\"")), "malformed line skipped: the escape \\ud800 at column" },
        { "a raw NUL inside a string", Utf8(SampleWith("\"x\":\"a\0b\"")), "malformed line skipped: '0x00' is invalid within a JSON string" },
        { "a raw NUL after the object", Utf8(Sample + "\0"), "malformed line skipped: '0x00' is invalid after a single JSON value" },
    };

    [Theory]
    [MemberData(nameof(HostileLines))]
    public void A_hostile_line_gets_a_located_report(string what, byte[] line, string report)
    {
        _ = what;
        var result = Run(["scan", "-"], Lines(Utf8(Sample), line, Utf8(Sample)));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("rulegen: <stdin>:2: " + report, result.Stderr);
        Assert.Contains("malformed lines: 1 (skipped: <stdin>:2)", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Equal(new long[] { 1, 3 }, SeedAlertLines(result));
    }

    [Fact]
    public void Escaped_NUL_and_paired_surrogates_are_text_and_an_escaped_backslash_is_not_an_escape()
    {
        var result = Run(["scan", "-"], Lines(
            Utf8(SampleWith("\"x\":\"a\\u0000b\"")),
            Utf8(SampleWith("\"x\":\"\\ud83d\\ude00\"")),
            Utf8(SampleWith("\"x\":\"C:\\\\ud800\""))));
        Assert.Contains("malformed lines: 0", result.Stderr);
        Assert.Equal(new long[] { 1, 2, 3 }, SeedAlertLines(result));
    }

    [Fact]
    public void Every_value_of_a_duplicate_key_counts_as_if_the_field_held_an_array()
    {
        // The seed rule needs event.outcome Success: the duplicate that says so matches, first or last.
        var successFirst = Sample.Replace("\"outcome\":\"Success\"", "\"outcome\":\"Success\",\"outcome\":\"failure\"", StringComparison.Ordinal);
        var successLast = Sample.Replace("\"outcome\":\"Success\"", "\"outcome\":\"failure\",\"outcome\":\"Success\"", StringComparison.Ordinal);
        var neither = Sample.Replace("\"outcome\":\"Success\"", "\"outcome\":\"failure\",\"outcome\":\"unknown\"", StringComparison.Ordinal);
        var result = Run(["scan", "-"], Lines(Utf8(successFirst), Utf8(successLast), Utf8(neither)));
        Assert.Contains("malformed lines: 0", result.Stderr);
        Assert.Equal(new long[] { 1, 2 }, SeedAlertLines(result));
    }

    [Theory]
    [InlineData("{\"a\":\"\\ud800\\udc00\"}", EventText.Problem.None, -1)]
    [InlineData("{\"a\":\"\\\\ud800\"}", EventText.Problem.None, -1)]
    [InlineData("{\"a\":\"\\\\\\ud800\"}", EventText.Problem.LoneSurrogateEscape, 8)]
    [InlineData("{\"a\":\"\\udc00\"}", EventText.Problem.LoneSurrogateEscape, 6)]
    [InlineData("{\"a\":\"\\ud800\"}", EventText.Problem.LoneSurrogateEscape, 6)]
    [InlineData("{\"a\":\"\\ud800", EventText.Problem.LoneSurrogateEscape, 6)]
    public void Event_text_finds_unpaired_surrogate_escapes(string json, EventText.Problem problem, int index)
    {
        Assert.Equal(problem, EventText.Find(Utf8(json), out var at));
        Assert.Equal(index, at);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_summary_counts_add_up_to_the_lines_over_a_hostile_mixture(int threads)
    {
        var random = new Random(15);
        var kinds = HostileLines.Select(row => (byte[])row[1]).Concat(new[]
        {
            Utf8(Sample), Utf8(Sample), Utf8(Sample), Utf8(""), Utf8("   \t"), Utf8("{not json}"), Utf8("[1,2]"),
            Utf8("{\"a\":\"" + new string('x', 3000) + "\"}"), Utf8(Sample + "\r"), Utf8(SampleWith("\"x\":\"a\\u0000b\"")),
        }).ToArray();
        var lines = Enumerable.Range(0, 2_000).Select(_ => kinds[random.Next(kinds.Length)]).ToArray();
        var result = Run(["scan", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--max-line-bytes", "2K", "-"], Lines(lines));
        Assert.Equal(0, result.ExitCode);
        var events = Count(result.Stderr, ScannedEvents());
        var malformed = Count(result.Stderr, MalformedLines());
        var blank = Count(result.Stderr, BlankLines());
        var overlong = Count(result.Stderr, OverlongLines());
        Assert.True(events > 0 && malformed > 0 && blank > 0 && overlong > 0, result.Stderr);
        Assert.Equal(lines.Length, events + malformed + blank + overlong);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    private static long Count(string stderr, Regex pattern)
    {
        var match = pattern.Match(stderr);
        return match.Success ? long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"scanned ([\d,]+) event")]
    private static partial Regex ScannedEvents();

    [GeneratedRegex(@"malformed lines: ([\d,]+)")]
    private static partial Regex MalformedLines();

    [GeneratedRegex(@"blank lines: ([\d,]+)")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"overlong lines: ([\d,]+)")]
    private static partial Regex OverlongLines();

    /// <summary>A prefix, <c>count</c> 'x' bytes made up as they are read, and a suffix: a huge line that never exists whole.</summary>
    private sealed class GeneratedLineStream(byte[] prefix, long count, byte[] suffix) : Stream
    {
        private long _position;

        public override long Length => prefix.Length + count + suffix.Length;

        public override int Read(byte[] buffer, int offset, int size) => Read(buffer.AsSpan(offset, size));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < Length)
            {
                var target = buffer.Slice(written);
                int n;
                if (_position < prefix.Length)
                {
                    n = Math.Min(target.Length, prefix.Length - (int)_position);
                    prefix.AsSpan((int)_position, n).CopyTo(target);
                }
                else if (_position < prefix.Length + count)
                {
                    n = (int)Math.Min(target.Length, prefix.Length + count - _position);
                    target.Slice(0, n).Fill((byte)'x');
                }
                else
                {
                    var at = (int)(_position - prefix.Length - count);
                    n = Math.Min(target.Length, suffix.Length - at);
                    suffix.AsSpan(at, n).CopyTo(target);
                }
                written += n;
                _position += n;
            }
            return written;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using RuleGen.Host;
using System.IO.Compression;
using System.Text;
using static RuleGen.Tests.Host.HostHarness;

namespace RuleGen.Tests.Host;

/// <summary><c>rulegen scan</c> over its kinds of input: files, gzip files, stdin, several inputs, bad lines.</summary>
public sealed class ScanInputTests
{
    /// <summary>An event the seed rule matches (nested fields).</summary>
    public const string Match = """{"@timestamp":"2026-11-02T08:01:00.000Z","event":{"kind":"event","dataset":"azure.activitylogs","outcome":"Success"},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}},"user":{"name":"alice"}}""";

    /// <summary>An event the seed rule matches (dotted keys).</summary>
    public const string DottedMatch = """{"@timestamp":"2026-11-02T08:02:00.000Z","event.dataset":"azure.activitylogs","event.outcome":"success","azure.activitylogs.operation_name":"MICROSOFT.NETWORK/VIRTUALNETWORKGATEWAYS/STARTPACKETCAPTURE/ACTION"}""";

    /// <summary>A well-formed event the seed rule does not match.</summary>
    public const string NoMatch = """{"@timestamp":"2026-11-02T08:03:00.000Z","event":{"dataset":"azure.activitylogs","outcome":"Failure"},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}}}""";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Gzip(string text)
    {
        var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(Utf8(text));
        return memory.ToArray();
    }

    [Fact]
    public void Sample_file_raises_the_seed_rule_on_its_four_packet_capture_events()
    {
        var result = Run(["scan", SamplePath]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new long[] { 1, 3, 5, 11 }, SeedAlertLines(result));
        Assert.All(result.Alerts, a => Assert.Equal(SamplePath, a.GetProperty("rulegen.input.file").GetString()));
        Assert.Contains("scanned 12 events", result.Stderr);
        Assert.Contains("malformed lines: 0", result.Stderr);
    }

    [Fact]
    public void Malformed_lines_are_reported_with_file_and_line_and_skipped_and_the_run_succeeds()
    {
        using var temp = new TempFolder();
        var path = temp.File("mixed.ndjson", string.Join("\n",
            Match,                               // 1
            "{\"event\":",                       // 2 truncated JSON
            "[1,2,3]",                           // 3 an array, not an object
            "\"just a string\"",                 // 4 a string
            "42",                                // 5 a number
            Match + " trailing",                 // 6 garbage after the object
            Match + Match,                       // 7 two objects on one line
            "{'single':'quotes'}",               // 8 not JSON
            "{\"a\":1,}",                        // 9 trailing comma
            DottedMatch) + "\n");                // 10
        var result = Run(["scan", path]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new long[] { 1, 10 }, SeedAlertLines(result));
        foreach (var line in new[] { 2, 3, 4, 5, 6, 7, 8, 9 })
            Assert.Contains($"rulegen: {path}:{line}: malformed line skipped:", result.Stderr);
        Assert.Contains("an event must be a JSON object, not an array", result.Stderr);
        Assert.Contains("an event must be a JSON object, not a string", result.Stderr);
        Assert.Contains("an event must be a JSON object, not a number", result.Stderr);
        Assert.Contains($"malformed lines: 8 (skipped: {path}:2, {path}:3, {path}:4, {path}:5, {path}:6, {path}:7, {path}:8, {path}:9)", result.Stderr);
        Assert.Contains("scanned 2 events", result.Stderr);
    }

    [Fact]
    public void Empty_and_whitespace_lines_are_skipped_without_being_malformed_and_keep_line_numbers()
    {
        var result = Run(["scan", "-"], Utf8("\n" + Match + "\n\n   \n\t\n" + DottedMatch + "\n\n"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new long[] { 2, 6 }, SeedAlertLines(result));
        Assert.Contains("malformed lines: 0", result.Stderr);
        Assert.Contains("blank lines: 5 (skipped)", result.Stderr);
    }

    [Fact]
    public void Crlf_line_ends_a_byte_order_mark_and_a_last_line_without_newline_are_read_as_events()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Utf8(Match + "\r\n" + NoMatch + "\r\n\r\n" + DottedMatch)).ToArray();
        var result = Run(["scan", "-"], bytes);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new long[] { 1, 4 }, SeedAlertLines(result));
        Assert.Contains("malformed lines: 0", result.Stderr);
        Assert.Contains("scanned 3 events", result.Stderr);
        // The alert carries the event's fields, not the line's \r.
        Assert.Equal("alice", result.Alerts[0].GetProperty("user").GetProperty("name").GetString());
    }

    [Fact]
    public void A_carriage_return_inside_a_line_is_malformed_not_a_line_end()
    {
        var result = Run(["scan", "-"], Utf8(Match + "\r" + Match + "\n"));
        Assert.Empty(result.Alerts);
        Assert.Contains("<stdin>:1: malformed line skipped", result.Stderr);
    }

    [Fact]
    public void Gzip_files_are_decompressed_and_give_the_same_alerts_as_plain_files()
    {
        using var temp = new TempFolder();
        var text = File.ReadAllText(SamplePath);
        var gz = temp.File("sample.ndjson.gz", Gzip(text));
        var result = Run(["scan", gz]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new long[] { 1, 3, 5, 11 }, SeedAlertLines(result));
        Assert.All(result.Alerts, a => Assert.Equal(gz, a.GetProperty("rulegen.input.file").GetString()));
    }

    [Fact]
    public void Gzip_data_is_recognised_by_its_magic_bytes_on_stdin_and_without_a_gz_name()
    {
        using var temp = new TempFolder();
        var compressed = Gzip(Match + "\n" + NoMatch + "\n");
        var unnamed = temp.File("events.log", compressed);
        Assert.Equal(new long[] { 1 }, SeedAlertLines(Run(["scan", unnamed])));
        Assert.Equal(new long[] { 1 }, SeedAlertLines(Run(["scan", "-"], compressed)));
    }

    [Fact]
    public void Concatenated_gzip_members_are_read_in_full()
    {
        using var temp = new TempFolder();
        var path = temp.File("two-members.gz", Gzip(Match + "\n").Concat(Gzip(NoMatch + "\n" + DottedMatch + "\n")).ToArray());
        Assert.Equal(new long[] { 1, 3 }, SeedAlertLines(Run(["scan", path])));
    }

    [Fact]
    public void A_gz_file_that_is_not_gzip_is_an_error()
    {
        using var temp = new TempFolder();
        var path = temp.File("plain.ndjson.gz", Match + "\n");
        var result = Run(["scan", path]);
        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Alerts);
        Assert.Contains($"rulegen: {path}: the file is named .gz but does not hold gzip data", result.Stderr);
    }

    [Fact]
    public void Corrupt_gzip_data_is_an_error_that_names_the_file_and_keeps_earlier_alerts()
    {
        using var temp = new TempFolder();
        // Enough distinct events that the deflate stream spans many blocks; then damage its middle.
        var lines = Enumerable.Range(0, 4000).Select(i => i % 2 == 0 ? Match.Replace("alice", "user" + i) : NoMatch.Replace("Failure", "F" + i));
        var bytes = Gzip(string.Join("\n", lines) + "\n");
        for (var i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++) bytes[i] ^= 0x5A;
        var path = temp.File("corrupt.ndjson.gz", bytes);
        var result = Run(["scan", path]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"rulegen: {path}: corrupt gzip data after line ", result.Stderr);
        Assert.Contains("scanned", result.Stderr);
    }

    [Fact]
    public void Dash_reads_events_from_stdin()
    {
        var result = Run(["scan", "-"], Utf8(NoMatch + "\n" + Match + "\n"));
        Assert.Equal(0, result.ExitCode);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal("<stdin>", alert.GetProperty("rulegen.input.file").GetString());
        Assert.Equal(2, alert.GetProperty("rulegen.input.line").GetInt64());
    }

    [Fact]
    public void Several_inputs_are_scanned_in_order_with_their_own_names_and_line_numbers()
    {
        using var temp = new TempFolder();
        var first = temp.File("first.ndjson", NoMatch + "\n" + Match + "\n");
        var second = temp.File("second.ndjson", DottedMatch + "\n");
        var result = Run(["scan", first, "-", second], Utf8(NoMatch + "\n" + NoMatch + "\n" + Match + "\n"));

        Assert.Equal(0, result.ExitCode);
        var sources = result.Alerts.Select(a => (a.GetProperty("rulegen.input.file").GetString()!, a.GetProperty("rulegen.input.line").GetInt64())).ToArray();
        Assert.Equal(new[] { (first, 2L), ("<stdin>", 3L), (second, 1L) }, sources);
        Assert.Contains("scanned 6 events", result.Stderr);
        Assert.Contains("from 3 inputs", result.Stderr);
    }

    [Fact]
    public void A_missing_input_file_is_an_error_before_anything_is_scanned()
    {
        using var temp = new TempFolder();
        var present = temp.File("present.ndjson", Match + "\n");
        var missing = Path.Combine(temp.Path, "missing.ndjson");
        var result = Run(["scan", present, missing]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal($"rulegen: input file not found: {missing}" + Environment.NewLine, result.Stderr);
    }

    [Fact]
    public void A_missing_input_does_not_create_the_output_file()
    {
        using var temp = new TempFolder();
        var output = Path.Combine(temp.Path, "alerts.ndjson");
        var result = Run(["scan", "--output", output, Path.Combine(temp.Path, "missing.ndjson")]);
        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_directory_without_inputs_is_an_error()
    {
        // A folder stands for the inputs under it (EvtxInputTests); one that holds none is an error before any scan.
        using var temp = new TempFolder();
        File.WriteAllText(Path.Combine(temp.Path, "notes.txt"), "{}\n");
        var output = Path.Combine(temp.Path, "alerts.out");
        var result = Run(["scan", "-o", output, temp.Path]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"the folder {temp.Path} holds no EVTX or NDJSON file (NDJSON files end in .ndjson, .json, .jsonl or .gz)", result.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Output_option_writes_the_alerts_to_the_file_and_nothing_to_stdout()
    {
        using var temp = new TempFolder();
        var output = Path.Combine(temp.Path, "alerts.ndjson");
        var result = Run(["scan", "-o", output, SamplePath]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var alerts = HostResult.ParseNdjson(File.ReadAllText(output));
        Assert.Equal(new long[] { 1, 3, 5, 11 }, alerts.Select(a => a.GetProperty("rulegen.input.line").GetInt64()).ToArray());
        Assert.EndsWith("\n", File.ReadAllText(output));
    }

    [Fact]
    public void An_output_file_that_cannot_be_created_is_an_error()
    {
        using var temp = new TempFolder();
        var output = Path.Combine(temp.Path, "no-such-folder", "alerts.ndjson");
        var result = Run(["scan", "--output", output, SamplePath]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"rulegen: cannot create the output file '{output}'", result.Stderr);
    }

    [Fact]
    public void An_output_that_fails_while_writing_is_an_error()
    {
        var stdout = new FailingStream();
        var stderr = new StringWriter();
        var console = new RuleGen.Host.HostConsole(new MemoryStream(), stdout, stderr, false, new SteppingTime());
        var code = RuleGen.Host.Cli.Run(["scan", SamplePath], console, HostRules);
        Assert.Equal(1, code);
        Assert.Single(stderr.ToString().Split('\n'), l => l.Contains("rulegen: cannot write alerts to stdout: disk full"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("4")]
    public void Alerts_of_lines_read_so_far_reach_the_output_while_the_scan_waits_for_more_input(string threads)
    {
        // The second read blocks until the first line's alert is on stdout (or gives up after 20 s): a scan that held
        // alerts back until more input came would fail. With one thread the scan flushes before each read; with
        // several, the writer flushes whenever it waits for the next batch.
        var stdout = new MemoryStream();
        var alertsSeenDuringSecondRead = -1;
        // The first chunk ends with an event at 08:10: the seed rule's execution at 08:05 has run (its allowed
        // lateness of a minute has passed) and its alert is out before the scan waits for the second chunk.
        var later = NoMatch.Replace("2026-11-02T08:03:00.000Z", "2026-11-02T08:10:00.000Z");
        var stdin = new ChunkedStream([Utf8(Match + "\n" + later + "\n"), Utf8(Match + "\n")],
            beforeChunk: index =>
            {
                if (index != 1) return;
                var deadline = DateTime.UtcNow.AddSeconds(20);
                do
                {
                    alertsSeenDuringSecondRead = Encoding.UTF8.GetString(stdout.ToArray()).Count(c => c == '\n');
                    if (alertsSeenDuringSecondRead > 0) break;
                    Thread.Sleep(5);
                }
                while (DateTime.UtcNow < deadline);
            });
        var console = new RuleGen.Host.HostConsole(stdin, stdout, new StringWriter(), false, new SteppingTime());
        Assert.Equal(0, RuleGen.Host.Cli.Run(["scan", "--threads", threads, "-"], console, HostRules));
        Assert.Equal(1, alertsSeenDuringSecondRead);
        Assert.Equal(2, Encoding.UTF8.GetString(stdout.ToArray()).Count(c => c == '\n'));
    }

    [Fact]
    public void Only_the_first_hundred_malformed_lines_are_reported_one_by_one_but_all_are_counted()
    {
        var input = string.Join("\n", Enumerable.Range(0, 150).Select(_ => "not json")) + "\n" + Match + "\n";
        var result = Run(["scan", "-"], Utf8(input));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(100, result.Stderr.Split('\n').Count(l => l.Contains("malformed line skipped")));
        Assert.Contains("<stdin>:100: malformed line skipped", result.Stderr);
        Assert.DoesNotContain("<stdin>:101: malformed line skipped", result.Stderr);
        Assert.Contains("further malformed lines are not reported one by one", result.Stderr);
        Assert.Contains("malformed lines: 150 (skipped: <stdin>:1, ", result.Stderr);
        Assert.Contains("<stdin>:20, and 130 more)", result.Stderr);
        Assert.Equal(new long[] { 151 }, SeedAlertLines(result));
    }

    [Fact]
    public void Lines_longer_than_the_read_buffer_are_read_whole()
    {
        var padding = new string('x', 3 << 20);
        var longMatch = Match.Replace("\"user\":{\"name\":\"alice\"}", $"\"user\":{{\"name\":\"alice\"}},\"padding\":\"{padding}\"");
        var result = Run(["scan", "-"], Utf8(NoMatch + "\n" + longMatch + "\n" + DottedMatch + "\n"));
        Assert.Equal(new long[] { 2, 3 }, SeedAlertLines(result));
        Assert.Equal(padding.Length, result.Alerts[0].GetProperty("padding").GetString()!.Length);
    }

    [Theory]
    [InlineData(new string[] { "scan" }, "scan needs at least one INPUT")]
    [InlineData(new string[] { "scan", "--frobnicate", "x" }, "unknown option '--frobnicate'")]
    [InlineData(new string[] { "scan", "-", "-" }, "stdin (-) can be scanned only once")]
    [InlineData(new string[] { "scan", "x.ndjson", "--output" }, "Required argument missing for option: '--output'")]
    [InlineData(new string[] { "scan", "--threads=0", "x" }, "--threads needs a number of threads (1 or more)")]
    [InlineData(new string[] { "scan", "--lateness", "soon", "x" }, "--lateness needs a duration such as 30s or 1m (got 'soon')")]
    [InlineData(new string[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new string[] { }, "Usage:")]
    [InlineData(new string[] { "rules", "extra" }, "Unrecognized command or argument 'extra'")]
    public void Command_line_mistakes_exit_with_2_and_say_what_is_wrong(string[] args, string message)
    {
        var result = Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Double_dash_makes_the_following_arguments_inputs()
    {
        using var temp = new TempFolder();
        var path = temp.File("-dash.ndjson", Match + "\n");
        var result = Run(["scan", "--", path]);
        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.Alerts);
    }

    [Fact]
    public void Help_goes_to_stdout_with_exit_code_0()
    {
        foreach (var args in new[] { new[] { "--help" }, new[] { "scan", "--help" } })
        {
            var result = Run(args);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains(args.Length == 1 ? "rulegen [command] [options]" : "rulegen scan [<INPUT>...] [options]", result.Stdout);
            Assert.Contains(args.Length == 1 ? "scan <INPUT>" : "-o, --output <FILE>", result.Stdout);
            Assert.Equal("", result.Stderr);
        }
    }

    [Theory]
    [InlineData("rules", "--min-level <L>")]
    [InlineData("compile", "-o, --output <PACK>")]
    [InlineData("scan", "--threads <N>")]
    public void Every_command_has_its_help(string command, string option)
    {
        var result = Run([command, "--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"rulegen {command}", result.Stdout);
        Assert.Contains(option, result.Stdout);
    }

    [Fact]
    public void Options_take_their_value_after_an_equals_sign_and_short_options_bundle()
    {
        using var temp = new TempFolder();
        var input = temp.File("in.ndjson", Match + "\n" + NoMatch + "\n");
        var alerts = temp.File("alerts.ndjson");
        // -q and -o bundled, the file after them; --threads=2 in one argument.
        var result = Run(["scan", "--threads=2", "-qo", alerts, input]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.Equal("", result.Stderr); // -q: no summary
        Assert.Single(HostResult.ParseNdjson(File.ReadAllText(alerts)));
    }

    [Fact]
    public void Output_naming_a_folder_is_a_clear_error_before_anything_is_scanned()
    {
        using var temp = new TempFolder();
        var input = temp.File("in.ndjson", Match + "\n");
        var result = Run(["scan", "-o", temp.Path, input]);
        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains($"-o '{temp.Path}' is a folder; give the alerts file's name", result.Stderr);
        Assert.DoesNotContain("denied", result.Stderr);
    }

    /// <summary>Hands out its chunks one read at a time, calling back before each.</summary>
    private sealed class ChunkedStream(byte[][] chunks, Action<int> beforeChunk) : Stream
    {
        private int _chunk;
        private int _offset;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_chunk >= chunks.Length) return 0;
            if (_offset == 0) beforeChunk(_chunk);
            var n = Math.Min(count, chunks[_chunk].Length - _offset);
            Array.Copy(chunks[_chunk], _offset, buffer, offset, n);
            _offset += n;
            if (_offset == chunks[_chunk].Length)
            {
                _chunk++;
                _offset = 0;
            }
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

    /// <summary>An output whose every write fails, like a full disk.</summary>
    private sealed class FailingStream : Stream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("disk full");
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("disk full");
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

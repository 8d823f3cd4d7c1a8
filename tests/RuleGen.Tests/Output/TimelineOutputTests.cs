using System.Text;
using RuleGen.Host.Output;
using RuleGen.Tests.Host;
using static RuleGen.Tests.Host.HostHarness;

namespace RuleGen.Tests.Output;

/// <summary><c>--output-format csv|table</c>: the timeline's columns, RFC 4180 quoting, the table's width, the summary.</summary>
public sealed class TimelineOutputTests
{
    private static string Event(int minute, string host, string user = "alice") =>
        ScanInputTests.Match.Replace("2026-11-02T08:01:00.000Z", $"2026-11-02T08:{minute:00}:00.000Z")
            .Replace("\"user\":{\"name\":\"alice\"}", $"\"user\":{{\"name\":\"{user}\"}},\"host\":{{\"name\":\"{host}\"}}");

    private static string Events(params string[] lines) => string.Join('\n', lines) + "\n";

    /// <summary>An RFC 4180 reader for the tests: quoted fields, doubled quotes, CRLF records.</summary>
    public static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0: quoted = true; break;
                case ',': record.Add(field.ToString()); field.Clear(); break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    record.Add(field.ToString()); field.Clear(); records.Add(record); record = new List<string>(); i++; break;
                case '\r' or '\n': throw new FormatException($"a bare line break outside quotes at {i}");
                default: field.Append(ch); break;
            }
        }
        if (field.Length > 0 || record.Count > 0) throw new FormatException("the last record does not end with CRLF");
        return records;
    }

    [Fact]
    public void Csv_timeline_has_hayabusas_columns_and_one_record_per_alert()
    {
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("e.ndjson", Events(Event(1, "web-1"), Event(2, "db,2"), ScanInputTests.NoMatch, Event(3, "web-1")));
        var ndjson = Run(["scan", "--no-progress", input]);
        var csv = Run(["scan", "--no-progress", "--output-format", "csv", input]);

        Assert.Equal(0, csv.ExitCode);
        var records = ParseCsv(csv.Stdout);
        Assert.Equal(new[] { "Timestamp", "Computer", "Channel", "EventID", "Level", "RuleTitle", "Details" }, records[0]);
        Assert.Equal(ndjson.Alerts.Count, records.Count - 1);
        Assert.Equal(3, records.Count - 1);
        var rows = records.Skip(1).ToList();
        Assert.Equal(new[] { "2026-11-02T08:01:00.000Z", "2026-11-02T08:02:00.000Z", "2026-11-02T08:03:00.000Z" }, rows.Select(r => r[0]));
        Assert.Equal(new[] { "web-1", "db,2", "web-1" }, rows.Select(r => r[1]));
        // An ECS event: the channel is its dataset, no event code ('-'), the rule's severity and name.
        Assert.All(rows, r => Assert.Equal("azure.activitylogs", r[2]));
        Assert.All(rows, r => Assert.Equal("-", r[3]));
        Assert.All(rows, r => Assert.Equal("medium", r[4]));
        Assert.All(rows, r => Assert.Equal("Azure Full Network Packet Capture Detected", r[5]));
        Assert.All(rows, r => Assert.Equal("User: alice ¦ Outcome: Success", r[6]));
        Assert.Contains("\"db,2\"", csv.Stdout);
    }

    [Fact]
    public void Ndjson_format_writes_exactly_what_the_default_writes()
    {
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("e.ndjson", Events(Event(1, "a"), Event(2, "b")));
        Assert.Equal(Run(["scan", "--no-progress", input]).Stdout, Run(["scan", "--no-progress", "--output-format", "ndjson", input]).Stdout);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    [InlineData("", "")]
    public void Csv_fields_are_quoted_per_rfc_4180(string field, string expected)
    {
        var text = new StringWriter();
        CsvTimelineWriter.WriteField(text, field);
        Assert.Equal(expected, text.ToString());
    }

    [Fact]
    public void Csv_round_trips_quotes_commas_and_line_breaks_in_details()
    {
        var text = new StringWriter();
        var writer = new CsvTimelineWriter(text);
        var row = new TimelineRow("2026-01-01T00:00:00.000Z", "pc", "Security", "4688", "high", "Rule, \"quoted\"", "Cmdline: a\r\nb ¦ User: x,y");
        writer.Write(row);
        var records = ParseCsv(text.ToString());
        Assert.Equal(2, records.Count);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => row[i]), records[1]);
    }

    [Fact]
    public void Table_lines_fit_the_width_and_cut_cells_show_an_ellipsis()
    {
        using var temp = new HostHarness.TempFolder();
        var longUser = new string('u', 300);
        var input = temp.File("e.ndjson", Events(Event(1, "host-with-a-rather-long-name-indeed", longUser), Event(2, "h2")));
        foreach (var width in new[] { 100, 120, 200 })
        {
            var text = new StringWriter();
            var table = new TableTimelineWriter(text, width);
            table.Write(new TimelineRow("2026-11-02T08:01:00.000Z", "host-with-a-rather-long-name-indeed", "Microsoft-Windows-Sysmon/Operational", "1", "high", "T", "User: " + longUser));
            var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
            Assert.StartsWith("Timestamp", lines[0]);
            Assert.Contains("Details", lines[0]);
            Assert.Contains("Sysmon", lines[2]);
            Assert.Contains("host-with", lines[2]);
            Assert.Contains(" high ", lines[2]);
            Assert.Contains('…', lines[2]);
            Assert.Equal(width, lines[2].Length);
        }
        var narrow = new StringWriter();
        new TableTimelineWriter(narrow, 60).Write(new TimelineRow("t", "c", "ch", "1", "informational", "rule", "User: " + longUser));
        Assert.All(narrow.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.True(l.Length <= 60, l));
        Assert.Contains(" info ", narrow.ToString());
        // Through the scan: a line per alert under the header and rule.
        var scanned = Run(["scan", "--no-progress", "--output-format", "table", input]);
        Assert.Equal(0, scanned.ExitCode);
        var scannedLines = scanned.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, scannedLines.Length);
        Assert.Contains("h2", scannedLines[3]);
    }

    [Fact]
    public void Unknown_output_format_is_refused_with_the_choices()
    {
        var result = Run(["scan", "--output-format", "xml", SamplePath]);
        Assert.Equal(RuleGen.Host.ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("ndjson", result.Stderr);
        Assert.Contains("csv", result.Stderr);
        Assert.Contains("table", result.Stderr);
    }

    [Fact]
    public void Summary_gives_alerts_by_level_the_time_span_and_the_top_computers()
    {
        using var temp = new HostHarness.TempFolder();
        var input = temp.File("e.ndjson", Events(Event(7, "web-1"), Event(2, "db-2"), Event(3, "web-1"), Event(4, "web-1")));
        var result = Run(["scan", "--no-progress", "-o", temp.File("a.ndjson"), input]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("    by level: medium 4", result.Stderr);
        Assert.Contains("first alert: 2026-11-02T08:02:00.000Z, last alert: 2026-11-02T08:07:00.000Z", result.Stderr);
        Assert.Contains("top computers: web-1 3, db-2 1", result.Stderr);
    }
}

/// <summary>The timeline columns of each event shape: Windows flat, evtx JSON, ECS (nested and dotted).</summary>
public sealed class EventFieldReaderTests
{
    private static EventFieldReader Read(string json)
    {
        var reader = new EventFieldReader();
        reader.Read(Encoding.UTF8.GetBytes(json), details: true);
        return reader;
    }

    [Fact]
    public void Flat_windows_event_gives_its_system_fields_and_known_details()
    {
        var r = Read("""{"Provider_Name":"Microsoft-Windows-Security-Auditing","EventID":"4688","Channel":"Security","Computer":"PC-1","TimeCreated_SystemTime":"2020-01-01 00:00:00","SubjectUserName":"bob","NewProcessName":"C:\\w\\cmd.exe","CommandLine":"cmd /c whoami","NewProcessId":"0x10","Extra":"x"}""");
        Assert.Equal("PC-1", r.Computer);
        Assert.Equal("Security", r.Channel);
        Assert.Equal("4688", r.EventId);
        Assert.Equal("Cmdline: cmd /c whoami ¦ Proc: C:\\w\\cmd.exe ¦ PID: 0x10 ¦ User: bob", r.Details());
    }

    [Fact]
    public void Evtx_json_event_reads_event_id_text_and_all_event_data_of_an_unknown_event()
    {
        var r = Read("""{"Event":{"System":{"Provider":{"#attributes":{"Name":"Service Control Manager"}},"EventID":{"#attributes":{"Qualifiers":"16384"},"#text":"7036"},"Channel":"System","Computer":"SRV"},"EventData":{"param1":"Windows Update","param2":"running","Binary":"-"}}}""");
        Assert.Equal("SRV", r.Computer);
        Assert.Equal("System", r.Channel);
        Assert.Equal("7036", r.EventId);
        Assert.Equal("param1: Windows Update ¦ param2: running", r.Details());
    }

    [Fact]
    public void Evtx_json_sysmon_process_creation_gives_its_key_fields_in_order()
    {
        var r = Read("""{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS"},"EventData":{"UtcTime":"x","ProcessId":"42","Image":"C:\\a.exe","CommandLine":"a.exe -x","User":"WS\\me","ParentCommandLine":"explorer.exe"}}}""");
        Assert.Equal("1", r.EventId);
        Assert.Equal("Cmdline: a.exe -x ¦ Proc: C:\\a.exe ¦ User: WS\\me ¦ ParentCmdline: explorer.exe ¦ PID: 42", r.Details());
    }

    [Theory]
    [InlineData("""{"host":{"name":"h1","hostname":"other"},"event":{"code":"4624"},"winlog":{"channel":"Security","event_data":{"LogonType":"3","TargetUserName":"eve"}}}""")]
    [InlineData("""{"host.hostname":"other","host.name":"h1","event.code":"4624","winlog.channel":"Security","winlog.event_data.LogonType":"3","winlog.event_data.TargetUserName":"eve"}""")]
    public void Ecs_event_nested_or_dotted_gives_the_same_columns(string json)
    {
        var r = Read(json);
        Assert.Equal("h1", r.Computer);
        Assert.Equal("Security", r.Channel);
        Assert.Equal("4624", r.EventId);
        Assert.Equal("Type: 3 ¦ TgtUser: eve", r.Details());
    }

    [Fact]
    public void Event_without_the_fields_gives_placeholders_and_invalid_json_does_not_throw()
    {
        var r = Read("""{"a":1}""");
        Assert.Null(r.Computer);
        Assert.Equal("-", r.Details());
        var broken = Read("""{"Computer":"X","Channel":""");
        Assert.Equal("X", broken.Computer);
    }
}

/// <summary>The MITRE ATT&amp;CK columns of the report, from a rule's metadata.</summary>
public sealed class MitreTests
{
    [Fact]
    public void Sigma_attack_tags_give_tactics_and_techniques_and_not_groups()
    {
        var rule = new RuleGen.Runtime.RuleInfo
        {
            Id = "x", Name = "n", Format = "sigma", Type = "sigma", Language = "sigma", SourceFile = "r.yml",
            Tags = new[] { "attack.execution", "attack.t1059.001", "attack.defense_evasion", "attack.g0016", "attack.T1027", "cve.2021-1" },
        };
        Assert.Equal(new[] { "Execution", "Defense Evasion" }, Mitre.TacticsOf(rule));
        Assert.Equal(new[] { "T1059.001", "T1027" }, Mitre.TechniquesOf(rule));
    }
}

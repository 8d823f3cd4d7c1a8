using System.Text;
using Microsoft.CodeAnalysis;
using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;
using SeedRule = RuleGen.Host.Compiled.Rules.AzureFullNetworkPacketCaptureDetected;

namespace RuleGen.Tests.Runtime;

/// <summary>
/// "Matching allocates nothing per event": after a warm-up pass, evaluating rules over many varied events (nested
/// and dotted fields, arrays of values and of objects, JSON escapes in values and keys, unicode, nulls, numbers,
/// deep and wide events) does not move <see cref="GC.GetAllocatedBytesForCurrentThread"/> by a single byte.
/// Not part of this promise: malformed events (the JSON reader reports them by throwing), and events nested more
/// than 64 levels deep (System.Text.Json's reader then allocates its own depth stack).
/// </summary>
public sealed class MatchingAllocationTests : IClassFixture<MatchingAllocationTests.Compiled>
{
    /// <summary>The rule set and the events, made once for this class.</summary>
    public sealed class Compiled : IDisposable
    {
        public GeneratorRun Run { get; } = CompileRuleSet();
        public List<byte[]> Events { get; } = Events(1000);
        public void Dispose() => Run.Dispose();
    }

    private readonly Compiled _compiled;

    public MatchingAllocationTests(Compiled compiled) => _compiled = compiled;

    private const int Rounds = 5;

    /// <summary>Rules that exercise each kind of runtime test the KQL emitter uses.</summary>
    private static readonly string[] Queries =
    [
        // value lists (a set), and a wildcard that becomes a substring test
        "process.name:(cmd.exe or powershell.exe or pwsh.exe or wscript.exe or cscript.exe or mshta.exe or rundll32.exe or regsvr32.exe) and process.args:*-enc*",
        // numeric ranges (numbers and numeric strings), not, prefix wildcards in a list
        "destination.ip:(10.* or 192.168.* or fd00\\:*) and destination.port >= 1024 and not destination.port:8080",
        // wildcard field names, escapes in a wildcard pattern
        "file.hash.*:* and file.path:C\\:\\\\Users\\\\*\\\\AppData\\\\*.exe",
        // prefix and substring wildcards
        "user.name:*admin* or user.name:root*",
        // nested query over arrays of objects
        "event.category:process and process.parent:{ name:explorer.exe and pid > 100 }",
        // suffix wildcard and a negated value
        "dns.question.name:*.example.com and not dns.question.type:AAAA",
        // exists, booleans, unicode literal
        "network.protocol:* and labels.flag:true and user.full_name:Zoë*",
    ];

    private static readonly string[] Users = ["root", "rootkit", "alice", "badmin", "Zo\\u00eb", "Zoë Q", "x\\\"y", "sysadmin"];
    private static readonly string[] Processes = ["cmd.exe", "c\\u006dd.exe", "notepad.exe", "pwsh.exe", "powershell.exe", "mshta.exe"];
    private static readonly string[] Ips = ["10.1.2.3", "192.168.7.7", "8.8.8.8", "fd00::1", "::ffff:10.0.0.1", "not-an-ip"];
    private static readonly string[] Names = ["a.example.com", "example.com", "x.example.org", "deep.sub.example.com"];

    /// <summary>Varied events; the same generator (seeded) every time.</summary>
    private static List<byte[]> Events(int count)
    {
        var random = new Random(20261127);
        var events = new List<byte[]>(count);
        string Pick(string[] values) => values[random.Next(values.Length)];
        for (var i = 0; i < count; i++)
        {
            var json = (i % 10) switch
            {
                // nested objects
                0 => $$$"""{"@timestamp":"2026-11-02T08:01:00Z","event":{"category":"process","dataset":"azure.activitylogs","outcome":"Success"},"process":{"name":"{{{Pick(Processes)}}}","args":["-nop","-enc","SQBFAFgA"],"parent":{"name":"explorer.exe","pid":{{{random.Next(50, 200)}}}}},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKWATCHERS/PACKETCAPTURES/WRITE"}},"user":{"name":"{{{Pick(Users)}}}"}}""",
                // dotted keys
                1 => $$$"""{"event.dataset":"azure.activitylogs","event.outcome":"success","azure.activitylogs.operation_name":"MICROSOFT.NETWORK/VPNGATEWAYS/VPNCONNECTIONS/STARTPACKETCAPTURE/ACTION","destination.ip":"{{{Pick(Ips)}}}","destination.port":{{{random.Next(0, 65536)}}},"user.name":"{{{Pick(Users)}}}"}""",
                // a mix of nesting and dotted keys, arrays of values
                2 => $$$"""{"event":{"outcome":["Failure","Success"],"dataset":"azure.activitylogs"},"azure.activitylogs":{"operation_name":"MICROSOFT.NETWORK/X/STARTPACKETCAPTURE/ACTION"},"destination":{"ip":["{{{Pick(Ips)}}}","{{{Pick(Ips)}}}"],"port":"{{{random.Next(1000, 9000)}}}"}}""",
                // arrays of objects (the nested query looks into each)
                3 => $$$"""{"event.category":["network","process"],"process":{"parent":[{"name":"services.exe","pid":4},{"name":"explorer.exe","pid":{{{random.Next(90, 110)}}}}]},"user":[{"name":"{{{Pick(Users)}}}"},{"name":"guest"}]}""",
                // escaped strings in values (decoded before comparing) and wildcard field names
                4 => $$$"""{"file":{"path":"C:\\Users\\{{{Pick(Users)}}}\\AppData\\Local\\Temp\\x{{{i}}}.exe","hash":{"sha256":"e3b0c442","md5":"d41d8cd9"}},"message":"line\nbreak \"quoted\" \/slash\/ tab\t \u00e9"}""",
                // escaped keys, including one longer than the reader's stack buffer
                5 => $$$"""{"us\u0065r":{"n\u0061me":"{{{Pick(Users)}}}"},"{{{new string('k', 150)}}}\u0041":1,"process.n\u0061me":"{{{Pick(Processes)}}}","process.args":"-EncodedCommand -enc"}""",
                // nulls, empty values, booleans, unicode, numbers as strings
                6 => $$$"""{"user":{"name":null,"full_name":"{{{Pick(Users)}}}"},"network":{"protocol":"dns"},"labels":{"flag":{{{(random.Next(2) == 0 ? "true" : "\"true\"")}}}},"dns":{"question":{"name":"{{{Pick(Names)}}}","type":"{{{(random.Next(2) == 0 ? "A" : "AAAA")}}}"}},"destination.port":null}""",
                // wide: many fields nobody reads
                7 => "{" + string.Join(",", Enumerable.Range(0, 60).Select(k => $"\"field{k}\":{{\"v\":{k},\"s\":\"value {k}\",\"a\":[1,2,{{\"z\":null}}]}}")) + $",\"user.name\":\"{Pick(Users)}\"}}",
                // deep: nesting nobody reads (below the JSON reader's 64 levels kept without allocating), then fields that are read
                8 => "{\"deep\":" + string.Concat(Enumerable.Repeat("{\"d\":[", 30)) + "1" + string.Concat(Enumerable.Repeat("]}", 30)) + $",\"dns.question.name\":\"{Pick(Names)}\",\"file.hash.sha1\":\"aa\",\"file.path\":\"C:\\\\Users\\\\bob\\\\AppData\\\\y.exe\"}}",
                // long string values
                _ => $$$"""{"process":{"name":"{{{Pick(Processes)}}}","args":"{{{new string('a', 2000)}}} -enc {{{new string('b', 3000)}}}"},"user.name":"{{{new string('r', 500)}}}admin"}""",
            };
            events.Add(Encoding.UTF8.GetBytes(json));
        }
        return events;
    }

    private static GeneratorRun CompileRuleSet()
    {
        var files = Queries.Select((query, i) => ($"/rules/rule{i}.toml",
            GeneratorHarness.ElasticRule(query, name: $"Allocation Rule {i}", ruleId: $"00000000-0000-4000-8000-{i:D12}")))
            .Append((Repo.SeedRulePath, File.ReadAllText(Repo.SeedRulePath)));
        var run = GeneratorHarness.Run(files, null);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Empty(run.CompileDiagnostics);
        return run;
    }

    /// <summary>
    /// Warms <paramref name="pass"/> up until one whole pass allocates nothing (first calls run static constructors,
    /// grow the reused buffers to the largest event, and the JIT swaps in optimised code), at most 20 passes; then
    /// returns what <see cref="Rounds"/> more passes allocate. An allocation per event never settles, so it shows.
    /// </summary>
    private static long AllocatedAfterWarmUp(Action pass)
    {
        for (var warmUp = 0; warmUp < 20; warmUp++)
        {
            var start = GC.GetAllocatedBytesForCurrentThread();
            pass();
            if (GC.GetAllocatedBytesForCurrentThread() == start) break;
            Thread.Sleep(50);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < Rounds; round++) pass();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Events_used_here_are_well_formed_and_some_match_each_rule_and_some_do_not()
    {
        var events = _compiled.Events;
        var run = _compiled.Run;
        var set = run.RuleSet();
        var perRule = new int[set.Rules.Count];
        var matches = new int[set.Rules.Count];
        foreach (var e in events)
        {
            Assert.True(set.TryEvaluate(e, matches, out var count), Encoding.UTF8.GetString(e));
            for (var i = 0; i < count; i++) perRule[matches[i]]++;
        }
        for (var r = 0; r < set.Rules.Count; r++)
        {
            Assert.True(perRule[r] > 0 && perRule[r] < events.Count, $"{set.Rules[r].Info.Name} matched {perRule[r]} of {events.Count} events");
            // The rule alone agrees with the rule set.
            Assert.Equal(perRule[r], events.Count(e => set.Rules[r].IsMatch(e)));
        }
    }

    [Fact]
    public void Generated_IsMatch_of_the_seed_rule_allocates_nothing_per_event()
    {
        var events = _compiled.Events;
        var matched = 0;
        var allocated = AllocatedAfterWarmUp(() =>
        {
            foreach (var e in events)
            {
                if (SeedRule.IsMatch(e)) matched++;
            }
        });
        Assert.True(matched > 0, "the seed rule matched none of the events");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Generated_IsMatch_of_every_rule_allocates_nothing_per_event()
    {
        var events = _compiled.Events;
        var run = _compiled.Run;
        var rules = run.RuleSet().Rules;
        var matched = 0;
        var allocated = AllocatedAfterWarmUp(() =>
        {
            // Indexing, not foreach: an enumerator over the IReadOnlyList would be this test's own allocation.
            for (var r = 0; r < rules.Count; r++)
            {
                foreach (var e in events)
                {
                    if (rules[r].IsMatch(e)) matched++;
                }
            }
        });
        Assert.True(matched > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Rule_set_evaluation_allocates_nothing_per_event()
    {
        var events = _compiled.Events;
        var run = _compiled.Run;
        var set = run.RuleSet();
        var matches = new int[set.Rules.Count];
        var matched = 0;
        var allocated = AllocatedAfterWarmUp(() =>
        {
            foreach (var e in events)
            {
                matched += set.Evaluate(e, matches);
                if (set.TryEvaluate(e, matches, out var count)) matched += count;
            }
        });
        Assert.True(matched > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_hosts_build_time_rule_set_allocates_nothing_per_event()
    {
        var events = _compiled.Events;
        var set = RuleGen.Host.Compiled.RuleSet.Instance;
        var matches = new int[set.Rules.Count];
        var matched = 0;
        var allocated = AllocatedAfterWarmUp(() =>
        {
            foreach (var e in events)
            {
                if (set.TryEvaluate(e, matches, out var count)) matched += count;
            }
        });
        Assert.True(matched > 0);
        Assert.Equal(0, allocated);
    }
}

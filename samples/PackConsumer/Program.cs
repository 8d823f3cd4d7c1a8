// Uses the rule pack of ../RulePack and reports its cold start: the time from the process's start to the first event
// evaluated by the pack's whole rule set, and the working set then; then evaluates the rest of the file.
//
// Usage: dotnet run --project samples/PackConsumer -c Release -- [events.ndjson]
//   Build the pack with a corpus: dotnet build samples/PackConsumer -c Release -p:RuleGenRules=/path/to/sigma
using System.Diagnostics;
using RuleGen.Generated;

var probe = """{"Channel":"Security","EventID":4688,"Image":"C:\\Windows\\System32\\whoami.exe","CommandLine":"whoami /all"}"""u8.ToArray();
var lines = args.Length > 0 ? File.ReadAllLines(args[0]) : [System.Text.Encoding.UTF8.GetString(probe)];

var started = Process.GetCurrentProcess().StartTime;
var inMain = DateTime.Now - started;
var matches = new int[RuleSet.Count];
var first = System.Text.Encoding.UTF8.GetBytes(lines[0]);
var set = RuleSet.Instance; // the rule set's type initializer: its rules, slot maps and candidate index
var ready = DateTime.Now - started;
var count = set.Evaluate(first, matches);
var sinceStart = DateTime.Now - started;
Console.WriteLine($"{RuleSet.Count} rules; first event evaluated {sinceStart.TotalMilliseconds:N0} ms after the process started " +
    $"(Main at {inMain.TotalMilliseconds:N0} ms, rule set ready at {ready.TotalMilliseconds:N0} ms; {count} match(es)); " +
    $"working set {Environment.WorkingSet / (1024 * 1024)} MB");

var total = count;
foreach (var line in lines.Skip(1))
{
    if (string.IsNullOrWhiteSpace(line)) continue;
    total += RuleSet.Instance.TryEvaluate(System.Text.Encoding.UTF8.GetBytes(line), matches, out var n) ? n : 0;
}
Console.WriteLine($"{lines.Length} event(s), {total} match(es); {(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds:N0} ms in all");

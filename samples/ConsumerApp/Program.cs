// RuleGen sample: the rule files under rules/ were compiled into C# when this project was built. The generated
// code lives in the namespace RuleGen.Generated (set another with the MSBuild property RuleGenNamespace):
//   Rules.<RuleName>   one static class per rule: IsMatch(utf8Json) and Info (the rule's metadata)
//   RuleSet.Instance   every rule, evaluated together in one pass over each event
//
// Usage: dotnet run --project samples/ConsumerApp -- [events.ndjson]   (default: samples/azure-activity.ndjson)
using System.Text.Json;
using RuleGen.Generated;

var path = args.Length > 0 ? args[0] : Path.Combine("samples", "azure-activity.ndjson");

Console.WriteLine($"{RuleSet.Count} compiled rules:");
foreach (var rule in RuleSet.Instance.Rules)
    Console.WriteLine($"  {rule.Info.Id}  {rule.Info.Name} ({rule.Info.Severity}, risk {rule.Info.RiskScore}) from {rule.Info.SourceFile}");

// One rule alone: a static method over the event's UTF-8 bytes. It allocates nothing.
var probe = """{"event":{"dataset":"azure.activitylogs","outcome":"Success"},"azure":{"activitylogs":{"operation_name":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/DELETE"}}}"""u8;
Console.WriteLine($"Rules.AzureNetworkSecurityGroupChanged.IsMatch(probe) = {Rules.AzureNetworkSecurityGroupChanged.IsMatch(probe)}");
Console.WriteLine($"Rules.AzureStorageAccountKeysListed.IsMatch(probe) = {Rules.AzureStorageAccountKeysListed.IsMatch(probe)}");

// Every rule at once, event by event: Evaluate writes the indexes of the matching rules into a buffer you own.
Span<int> matches = stackalloc int[RuleSet.Count];
ReadOnlySpan<byte> rest = File.ReadAllBytes(path);
var lineNumber = 0;
var alerts = 0;
while (!rest.IsEmpty)
{
    var end = rest.IndexOf((byte)'\n');
    var line = end < 0 ? rest : rest[..end];
    rest = end < 0 ? default : rest[(end + 1)..];
    lineNumber++;
    if (line.Trim(" \t\r"u8).IsEmpty) continue;
    int count;
    try
    {
        count = RuleSet.Instance.Evaluate(line, matches);
    }
    catch (JsonException ex)
    {
        Console.WriteLine($"{path}:{lineNumber}: not a JSON object ({ex.Message})");
        continue;
    }
    foreach (var index in matches[..count])
    {
        var info = RuleSet.Instance.Rules[index].Info;
        Console.WriteLine($"{path}:{lineNumber}: {info.Name} [{info.Severity}]");
        alerts++;
    }
}
Console.WriteLine($"{alerts} alerts in {lineNumber} lines");

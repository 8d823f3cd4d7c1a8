using RuleGen.Conformance;
using RuleGen.Runtime;

// Usage: dotnet run -c Release --project tests/RuleGen.Conformance -- --dataset DIR [--events FILE] [--detection-only] [--max-report N]
string? folder = null;
var eventsFile = Dataset.DefaultEvents;
var scope = MatchScope.Full;
var maxReported = 200;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--dataset" when i + 1 < args.Length:
            folder = args[++i];
            break;
        case "--events" when i + 1 < args.Length:
            eventsFile = args[++i];
            break;
        case "--detection-only":
            scope = MatchScope.DetectionOnly;
            break;
        case "--max-report" when i + 1 < args.Length:
            if (!int.TryParse(args[++i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out maxReported))
            {
                Console.Error.WriteLine($"conformance: --max-report needs a whole number, not '{args[i]}'");
                return 2;
            }
            break;
        default:
            Console.Error.WriteLine($"conformance: unknown argument '{args[i]}'");
            Console.Error.WriteLine("usage: --dataset DIR [--events FILE] [--detection-only] [--max-report N]");
            return 2;
    }
}
if (folder is null)
{
    Console.Error.WriteLine("usage: --dataset DIR [--events FILE] [--detection-only] [--max-report N]");
    return 2;
}

Dataset dataset;
try
{
    dataset = Dataset.Load(folder, eventsFile);
}
catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"conformance: cannot read dataset {folder}: {ex.Message}");
    return 2;
}

var result = Runner.Run(dataset, RuleGen.Conformance.Compiled.RuleSet.Instance, scope, Console.Out, maxReported);
Console.WriteLine(result.Summary);
return result.AllAgree ? 0 : 1;

using System.Text;
using RuleGen.Host.Compiled;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>The rulegen command line: <c>scan</c> and <c>rules</c>.</summary>
public static class Cli
{
    public const string Usage = """
        rulegen: run compiled detection rules over NDJSON event streams.

        Usage:
          rulegen scan [options] INPUT...    scan events (INPUT: NDJSON file, .gz file, or - for stdin)
          rulegen rules                      list the compiled rules
          rulegen --help

        Scan options:
          -o, --output FILE    write alerts to FILE instead of stdout
          -q, --quiet          no summary on stderr
              --no-progress    no progress bar (it only shows when stderr is a terminal)

        Alerts are NDJSON documents shaped like Kibana's alerts; the summary goes to stderr.
        """;

    public static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr) =>
        Task.FromResult(Run(args, stdout, stderr, RuleSet.Instance));

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IRuleSet ruleSet)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? stderr : stdout).Write(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        switch (args[0])
        {
            case "rules":
                ListRules(stdout, ruleSet);
                return 0;
            case "scan":
                return ScanCommand.Run(args.AsSpan(1).ToArray(), stderr, ruleSet);
            default:
                stderr.WriteLine($"rulegen: unknown command '{args[0]}'.");
                stderr.Write(Usage);
                return 2;
        }
    }

    private static void ListRules(TextWriter stdout, IRuleSet ruleSet)
    {
        foreach (var rule in ruleSet.Rules)
        {
            var info = rule.Info;
            stdout.WriteLine($"{info.Id}\t{info.Type}\t{info.Language}\t{info.Severity}\t{info.Name}\t{info.SourceFile}");
        }
        stdout.WriteLine($"{ruleSet.Rules.Count} rule(s)");
    }
}

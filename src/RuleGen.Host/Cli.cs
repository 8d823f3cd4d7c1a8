using System.Text;
using RuleGen.Host.Packs;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>The rulegen command line: <c>scan</c> and <c>rules</c>.</summary>
public static class Cli
{
    public const string Usage = $"""
        rulegen: run compiled detection rules over NDJSON event streams.

        Usage:
          rulegen scan [options] INPUT...    scan events; INPUT is an NDJSON file, a gzip-compressed one, a Windows
                                             event log (.evtx, known by content), a folder of them (recursive), or -
                                             for stdin
          rulegen rules [filters]            list the compiled rules (id, type, language, severity, name, file)
          rulegen compile DIR... -o PACK     compile rule folders into a pack file, ahead of time
          rulegen serve|publish --help       run the rules continuously on NATS JetStream; load events into it
          rulegen --help

        Rule packs (scan and rules; default: the rules rulegen was built with):
              --rules DIR      compile the rule files under DIR (Sigma .yml/.yaml, Elastic .toml; repeatable) and run
                               them; the compiled pack is cached (RULEGEN_CACHE, else ~/.cache/rulegen/packs), keyed
                               by the files' contents, the options and RuleGen's version, so the next run starts at once.
                               Rule files with errors are reported (file(line,col): error RGxxxx: ...) and left out
              --pack PACK      run a pack made by `rulegen compile DIR -o PACK` (no SDK or compiling needed)
              --sigma-profile P  with --rules or compile: the Sigma field profile, flat (default) or ecs

        Scan options:
          -o, --output FILE    write alerts to FILE instead of stdout
              --output-format F  ndjson (alert documents; default), csv (a timeline with hayabusa's columns:
                               Timestamp, Computer, Channel, EventID, Level, RuleTitle, Details) or table
              --report FILE    also write a self-contained HTML report: charts and tables of the alerts
          -q, --quiet          no summary on stderr (malformed lines are still reported)
              --no-progress    no progress bar (it is only drawn when stderr is a terminal)
              --state DIR      keep the detection state in DIR: restore it before the scan, save it after (the
                               input continues the stream of the previous run; nothing is alerted twice)
              --final          with --state: this input ends the stream (remaining executions run, then save)
              --checkpoint D   with --state, -o FILE and file inputs: also save the state every D during the scan
                               (default 10s; 0 after every batch); the same command run again after a crash
                               resumes after the checkpoint, cutting FILE back to it: no alert lost or written twice
              --max-line-bytes N  report and skip lines longer than N bytes without reading them into memory
                               (default 16M; K, M and G suffixes)
              --input-format F which files a folder INPUT contributes: auto (EVTX files, and .ndjson, .json, .jsonl
                               and .gz files; default), evtx or ndjson
              --indicators FILE  NDJSON indicator documents for threat_match rules
              --lateness D     how far out of time order events may arrive (default 1m; 0, 30s, 5m, ...)
              --regex-timeout MS  how long one match of a regex that needs backtracking (RG0223) may take
                               (default 10); a match that takes longer counts as no match and is counted
              --threads N      evaluate events on N threads (default: every core); alerts keep the input order
              --sigma-max-signals N  at most N alerts per execution of a Sigma rule (default: the Sigma config's
                               max_signals, else no cap: every match alerts); Elastic rules keep their max_signals
              --detection-only judge each rule's detection alone, without Sigma logsource gates (pySigma's
                               reading; the default, full scope, is gate and detection)
              --               the arguments that follow are INPUTs, even if they start with '-'

        Rule filters (scan and rules; no rebuild needed):
        {RuleSelection.Usage}

        Rules run as Kibana's detection engine runs them, on event time: each executes every interval over its
        look-back, raises at most max_signals alerts per execution, and its type decides what an alert is (matching
        events, threshold groups, new terms, indicator matches, sequences, Sigma correlations). Sigma rules alert
        on every match, however late it arrives, with the time their profile finds in the event. Alerts are NDJSON
        documents shaped like Kibana's alerts. Malformed lines are reported with their file and line number and
        skipped; the summary goes to stderr.
        Exit codes: 0 done (malformed lines included), 1 an input or the output failed, 2 wrong command line,
        3 the --state folder cannot be used (a damaged state file; the message says what to do), 4 the rule pack
        cannot be used (no rule compiled, not a pack, or a pack of another RuleGen).

        """;

    /// <summary>Runs one command line with the rules of <paramref name="ruleSet"/>; returns the exit code.</summary>
    public static int Run(string[] args, HostConsole console, IRuleSet ruleSet)
    {
        if (args.Length == 0)
        {
            console.Stderr.Write(Usage);
            return ExitCodes.UsageError;
        }
        switch (args[0])
        {
            case "-h" or "--help" or "help":
                WriteStdout(console, w => w.Write(Usage));
                return ExitCodes.Success;
            case "compile":
                return Compile(args[1..], console);
            case "rules" or "scan" when !WantsHelp(args):
                if (PackArguments.Extract(args[1..], console.Stderr, out var rest) is not { } packArguments) return ExitCodes.UsageError;
                if (!packArguments.Any) return RunWith(args[0], rest, console, ruleSet, 0);
                if (packArguments.Load(console.Stderr, out var packCode) is not { } pack) return packCode;
                return RunWith(args[0], rest, console, pack.RuleSet, pack.Manifest.RuleFilesLeftOut);
            case "rules":
                return RunWith("rules", args[1..], console, ruleSet, 0);
            case "scan":
                return ScanCommand.Run(args[1..], console, ruleSet);
            case "serve": return Serve.ServeCommand.Run(args[1..], console, ruleSet);
            case "publish": return Serve.PublishCommand.Run(args[1..], console);
            default:
                console.Stderr.WriteLine($"rulegen: unknown command '{args[0]}'.");
                console.Stderr.Write(Usage);
                return ExitCodes.UsageError;
        }
    }

    private static bool WantsHelp(string[] args) => args.TakeWhile(a => a != "--").Any(a => a is "-h" or "--help");

    private static int RunWith(string command, string[] args, HostConsole console, IRuleSet ruleSet, int ruleFilesLeftOut)
    {
        switch (command)
        {
            case "rules":
                var selection = RuleSelection.All;
                // args are what follows "rules", pack options already taken out.
                for (var i = 0; i < args.Length; i++)
                {
                    switch (RuleSelection.TryParseOption(args, ref i, ref selection, console.Stderr))
                    {
                        case true:
                            continue;
                        case null:
                            return ExitCodes.UsageError;
                    }
                    console.Stderr.WriteLine($"rulegen: 'rules' takes only rule filters (got '{args[i]}'; and --rules, --pack; rulegen --help lists them).");
                    return ExitCodes.UsageError;
                }
                WriteStdout(console, w => RuleListing.Write(w, ruleSet, selection));
                return ExitCodes.Success;
            default:
                return ScanCommand.Run(args, console, ruleSet, ruleFilesLeftOut);
        }
    }

    /// <summary><c>rulegen compile DIR... -o PACK [--sigma-profile P]</c>.</summary>
    private static int Compile(string[] args, HostConsole console)
    {
        var folders = new List<string>();
        string? output = null, profile = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg.Split('=', 2)[0] : arg;
            string? Value() => arg.Length > name.Length ? arg[(name.Length + 1)..] : i + 1 < args.Length ? args[++i] : null;
            switch (name)
            {
                case "-h" or "--help":
                    WriteStdout(console, w => w.Write(Usage));
                    return ExitCodes.Success;
                case "-o" or "--output":
                    output = Value();
                    if (string.IsNullOrEmpty(output))
                    {
                        console.Stderr.WriteLine($"rulegen: compile {name} needs the pack's file name.");
                        return ExitCodes.UsageError;
                    }
                    break;
                case "--sigma-profile":
                    profile = Value();
                    if (string.IsNullOrEmpty(profile))
                    {
                        console.Stderr.WriteLine("rulegen: --sigma-profile needs a Sigma field profile: flat or ecs.");
                        return ExitCodes.UsageError;
                    }
                    break;
                case "--rules":
                    if (Value() is not { Length: > 0 } folder)
                    {
                        console.Stderr.WriteLine("rulegen: --rules needs a folder of rule files.");
                        return ExitCodes.UsageError;
                    }
                    folders.Add(folder);
                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        console.Stderr.WriteLine($"rulegen: compile has no option '{arg}' (it takes DIR... -o PACK [--sigma-profile P]).");
                        return ExitCodes.UsageError;
                    }
                    folders.Add(arg);
                    break;
            }
        }
        if (folders.Count == 0 || output is null)
        {
            console.Stderr.WriteLine("rulegen: compile needs rule folders and -o PACK: rulegen compile DIR... -o PACK.");
            return ExitCodes.UsageError;
        }
        return RulePacks.Compile(folders, new PackOptions(profile), output, console.Stderr);
    }

    private static void WriteStdout(HostConsole console, Action<TextWriter> write)
    {
        using var writer = new StreamWriter(console.Stdout, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 14, leaveOpen: true);
        write(writer);
    }
}

/// <summary>
/// <c>rulegen rules</c>: one tab-separated line per compiled rule (rule id, type, language, severity, name, rule file),
/// then their count.
/// </summary>
public static class RuleListing
{
    public static void Write(TextWriter writer, IRuleSet ruleSet, RuleSelection? selection = null)
    {
        selection ??= RuleSelection.All;
        var listed = 0;
        foreach (var rule in ruleSet.Rules)
        {
            var info = rule.Info;
            if (!selection.Selects(info)) continue;
            listed++;
            writer.WriteLine(string.Join('\t', info.Id, info.Type, info.Language, info.Severity, OneLine(info.Name), info.SourceFile));
        }
        var count = listed == 1 ? "1 rule" : $"{listed} rules";
        writer.WriteLine(selection.IsFiltered ? $"{count} of {ruleSet.Rules.Count} selected" : count);
    }

    // A tab or newline inside a name would break the columns.
    private static string OneLine(string text) => text.Replace('\t', ' ').Replace('\n', ' ').Replace("\r", "");
}

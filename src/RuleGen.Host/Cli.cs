using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;
using RuleGen.Host.Packs;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>
/// The rulegen command line, parsed by System.CommandLine: <c>scan</c>, <c>rules</c>, <c>compile</c>, and <c>serve</c> and
/// <c>publish</c> (whose options their own commands read). Each command's action binds its parse result to the command's
/// options (<see cref="ScanCommandLine.Bind"/>) and runs it; a wrong command line is reported on stderr, each error
/// naming its option, and is <see cref="ExitCodes.UsageError"/>.
/// </summary>
public static class Cli
{
    public const string Description = """
        rulegen: run compiled detection rules over event logs (NDJSON, gzip, Windows .evtx, folders of them).

        Rules run as Kibana's detection engine runs them, on event time: each executes every interval over its look-back,
        raises at most max_signals alerts per execution, and its type decides what an alert is (matching events,
        threshold groups, new terms, indicator matches, sequences, Sigma correlations). Sigma rules alert on every match,
        with the time their profile finds in the event. Alerts are NDJSON documents shaped like Kibana's alerts.
        Malformed lines are reported with their file and line number and skipped; the summary goes to stderr.

        Exit codes: 0 done (malformed lines included), 1 an input or the output failed, 2 wrong command line,
        3 the --state folder cannot be used (a damaged state file; the message says what to do), 4 the rule pack
        cannot be used (no rule compiled, not a pack, or a pack of another RuleGen), 130 the scan was stopped by
        Ctrl-C (SIGINT) or SIGTERM (the alerts so far are written whole, and a partial summary is printed).
        """;

    /// <summary>Runs one command line with the rules of <paramref name="ruleSet"/>; returns the exit code.</summary>
    public static int Run(string[] args, HostConsole console, IRuleSet ruleSet)
    {
        // serve and publish read their own options (Serve/); they are listed in the help as commands.
        if (args.Length > 0 && args[0] == "serve") return Serve.ServeCommand.Run(args[1..], console, ruleSet);
        if (args.Length > 0 && args[0] == "publish") return Serve.PublishCommand.Run(args[1..], console);
        if (args is ["help", .. var rest]) args = [.. rest, "--help"];

        var root = Build(console, ruleSet);
        using var stdout = new StreamWriter(console.Stdout, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 14, leaveOpen: true);
        if (args.Length == 0)
        {
            // No command: the help, on stderr, as a usage error.
            root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = console.Stderr, Error = console.Stderr, ProcessTerminationTimeout = null });
            return ExitCodes.UsageError;
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors) console.Stderr.WriteLine($"rulegen: {error.Message}");
            var command = string.Join(' ', parse.CommandResult.Command == root ? ["rulegen"] : ["rulegen", parse.CommandResult.Command.Name]);
            console.Stderr.WriteLine($"rulegen: `{command} --help` lists the options.");
            return ExitCodes.UsageError;
        }
        return parse.Invoke(new InvocationConfiguration
        {
            Output = stdout,
            Error = console.Stderr,
            EnableDefaultExceptionHandler = false,
            // Ctrl-C and SIGTERM are the scan's to handle (HostConsole.Stop): it stops cleanly.
            ProcessTerminationTimeout = null,
        });
    }

    /// <summary>The command tree; each action runs with <paramref name="console"/> and <paramref name="ruleSet"/>.</summary>
    public static Command Build(HostConsole console, IRuleSet ruleSet)
    {
        // Named rulegen wherever it runs (the executable's own name would be a test host's in tests).
        var root = new Command("rulegen", Description) { new HelpOption { Recursive = true }, new VersionOption() };

        var scanLine = new ScanCommandLine();
        var scan = new Command("scan", "Scan events with the rules and write their alerts (NDJSON) to stdout or -o FILE; a summary goes to stderr.");
        scanLine.AddTo(scan);
        scan.SetAction(parse =>
        {
            if (scanLine.Bind(parse, console.Stderr) is not { } options) return ExitCodes.UsageError;
            if (scanLine.Pack.Bind(parse, console.Stderr) is not { } packArguments) return ExitCodes.UsageError;
            if (!packArguments.Any) return ScanCommand.Run(options, console, ruleSet);
            if (packArguments.Load(console.Stderr, out var packCode) is not { } pack) return packCode;
            return ScanCommand.Run(options with { RuleFilesLeftOut = pack.Manifest.RuleFilesLeftOut }, console, pack.RuleSet);
        });
        root.Add(scan);

        var rulesPack = new PackCommandLine();
        var filters = new RuleFilterCommandLine();
        var rules = new Command("rules", "List the rules (id, type, language, severity, name, file; tab-separated), then their count.");
        rulesPack.AddTo(rules);
        filters.AddTo(rules);
        rules.SetAction(parse =>
        {
            if (filters.Bind(parse, console.Stderr) is not { } selection) return ExitCodes.UsageError;
            if (rulesPack.Bind(parse, console.Stderr) is not { } packArguments) return ExitCodes.UsageError;
            var listed = ruleSet;
            if (packArguments.Any)
            {
                if (packArguments.Load(console.Stderr, out var packCode) is not { } pack) return packCode;
                listed = pack.RuleSet;
            }
            WriteStdout(console, w => RuleListing.Write(w, listed, selection));
            return ExitCodes.Success;
        });
        root.Add(rules);

        var folders = new Argument<string[]>("DIR") { Description = "Folders of rule files (Sigma .yml/.yaml, Elastic .toml).", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string?>("--output", "-o") { Description = "The pack file to write.", HelpName = "PACK" };
        var compilePack = new PackCommandLine();
        var compile = new Command("compile", "Compile rule folders into a pack file ahead of time (`rulegen scan --pack PACK` runs it with no SDK).");
        compile.Add(folders);
        compile.Add(output);
        compile.Add(compilePack.Rules);
        compile.Add(compilePack.SigmaProfile);
        compile.SetAction(parse =>
        {
            var all = (parse.GetValue(folders) ?? []).Concat(parse.GetValue(compilePack.Rules) ?? []).ToList();
            var pack = parse.GetValue(output);
            if (all.Count == 0 || string.IsNullOrEmpty(pack))
            {
                console.Stderr.WriteLine("rulegen: compile needs rule folders and -o PACK: rulegen compile DIR... -o PACK.");
                return ExitCodes.UsageError;
            }
            return RulePacks.Compile(all, new PackOptions(parse.GetValue(compilePack.SigmaProfile)), pack, console.Stderr);
        });
        root.Add(compile);

        // Listed for the help; Run hands their arguments to their own commands before parsing.
        root.Add(new Command("serve", "Run the rules continuously on NATS JetStream (`rulegen serve --help` lists its options)."));
        root.Add(new Command("publish", "Load events into NATS JetStream for serve (`rulegen publish --help` lists its options)."));
        return root;
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

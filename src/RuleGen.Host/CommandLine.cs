using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using RuleGen.Host.Detection;
using RuleGen.Host.Output;
using RuleGen.Host.Packs;
using RuleGen.Host.Scanning;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>
/// The options of <c>rulegen scan</c> as System.CommandLine symbols, and <see cref="Bind"/>, which turns a parse result into
/// the <see cref="ScanOptions"/> the scan runs with. Parsing ends here: <see cref="ScanCommand.Run(ScanOptions, HostConsole, IRuleSet)"/>
/// only ever sees a <see cref="ScanOptions"/>. A new scan option is a symbol here, added in <see cref="AddTo"/>, and one
/// assignment in <see cref="Bind"/>.
/// </summary>
public sealed class ScanCommandLine
{
    public readonly Argument<string[]> Inputs = new("INPUT")
    {
        Description = "An NDJSON file, a gzip-compressed one, a Windows event log (.evtx, known by content), a folder of them (recursive), or - for stdin.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public readonly Option<string?> Output = new("--output", "-o") { Description = "Write alerts to FILE instead of stdout.", HelpName = "FILE" };
    public readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "No summary on stderr (malformed lines are still reported)." };
    public readonly Option<bool> NoProgress = new("--no-progress") { Description = "No live progress (it is only shown when stderr is a terminal)." };
    public readonly Option<string?> State = new("--state")
    {
        Description = "Keep the detection state in DIR: restore it before the scan, save it after (the input continues the stream of the previous run; nothing is alerted twice).",
        HelpName = "DIR",
    };
    public readonly Option<bool> Final = new("--final") { Description = "With --state: this input ends the stream (remaining executions run, then save)." };
    public readonly Option<TimeSpan?> Checkpoint = new("--checkpoint")
    {
        Description = "With --state, -o FILE and file inputs: also save the state every D during the scan (default 10s; 0 after every batch); the same command run again after a crash resumes after the checkpoint.",
        HelpName = "D",
        CustomParser = r => ParseDuration(r, t => $"--checkpoint needs a duration such as 10s (0: after every batch; got '{t}')."),
    };
    public readonly Option<int?> MaxLineBytes = new("--max-line-bytes")
    {
        Description = "Report and skip lines longer than N bytes without reading them into memory (default 16M; K, M and G suffixes).",
        HelpName = "N",
        CustomParser = r =>
        {
            if (TryParseBytes(r.Tokens.Single().Value, out var bytes)) return bytes;
            r.AddError("--max-line-bytes needs a number of bytes from 1 to 1G, such as 16M or 65536.");
            return null;
        },
    };
    public readonly Option<InputFormatFilter> InputFormat = new("--input-format")
    {
        Description = "Which files a folder INPUT contributes: auto (EVTX files, and .ndjson, .json, .jsonl and .gz files; default), evtx or ndjson.",
        HelpName = "auto|evtx|ndjson",
        CustomParser = r => ParseName<InputFormatFilter>(r, "--input-format needs auto, evtx or ndjson (which files a folder INPUT contributes)."),
    };
    public readonly Option<string?> Indicators = new("--indicators") { Description = "NDJSON indicator documents for threat_match rules.", HelpName = "FILE" };
    public readonly Option<TimeSpan?> Lateness = new("--lateness")
    {
        Description = "How far out of time order events may arrive (default 1m; 0, 30s, 5m, ...).",
        HelpName = "D",
        CustomParser = r => ParseDuration(r, t => $"--lateness needs a duration such as 30s or 1m (got '{t}')."),
    };
    public readonly Option<TimeSpan?> RegexTimeout = new("--regex-timeout")
    {
        Description = "How long one match of a regex that needs backtracking (RG0223) may take, in milliseconds (default 10); a match that takes longer counts as no match and is counted.",
        HelpName = "MS",
        CustomParser = r =>
        {
            if (double.TryParse(r.Tokens.Single().Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms) && ms > 0 && ms <= int.MaxValue)
                return TimeSpan.FromMilliseconds(ms);
            r.AddError($"--regex-timeout needs a number of milliseconds greater than 0 (default {RegexText.DefaultMatchTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}).");
            return null;
        },
    };
    public readonly Option<int> Threads = new("--threads")
    {
        Description = "Evaluate events on N threads (default: every core); alerts keep the input order.",
        HelpName = "N",
        CustomParser = r => PositiveInt(r, "--threads needs a number of threads (1 or more)."),
    };
    public readonly Option<int?> SigmaMaxSignals = new("--sigma-max-signals")
    {
        Description = "At most N alerts per execution of a Sigma rule (default: the Sigma config's max_signals, else no cap: every match alerts); Elastic rules keep their max_signals.",
        HelpName = "N",
        CustomParser = r => PositiveInt(r, "--sigma-max-signals needs a number of alerts (1 or more) that one execution of a Sigma rule may raise."),
    };
    public readonly Option<bool> DetectionOnly = new("--detection-only")
    {
        Description = "Judge each rule's detection alone, without Sigma logsource gates (pySigma's reading; the default, full scope, is gate and detection).",
    };

    public readonly Option<OutputFormat> OutputFormat = new("--output-format")
    {
        Description = "ndjson (alert documents; default), csv (a timeline with hayabusa's columns: Timestamp, Computer, Channel, EventID, Level, RuleTitle, Details) or table.",
        HelpName = "ndjson|csv|table",
        CustomParser = r => ParseName<OutputFormat>(r, "--output-format needs ndjson (alert documents, the default), csv (a timeline) or table."),
    };
    public readonly Option<string?> Report = new("--report") { Description = "Also write a self-contained HTML report: charts and tables of the alerts.", HelpName = "FILE" };

    public readonly PackCommandLine Pack = new();
    public readonly RuleFilterCommandLine Filters = new();

    /// <summary>Adds the scan's symbols to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(Inputs);
        foreach (var option in new Option[] { Output, OutputFormat, Report, Quiet, NoProgress, State, Final, Checkpoint, MaxLineBytes, InputFormat, Indicators, Lateness, RegexTimeout, Threads, SigmaMaxSignals, DetectionOnly })
            command.Add(option);
        Pack.AddTo(command);
        Filters.AddTo(command);
    }

    /// <summary>The scan's options from a parse without errors; null after reporting what is wrong with them together.</summary>
    public ScanOptions? Bind(ParseResult parse, TextWriter stderr)
    {
        var inputs = parse.GetValue(Inputs) ?? [];
        var state = parse.GetValue(State);
        var final = parse.GetValue(Final);
        var checkpoint = parse.GetValue(Checkpoint);
        // An unknown option is taken for an INPUT by the parser; before `--` it is an unknown option.
        var afterDoubleDash = false;
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) afterDoubleDash = true;
            else if (!afterDoubleDash && token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-' && inputs.Contains(token.Value))
                return Fail(stderr, $"unknown option '{token.Value}' (`rulegen scan --help` lists the options; `--` makes the arguments after it INPUTs).");
        }
        if (inputs.Length == 0)
            return Fail(stderr, "scan needs at least one INPUT: an NDJSON file, a gzip file, an EVTX file, a folder of them, or - for stdin.");
        if (inputs.Count(i => i == ScanInput.Stdin) > 1) return Fail(stderr, "stdin (-) can be scanned only once.");
        if (final && state is null) return Fail(stderr, "--final ends a stream kept with --state DIR; without --state every scan ends its stream.");
        if (checkpoint is not null && state is null) return Fail(stderr, "--checkpoint saves the state kept with --state DIR during the scan; it needs --state.");
        if (parse.GetValue(OutputFormat) != RuleGen.Host.Output.OutputFormat.Ndjson && state is not null)
            return Fail(stderr, "--state keeps NDJSON alerts (a checkpoint cuts the alerts file back to a document); use --output-format ndjson with it.");
        if (Filters.Bind(parse, stderr) is not { } selection) return null;
        return new ScanOptions(inputs, parse.GetValue(Output), parse.GetValue(Quiet), !parse.GetValue(NoProgress), parse.GetValue(Threads))
        {
            StateDirectory = state,
            IndicatorFile = parse.GetValue(Indicators),
            AllowedLateness = parse.GetValue(Lateness) ?? new DetectionOptions().AllowedLateness,
            Final = final,
            MaxLineBytes = parse.GetValue(MaxLineBytes) ?? BatchReader.DefaultMaxLineBytes,
            RegexTimeout = parse.GetValue(RegexTimeout),
            InputFormat = parse.GetValue(InputFormat),
            Selection = selection,
            SigmaMaxSignals = parse.GetValue(SigmaMaxSignals),
            DetectionOnly = parse.GetValue(DetectionOnly),
            CheckpointInterval = checkpoint ?? ScanOptions.DefaultCheckpointInterval,
            OutputFormat = parse.GetValue(OutputFormat),
            ReportFile = parse.GetValue(Report),
        };
    }

    internal static ScanOptions? Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine("rulegen: " + message);
        return null;
    }

    private static TimeSpan? ParseDuration(ArgumentResult r, Func<string, string> message)
    {
        var text = r.Tokens.Single().Value;
        if (text == "0") return TimeSpan.Zero;
        if (RuleSchedule.TryParseDuration(text, out var nanos)) return TimeSpan.FromTicks(nanos / 100);
        r.AddError(message(text));
        return null;
    }

    /// <summary>An enum value by its name, case ignored (not by its number).</summary>
    private static TEnum ParseName<TEnum>(ArgumentResult r, string message) where TEnum : struct, Enum
    {
        var text = r.Tokens.Single().Value;
        if (text.Length > 0 && !char.IsDigit(text[0]) && Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)) return value;
        r.AddError(message);
        return default;
    }

    private static int PositiveInt(ArgumentResult r, string message)
    {
        if (int.TryParse(r.Tokens.Single().Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1) return n;
        r.AddError(message);
        return 0;
    }

    /// <summary>A byte count: digits with an optional K, M or G (binary multiples), from 1 to 1 GiB.</summary>
    public static bool TryParseBytes(string text, out int bytes)
    {
        bytes = 0;
        var factor = text.Length > 0 ? char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1L } : 1L;
        var digits = factor == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > (1L << 30) / factor) return false;
        bytes = (int)(n * factor);
        return true;
    }
}

/// <summary>The rule-pack options of <c>scan</c> and <c>rules</c>: <c>--rules DIR</c> (repeatable), <c>--pack PACK</c>, <c>--sigma-profile P</c>.</summary>
public sealed class PackCommandLine
{
    public readonly Option<string[]> Rules = new("--rules")
    {
        Description = "Compile the rule files under DIR (Sigma .yml/.yaml, Elastic .toml; repeatable) and run them; the compiled pack is cached (RULEGEN_CACHE, else ~/.cache/rulegen/packs), keyed by the files' contents, the options and RuleGen's version. Rule files with errors are reported (file(line,col): error RGxxxx: ...) and left out.",
        HelpName = "DIR",
        CustomParser = r => NonEmpty(r, "--rules needs a folder of rule files (Sigma .yml/.yaml, Elastic .toml)."),
    };
    public readonly Option<string?> Pack = new("--pack")
    {
        Description = "Run a pack made by `rulegen compile DIR -o PACK` (no SDK or compiling needed).",
        HelpName = "PACK",
        CustomParser = r => NonEmpty(r, "--pack needs a pack file made by `rulegen compile DIR -o PACK`.").FirstOrDefault(),
    };
    public readonly Option<string?> SigmaProfile = new("--sigma-profile")
    {
        Description = "With --rules or compile: the Sigma field profile, flat (default) or ecs.",
        HelpName = "P",
        CustomParser = r => NonEmpty(r, "--sigma-profile needs a Sigma field profile: flat or ecs.").FirstOrDefault(),
    };

    public void AddTo(Command command)
    {
        command.Add(Rules);
        command.Add(Pack);
        command.Add(SigmaProfile);
    }

    /// <summary>The pack options given; null after reporting a wrong combination.</summary>
    public PackArguments? Bind(ParseResult parse, TextWriter stderr) =>
        PackArguments.From(parse.GetValue(Rules) ?? [], parse.GetValue(Pack), parse.GetValue(SigmaProfile), stderr);

    internal static string[] NonEmpty(ArgumentResult r, string message)
    {
        var values = r.Tokens.Select(t => t.Value).ToArray();
        if (values.Any(v => v.Length == 0)) r.AddError(message);
        return values;
    }
}

/// <summary>The rule filters of <c>scan</c> and <c>rules</c> (<see cref="RuleSelection"/>); each may be repeated.</summary>
public sealed class RuleFilterCommandLine
{
    private readonly (Option<string[]> Option, string Help)[] _filters =
    [
        (Filter("--min-level", "L"), "Only rules of level L or higher: informational, low, medium, high, critical (Sigma's level; Elastic rules' severity)."),
        (Filter("--status", "S[,S]"), "Only rules of these statuses (Sigma: stable, test, experimental, deprecated, unsupported; Elastic: their maturity, such as production)."),
        (Filter("--tags", "T[,T]"), "Only rules with one of these tags (* and ? wildcards, e.g. attack.t1059*)."),
        (Filter("--logsource", "K=V[,K=V]"), "Only Sigma rules whose logsource has these keys (product, category, service; wildcards allowed), e.g. product=windows,category=process_creation."),
        (Filter("--rule", "R"), "Only the rule whose id or file (as 'rulegen rules' lists it) matches R (wildcards allowed, e.g. 'rules/windows/*'); may be repeated."),
        (Filter("--exclude-rule", "R"), "Leave out the rules whose id or file matches R (after the filters above)."),
        (Filter("--exclude-tags", "T[,T]"), "Leave out the rules with one of these tags."),
        (Filter("--exclude-status", "S[,S]"), "Leave out the rules of these statuses."),
        (Filter("--exclude-logsource", "K=V[,K=V]"), "Leave out the Sigma rules whose logsource has these keys."),
    ];

    public void AddTo(Command command)
    {
        foreach (var (option, help) in _filters)
        {
            option.Description = help;
            command.Add(option);
        }
    }

    /// <summary>The selection the filters given make (values were checked while parsing).</summary>
    public RuleSelection? Bind(ParseResult parse, TextWriter stderr)
    {
        var selection = RuleSelection.All;
        foreach (var (option, _) in _filters)
        {
            foreach (var value in parse.GetValue(option) ?? [])
            {
                var args = new[] { option.Name, value };
                var i = 0;
                if (RuleSelection.TryParseOption(args, ref i, ref selection, stderr) is not true) return null;
            }
        }
        return selection;
    }

    private static Option<string[]> Filter(string name, string helpName) => new(name)
    {
        HelpName = helpName,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        // The value is checked as it is parsed, so that a wrong one is reported with the other parse errors.
        CustomParser = r =>
        {
            var values = r.Tokens.Select(t => t.Value).ToArray();
            var selection = RuleSelection.All;
            foreach (var value in values)
            {
                var messages = new StringWriter();
                var i = 0;
                if (RuleSelection.TryParseOption([name, value], ref i, ref selection, messages) is not true)
                    r.AddError(messages.ToString().Trim().Replace("rulegen: ", ""));
            }
            return values;
        },
    };
}

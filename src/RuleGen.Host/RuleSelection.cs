using System.IO.Enumeration;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host;

/// <summary>
/// Which rules of the compiled rule set a scan runs (and <c>rulegen rules</c> lists), chosen on the command line
/// without rebuilding, as hayabusa's and chainsaw's users choose theirs: <c>--min-level</c>, <c>--status</c>,
/// <c>--tags</c>, <c>--logsource</c>, <c>--rule</c>, and their exclusions. Each kind of filter given must hold (any
/// of its values), and no exclusion may; without any filter every rule runs and no rule's metadata is decoded for it.
/// </summary>
/// <remarks>
/// Rules left out still match (the rule set evaluates all its rules in one pass), but raise no alerts; a correlation
/// is selected by its own metadata, and the rules it names still feed it.
/// </remarks>
public sealed record RuleSelection
{
    /// <summary>Levels from the lowest: Sigma's <c>level</c>, Elastic's <c>severity</c> (which has no informational).</summary>
    public static readonly string[] Levels = { "informational", "low", "medium", "high", "critical" };

    /// <summary>Every rule.</summary>
    public static readonly RuleSelection All = new();

    /// <summary><c>--min-level</c>: the lowest level that runs, or null.</summary>
    public string? MinLevel { get; init; }

    /// <summary><c>--status</c>: Sigma <c>status</c> (stable, test, experimental, deprecated, unsupported) or Elastic <c>maturity</c>.</summary>
    public IReadOnlyList<string> Statuses { get; init; } = Array.Empty<string>();

    /// <summary><c>--tags</c>: the rule has one of these tags (<c>*</c> and <c>?</c> wildcards; ASCII case ignored).</summary>
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();

    /// <summary><c>--logsource</c>: <c>key=value</c> pairs (product, category, service) the rule's Sigma logsource has.</summary>
    public IReadOnlyList<(string Key, string Value)> Logsource { get; init; } = Array.Empty<(string, string)>();

    /// <summary><c>--rule</c>: the rule's id or file (relative, as <c>rulegen rules</c> lists it) matches one of these globs.</summary>
    public IReadOnlyList<string> Rules { get; init; } = Array.Empty<string>();

    /// <summary><c>--exclude-rule</c>, <c>--exclude-tags</c>, <c>--exclude-status</c>, <c>--exclude-logsource</c>.</summary>
    public IReadOnlyList<string> ExcludedRules { get; init; } = Array.Empty<string>();

    public IReadOnlyList<string> ExcludedTags { get; init; } = Array.Empty<string>();

    public IReadOnlyList<string> ExcludedStatuses { get; init; } = Array.Empty<string>();

    public IReadOnlyList<(string Key, string Value)> ExcludedLogsource { get; init; } = Array.Empty<(string, string)>();

    /// <summary>Whether any filter is given (else every rule runs, and no metadata is read to decide it).</summary>
    public bool IsFiltered => MinLevel is not null || Statuses.Count + Tags.Count + Logsource.Count + Rules.Count + ExcludedRules.Count
        + ExcludedTags.Count + ExcludedStatuses.Count + ExcludedLogsource.Count > 0;

    /// <summary>Whether a rule (or correlation) with this metadata runs.</summary>
    public bool Selects(RuleInfo rule)
    {
        if (!IsFiltered) return true;
        if (MinLevel is not null && LevelOf(rule) < Array.IndexOf(Levels, MinLevel)) return false;
        var status = StatusOf(rule);
        if (Statuses.Count > 0 && !Statuses.Contains(status, StringComparer.OrdinalIgnoreCase)) return false;
        if (Tags.Count > 0 && !HasTag(rule, Tags)) return false;
        if (Logsource.Count > 0 && !Logsource.All(p => HasLogsource(rule, p))) return false;
        if (Rules.Count > 0 && !NamedBy(rule, Rules)) return false;
        if (ExcludedRules.Count > 0 && NamedBy(rule, ExcludedRules)) return false;
        if (ExcludedTags.Count > 0 && HasTag(rule, ExcludedTags)) return false;
        if (ExcludedStatuses.Contains(status, StringComparer.OrdinalIgnoreCase)) return false;
        if (ExcludedLogsource.Count > 0 && ExcludedLogsource.All(p => HasLogsource(rule, p))) return false;
        return true;
    }

    /// <summary>
    /// Which rules of the set run, by index; null when every rule does (no filter: nothing is decoded to decide).
    /// </summary>
    public bool[]? Of(IRuleSet ruleSet)
    {
        if (!IsFiltered) return null;
        var selected = new bool[ruleSet.Rules.Count];
        foreach (var rule in ruleSet.Rules) selected[rule.Index] = Selects(rule.Info);
        return selected;
    }

    /// <summary>The level's rank in <see cref="Levels"/> (Sigma's level, else the severity; -1 when neither is known).</summary>
    public static int LevelOf(RuleInfo rule)
    {
        var level = rule.Sigma is { Level.Length: > 0 } sigma ? sigma.Level : rule.Severity;
        return Array.FindIndex(Levels, l => string.Equals(l, level, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A Sigma rule's <c>status</c>, an Elastic rule's <c>maturity</c> (its file's metadata), or "".</summary>
    public static string StatusOf(RuleInfo rule)
    {
        if (rule.Sigma is { } sigma) return sigma.Status;
        if (rule.FileMetadata.TryGetValue("maturity", out var json))
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind == JsonValueKind.String) return document.RootElement.GetString() ?? "";
            }
            catch (JsonException)
            {
            }
        }
        return "";
    }

    private static bool HasTag(RuleInfo rule, IReadOnlyList<string> patterns) =>
        rule.Tags.Any(tag => patterns.Any(p => FileSystemName.MatchesSimpleExpression(p, tag, ignoreCase: true)));

    private static bool HasLogsource(RuleInfo rule, (string Key, string Value) pair)
    {
        if (rule.Sigma is not { } sigma) return false;
        var value = pair.Key switch
        {
            "product" => sigma.Logsource.Product,
            "category" => sigma.Logsource.Category,
            "service" => sigma.Logsource.Service,
            _ => "",
        };
        return value.Length > 0 && FileSystemName.MatchesSimpleExpression(pair.Value, value, ignoreCase: true);
    }

    private static bool NamedBy(RuleInfo rule, IReadOnlyList<string> patterns) =>
        patterns.Any(p => FileSystemName.MatchesSimpleExpression(p, rule.Id, ignoreCase: true)
            || FileSystemName.MatchesSimpleExpression(p, rule.SourceFile.Replace('\\', '/'), ignoreCase: true));

    /// <summary>The options this class reads, for the usage text.</summary>
    public const string Usage = """
          --min-level L    only rules of level L or higher: informational, low, medium, high, critical
                           (Sigma's level; Elastic rules' severity)
          --status S[,S]   only rules of these statuses (Sigma: stable, test, experimental, deprecated,
                           unsupported; Elastic: their maturity, such as production)
          --tags T[,T]     only rules with one of these tags (* and ? wildcards, e.g. attack.t1059*)
          --logsource K=V[,K=V]  only Sigma rules whose logsource has these keys (product, category, service;
                           wildcards allowed), e.g. product=windows,category=process_creation
          --rule R         only the rule whose id or file (as 'rulegen rules' lists it) matches R (wildcards
                           allowed, e.g. 'rules/windows/*'); may be repeated
          --exclude-rule R, --exclude-tags T[,T], --exclude-status S[,S], --exclude-logsource K=V[,K=V]
                           leave out the rules these select (after the filters above)
    """;

    /// <summary>
    /// Reads a selection option at <paramref name="i"/> (moving past its value); true when the argument is one, with
    /// <paramref name="selection"/> updated; false when it is not one (the caller goes on); null after reporting a
    /// wrong value.
    /// </summary>
    public static bool? TryParseOption(string[] args, ref int i, ref RuleSelection selection, TextWriter stderr)
    {
        var arg = args[i];
        if (arg is not ("--min-level" or "--status" or "--tags" or "--logsource" or "--rule" or "--exclude-rule" or "--exclude-tags"
            or "--exclude-status" or "--exclude-logsource")) return false;
        if (i + 1 >= args.Length || args[i + 1].Length == 0)
        {
            stderr.WriteLine($"rulegen: {arg} needs a value (rulegen --help lists the rule filters).");
            return null;
        }
        var value = args[++i];
        List<string> Values() => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        switch (arg)
        {
            case "--min-level":
                var level = value.Trim().ToLowerInvariant();
                if (Array.IndexOf(Levels, level) < 0)
                {
                    stderr.WriteLine($"rulegen: --min-level needs one of {string.Join(", ", Levels)} (got '{value}').");
                    return null;
                }
                selection = selection with { MinLevel = level };
                return true;
            case "--status":
                selection = selection with { Statuses = selection.Statuses.Concat(Values()).ToList() };
                return true;
            case "--exclude-status":
                selection = selection with { ExcludedStatuses = selection.ExcludedStatuses.Concat(Values()).ToList() };
                return true;
            case "--tags":
                selection = selection with { Tags = selection.Tags.Concat(Values()).ToList() };
                return true;
            case "--exclude-tags":
                selection = selection with { ExcludedTags = selection.ExcludedTags.Concat(Values()).ToList() };
                return true;
            case "--rule":
                selection = selection with { Rules = selection.Rules.Append(value).ToList() };
                return true;
            case "--exclude-rule":
                selection = selection with { ExcludedRules = selection.ExcludedRules.Append(value).ToList() };
                return true;
            default:
                var pairs = new List<(string, string)>();
                foreach (var pair in Values())
                {
                    var eq = pair.IndexOf('=');
                    var key = eq < 0 ? "" : pair[..eq].Trim().ToLowerInvariant();
                    if (key is not ("product" or "category" or "service") || eq == pair.Length - 1)
                    {
                        stderr.WriteLine($"rulegen: {arg} needs key=value pairs with the keys product, category and service, e.g. product=windows (got '{pair}').");
                        return null;
                    }
                    pairs.Add((key, pair[(eq + 1)..].Trim()));
                }
                selection = arg == "--logsource"
                    ? selection with { Logsource = selection.Logsource.Concat(pairs).ToList() }
                    : selection with { ExcludedLogsource = selection.ExcludedLogsource.Concat(pairs).ToList() };
                return true;
        }
    }
}

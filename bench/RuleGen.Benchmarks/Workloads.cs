using RuleGen.Benchmarks.Baseline;
using RuleGen.Generator;
using RuleGen.Generator.Model;
using RuleGen.Runtime;

namespace RuleGen.Benchmarks;

/// <summary>What a benchmark row runs over a stream of events.</summary>
public enum Engine
{
    /// <summary><c>Utf8JsonReader</c> reading every token of each event and nothing else: the cost of reading the event once.</summary>
    Floor,

    /// <summary>A generated rule set (<c>IRuleSet.TryEvaluate</c>).</summary>
    RuleGen,

    /// <summary>The baseline: the same rules' predicate models walked over <c>JsonDocument</c>.</summary>
    Interpreter,
}

/// <summary>One row of the table: an engine, a rule set (none for the floor) and an event stream.</summary>
public sealed record Workload(string Stream, Engine Engine, string RuleSet, MatchScope Scope)
{
    /// <summary>A full match of Sigma rules over a lane: routed by the events' logsource fields.</summary>
    public bool IsRouted => Scope == MatchScope.Full && Stream != Catalog.EcsStream;

    public override string ToString() => Engine == Engine.Floor ? $"{Stream}:floor" : $"{Stream}:{Engine}:{RuleSet}{(IsRouted ? ":routed" : "")}";
}

/// <summary>
/// The streams, the rule sets and the rows. Streams come from <c>../shared</c> (the KQL conformance events as the
/// ECS stream; the Sigma benchmark lanes); rule sets from RuleGen.Benchmarks.Rules. Rows whose stream or rule set is
/// missing are left out with a note.
/// </summary>
public static class Catalog
{
    public const string EcsStream = "ecs";

    /// <summary>The Sigma lanes, in the order rsigma's README lists them.</summary>
    public static readonly string[] Lanes =
    [
        "raw_windows", "structured_windows", "low_match", "match_heavy", "no_match", "mixed_schema", "cisco_syslog",
        "sysmon_file_event", "correlation",
    ];

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string SharedFolder => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RuleGen.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    public static string? StreamPath(string stream)
    {
        var path = stream == EcsStream
            ? Path.Combine(SharedFolder, "conformance", "kql", "events.ndjson")
            : Path.Combine(SharedFolder, "perf", "sigma-lanes", stream + ".ndjson");
        return File.Exists(path) ? path : null;
    }

    /// <summary>Every row, in table order.</summary>
    public static IEnumerable<Workload> All()
    {
        // The seed rule, the Elastic kuery rules, and every Elastic rule RuleGen compiles (kuery and EQL) over the ECS
        // stream (full match: Elastic rules have no gate). The interpreter walks predicate models: it has no EQL.
        yield return new Workload(EcsStream, Engine.Floor, "", MatchScope.Full);
        yield return new Workload(EcsStream, Engine.RuleGen, "SeedRule", MatchScope.Full);
        yield return new Workload(EcsStream, Engine.Interpreter, "SeedRule", MatchScope.Full);
        yield return new Workload(EcsStream, Engine.RuleGen, "ElasticKuery", MatchScope.Full);
        yield return new Workload(EcsStream, Engine.Interpreter, "ElasticKuery", MatchScope.Full);
        yield return new Workload(EcsStream, Engine.RuleGen, "ElasticRules", MatchScope.Full);

        // The whole Sigma corpus over each lane. Detection only (as rsigma's default): every rule's detection is judged
        // on every event, whatever its logsource. Routed (rsigma's --logsource-routing): a full match, whose logsource
        // gate reads the product/category/service fields the lanes carry (the rule set's profile, sigma-lanes.yml).
        foreach (var lane in Lanes)
        {
            yield return new Workload(lane, Engine.Floor, "", MatchScope.Full);
            yield return new Workload(lane, Engine.RuleGen, "SigmaRules", MatchScope.DetectionOnly);
            yield return new Workload(lane, Engine.RuleGen, "SigmaRules", MatchScope.Full);
            if (lane == "structured_windows")
            {
                foreach (var subset in new[] { "Sigma10", "Sigma100", "Sigma1000" })
                    yield return new Workload(lane, Engine.RuleGen, subset, MatchScope.DetectionOnly);
                yield return new Workload(lane, Engine.Interpreter, "SigmaRules", MatchScope.DetectionOnly);
            }
        }
    }

    /// <summary>Rows whose one pass takes tens of seconds: the interpreter over the whole Sigma corpus.</summary>
    public static bool IsSlow(Workload workload) => workload.Engine == Engine.Interpreter && workload.RuleSet == "SigmaRules";

    /// <summary>The rows selected for this run (set by Program before BenchmarkDotNet runs, in process).</summary>
    public static List<Workload> Selected { get; set; } = [];

    /// <summary>A generated rule set by class name, or null when the rules library was built without it.</summary>
    public static IRuleSet? RuleSet(string name)
    {
        var type = typeof(Compiled.SeedRule).Assembly.GetType("RuleGen.Benchmarks.Compiled." + name);
        return type?.GetProperty("Instance")?.GetValue(null) as IRuleSet;
    }

    /// <summary>The folder a rule set's files were compiled from (their SourceFile is relative to it).</summary>
    public static string RuleRoot(string ruleSet) => ruleSet switch
    {
        "SeedRule" => Path.Combine(RepositoryRoot, "rules"),
        "ElasticRules" or "ElasticKuery" => Path.Combine(SharedFolder, "corpus", "elastic"),
        _ => Path.Combine(SharedFolder, "corpus", "sigma"),
    };

    /// <summary>Why a row cannot run, or null.</summary>
    public static string? Missing(Workload workload)
    {
        if (StreamPath(workload.Stream) is null) return $"event stream {workload.Stream} not found under {SharedFolder}";
        if (workload.Engine != Engine.Floor && RuleSet(workload.RuleSet) is null)
            return $"rule set {workload.RuleSet} not compiled (build bench/RuleGen.Benchmarks.Rules directly, with ../shared present)";
        return null;
    }

    private static readonly Dictionary<string, EventStream> s_streams = new();
    private static readonly Dictionary<string, ModelInterpreter> s_interpreters = new();

    public static EventStream Stream(string name)
    {
        lock (s_streams)
        {
            if (!s_streams.TryGetValue(name, out var stream)) s_streams[name] = stream = EventStream.Load(name, StreamPath(name)!);
            return stream;
        }
    }

    /// <summary>
    /// The baseline interpreter for a rule set: each compiled rule's file parsed again by RuleGen's parser (the same
    /// models the generator compiled), in the rule set's order.
    /// </summary>
    public static ModelInterpreter Interpreter(string ruleSet)
    {
        lock (s_interpreters)
        {
            if (s_interpreters.TryGetValue(ruleSet, out var cached)) return cached;
            var set = RuleSet(ruleSet) ?? throw new InvalidOperationException("No rule set " + ruleSet);
            var root = RuleRoot(ruleSet);
            var models = new List<RuleModel>();
            var parsed = new Dictionary<string, RuleModel[]>(StringComparer.Ordinal);
            foreach (var rule in set.Rules)
            {
                var file = rule.Info.SourceFile;
                if (!parsed.TryGetValue(file, out var fromFile))
                {
                    var path = Path.Combine(root, file);
                    fromFile = ParseFile(path, file);
                    parsed[file] = fromFile;
                }
                models.Add(fromFile.FirstOrDefault(m => m.Metadata.Id == rule.Info.Id && m.IsCompiled)
                    ?? throw new InvalidOperationException($"{file}: rule {rule.Info.Id} not found when parsed again: " +
                        string.Join("; ", fromFile.Select(m => $"{m.Metadata.Id} compiled={m.IsCompiled} {string.Join(", ", m.Diagnostics.Select(d => d.Message))}"))));
            }
            var interpreter = new ModelInterpreter(models);
            s_interpreters[ruleSet] = interpreter;
            return interpreter;
        }
    }

    private static RuleModel[] ParseFile(string path, string display) =>
        [RuleGenGenerator.ParseRule(new RuleFileInput(path, display, File.ReadAllText(path)))];
}

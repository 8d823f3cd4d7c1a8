using System.Text.Json;
using BenchmarkDotNet.Attributes;
using RuleGen.Benchmarks.Baseline;
using RuleGen.Runtime;

namespace RuleGen.Benchmarks;

/// <summary>
/// One benchmark per row: an operation is one pass over the whole event stream (every event once); the summary
/// divides by the number of events.
/// </summary>
public class EngineBenchmarks
{
    private EventStream _stream = null!;
    private IRuleSet? _ruleSet;
    private ModelInterpreter? _interpreter;
    private int[] _matches = [];

    public static IEnumerable<Workload> Workloads => Catalog.Selected;

    [ParamsSource(nameof(Workloads))]
    public Workload Workload { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        _stream = Catalog.Stream(Workload.Stream);
        if (Workload.Engine == Engine.RuleGen) _ruleSet = Catalog.RuleSet(Workload.RuleSet);
        if (Workload.Engine == Engine.Interpreter) _interpreter = Catalog.Interpreter(Workload.RuleSet);
        _matches = new int[Math.Max(1, Math.Max(_ruleSet?.Rules.Count ?? 0, _interpreter?.Count ?? 0))];
    }

    /// <summary>Returns the number of tokens (floor) or matches, so nothing can be optimised away.</summary>
    [Benchmark]
    public long Pass() => Workload.Engine switch
    {
        Engine.Floor => ReadEveryToken(_stream),
        Engine.RuleGen => EvaluateRuleSet(_stream, _ruleSet!, _matches, Workload.Scope),
        _ => Interpret(_stream, _interpreter!, _matches, Workload.Scope),
    };

    /// <summary>The floor: Utf8JsonReader reads every token of every event and does nothing else.</summary>
    public static long ReadEveryToken(EventStream stream)
    {
        long tokens = 0;
        for (var i = 0; i < stream.Count; i++)
        {
            var reader = new Utf8JsonReader(stream[i]);
            while (reader.Read()) tokens++;
        }
        return tokens;
    }

    public static long EvaluateRuleSet(EventStream stream, IRuleSet ruleSet, int[] matches, MatchScope scope)
    {
        long total = 0;
        for (var i = 0; i < stream.Count; i++)
        {
            if (ruleSet.TryEvaluate(stream[i], matches, out var count, scope)) total += count;
        }
        return total;
    }

    public static long Interpret(EventStream stream, ModelInterpreter interpreter, int[] matches, MatchScope scope)
    {
        long total = 0;
        for (var i = 0; i < stream.Count; i++)
        {
            var count = interpreter.Evaluate(stream.Memory(i), matches, scope);
            if (count > 0) total += count;
        }
        return total;
    }
}

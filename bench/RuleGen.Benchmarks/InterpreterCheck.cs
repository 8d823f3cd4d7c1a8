using RuleGen.Runtime;

namespace RuleGen.Benchmarks;

/// <summary>
/// Before measuring, each interpreter row's interpreter must give the same matches as its generated rule set on every
/// event of the stream: a baseline that computes something else would make the comparison meaningless.
/// </summary>
public static class InterpreterCheck
{
    public static bool Run(IEnumerable<Workload> rows, TextWriter output)
    {
        var ok = true;
        foreach (var row in rows.Where(r => r.Engine == Engine.Interpreter))
        {
            var stream = Catalog.Stream(row.Stream);
            var ruleSet = Catalog.RuleSet(row.RuleSet)!;
            var interpreter = Catalog.Interpreter(row.RuleSet);
            var a = new int[ruleSet.Rules.Count + 1];
            var b = new int[ruleSet.Rules.Count + 1];
            long matches = 0, differing = 0;
            for (var i = 0; i < stream.Count; i++)
            {
                var compiled = ruleSet.TryEvaluate(stream[i], a, out var n, row.Scope) ? n : -1;
                var interpreted = interpreter.Evaluate(stream.Memory(i), b, row.Scope);
                if (compiled > 0) matches += compiled;
                if (compiled == interpreted && a.AsSpan(0, Math.Max(0, compiled)).SequenceEqual(b.AsSpan(0, Math.Max(0, interpreted)))) continue;
                if (differing++ < 5)
                {
                    output.WriteLine($"  {row}: event {i}: rule set matched [{string.Join(", ", a.Take(Math.Max(0, compiled)).Select(r => ruleSet.Rules[r].Info.SourceFile))}], " +
                        $"interpreter [{string.Join(", ", b.Take(Math.Max(0, interpreted)).Select(r => ruleSet.Rules[r].Info.SourceFile))}]");
                }
            }
            output.WriteLine(differing == 0
                ? $"interpreter check {row}: agrees with the rule set on all {stream.Count} events ({matches} matches)"
                : $"interpreter check {row}: DISAGREES on {differing} of {stream.Count} events");
            ok &= differing == 0;
        }
        return ok;
    }
}

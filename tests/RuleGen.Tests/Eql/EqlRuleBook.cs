using System.Globalization;
using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Eql;

/// <summary>
/// Compiles many EQL rules in one generator run (one Roslyn compilation for a whole test class) and answers questions
/// about them by name. Each rule is an Elastic TOML rule of type eql; <c>extraToml</c> adds keys to its [rule] table.
/// </summary>
public sealed class EqlRuleBook : IDisposable
{
    private readonly GeneratorRun _run;
    private readonly Dictionary<string, CompiledRule> _byName;

    public EqlRuleBook(IEnumerable<(string Name, string Query)> rules, IReadOnlyDictionary<string, string>? extraToml = null)
    {
        var files = new List<(string, string)>();
        var i = 0;
        foreach (var (name, query) in rules)
        {
            var id = "00000000-0000-4000-8000-" + (++i).ToString("D12", CultureInfo.InvariantCulture);
            var text = GeneratorHarness.ElasticRule(query, name, id, type: "eql", language: "eql");
            if (extraToml is not null && extraToml.TryGetValue(name, out var extra)) text += "\n" + extra + "\n";
            files.Add(($"/rules/eql{i}.toml", text));
        }
        _run = GeneratorHarness.Run(files.ToArray());
        Assert.True(_run.GeneratorDiagnostics.All(d => d.Severity != Microsoft.CodeAnalysis.DiagnosticSeverity.Error),
            "The generator reported errors:\n" + string.Join("\n", _run.GeneratorDiagnostics));
        Set = _run.RuleSet();
        _byName = Set.Rules.ToDictionary(r => r.Info.Name);
    }

    public IRuleSet Set { get; }

    public GeneratorRun Run => _run;

    public CompiledRule Rule(string name) => _byName[name];

    /// <summary>Whether the named single-event rule matches; asks the rule alone and the rule set, which must agree.</summary>
    public bool Matches(string name, string json)
    {
        var rule = _byName[name];
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var alone = rule.IsMatch(bytes);
        var matches = new int[Set.Rules.Count + 1];
        Assert.True(Set.TryEvaluate(bytes, matches, out var count), "The event is not well-formed JSON: " + json);
        var inSet = matches.AsSpan(0, count).Contains(rule.Index);
        Assert.True(alone == inSet, $"Rule '{name}' alone says {alone}, the rule set says {inSet}, for {json}");
        return alone;
    }

    public void Dispose() => _run.Dispose();
}

using RuleGen.Generator.Planning;
using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Sigma;

/// <summary>
/// Compiles a set of small Sigma rules once (one generator run and one in-memory assembly for a whole test class) and
/// answers, for a rule and an event, whether it matches. Each rule is written as its detection section only.
/// </summary>
public class SigmaRules : IDisposable
{
    private readonly GeneratorRun _run;
    private readonly Dictionary<string, CompiledRule> _byTitle = new();

    public SigmaRules(IReadOnlyDictionary<string, string> detections, string profile = "", string logsource = "    product: windows\n    category: process_creation",
        string? config = null)
    {
        var files = detections.Select(d => ($"/rules/{TypeNames.FromText(d.Key)}.yml", Rule(d.Key, d.Value, logsource))).ToList();
        var global = new Dictionary<string, string>();
        if (profile.Length > 0) global["build_property.RuleGenSigmaProfile"] = profile;
        Dictionary<string, Dictionary<string, string>>? perFile = null;
        if (config is not null)
        {
            files.Add(("/config/sigma.yml", config));
            perFile = new() { ["/config/sigma.yml"] = new() { ["build_metadata.AdditionalFiles.RuleGenKind"] = "SigmaConfig" } };
        }
        _run = GeneratorHarness.Run(files, global, perFile);
        Diagnostics = _run.GeneratorDiagnostics;
        if (_run.Assembly is null) throw new InvalidOperationException("Generated code did not compile:\n" + string.Join("\n", _run.CompileDiagnostics.Take(20)));
        foreach (var title in detections.Keys)
        {
            var typeName = TypeNames.FromText(title);
            if (_run.Assembly.GetType("RuleGen.Generated.Rules+" + typeName) is not null) _byTitle[title] = _run.Rule(typeName);
        }
    }

    public System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Diagnostic> Diagnostics { get; }

    public GeneratorRun Run => _run;

    public CompiledRule this[string title] => _byTitle.TryGetValue(title, out var rule)
        ? rule
        : throw new InvalidOperationException($"Rule '{title}' did not compile: " + string.Join("; ", Diagnostics.Select(d => d.ToString())));

    /// <summary>The detection alone, checked the same through the rule alone and the rule set.</summary>
    public bool Detects(string title, string json) => Evaluate(title, json, MatchScope.DetectionOnly);

    /// <summary>Logsource gate and detection.</summary>
    public bool Matches(string title, string json) => Evaluate(title, json, MatchScope.Full);

    private bool Evaluate(string title, string json, MatchScope scope)
    {
        var rule = this[title];
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var alone = rule.IsMatch(bytes, scope);
        var buffer = new int[_byTitle.Count + 1];
        Assert.True(_run.RuleSet().TryEvaluate(bytes, buffer, out var count, scope), "malformed test event " + json);
        var inSet = buffer.Take(count).Contains(rule.Index);
        Assert.True(alone == inSet, $"'{title}' alone says {alone}, the rule set says {inSet}, for {json}");
        return alone;
    }

    public static string Rule(string title, string detection, string logsource = "    product: windows\n    category: process_creation") =>
        $"title: {title}\nid: {Guid.NewGuid()}\nstatus: test\ndescription: A rule made for a test.\nauthor: RuleGen tests\ndate: 2026-01-01\n" +
        $"logsource:\n{logsource}\ndetection:\n{detection}\nlevel: medium\n";

    public void Dispose() => _run.Dispose();
}

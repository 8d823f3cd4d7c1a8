using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using RuleGen.Generator;
using RuleGen.Runtime;

namespace RuleGen.Tests.Infrastructure;

/// <summary>
/// Runs RuleGen's generator under Microsoft.CodeAnalysis.Testing: the diagnostics it reports (and those of compiling
/// what it generated) must be exactly the expected ones, with their spans. Offline: reference assemblies come from
/// Basic.Reference.Assemblies.Net100, plus RuleGen.Runtime.
/// </summary>
public static class GeneratorVerifier
{
    /// <summary>A diagnostic RuleGen reports, by descriptor (id and default severity).</summary>
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    public static Task VerifyAsync(IEnumerable<(string Path, string Text)> ruleFiles, params DiagnosticResult[] expected)
    {
        var test = new CSharpSourceGeneratorTest<RuleGenGenerator, DefaultVerifier>
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
            // The generated sources are checked by the golden-file tests; here only diagnostics count.
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
        };
        test.TestState.Sources.Add(("Consumer.cs", "namespace Consumer { internal static class Program { } }"));
        test.TestState.AdditionalReferences.AddRange(Basic.Reference.Assemblies.Net100.References.All);
        test.TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(IRuleSet).Assembly.Location));
        foreach (var (path, text) in ruleFiles) test.TestState.AdditionalFiles.Add((path, text));
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task VerifyAsync(string path, string text, params DiagnosticResult[] expected) =>
        VerifyAsync(new[] { (path, text) }, expected);
}

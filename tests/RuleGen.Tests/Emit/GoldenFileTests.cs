using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Emit;

/// <summary>
/// The generated code of representative rules, compared exactly with the files in <c>Baselines/</c>, so every change
/// to emitted code shows up in review. Run with <c>UPDATE_BASELINES=1</c> to rewrite the baselines (then read the
/// diff).
/// </summary>
public sealed class GoldenFileTests : IClassFixture<GoldenFileTests.Generated>
{
    private static readonly string BaselineFolder = Path.Combine(Repo.Root, "tests", "RuleGen.Tests", "Baselines");

    private static bool Updating => Environment.GetEnvironmentVariable("UPDATE_BASELINES") == "1";

    /// <summary>A rule exercising nested queries, exists, ranges, value lists with not, wildcards and wildcard field names.</summary>
    private const string ShapesQuery = """
        process.name:(cmd.exe or powershell.exe and not pwsh.exe) and
        process.args:*-enc* and
        file.hash.*:* and
        destination.port >= 1024 and destination.port < 49152 and
        host.name > m and
        user:{ name:admin* and not domain:"NT AUTHORITY" } and
        not process.parent.name:explorer.exe and
        event.code:4688 and
        winlog.event_data.Enabled:true and
        C\:\\Windows\\*
        """;

    public static TheoryData<string, string, string> Rules => new()
    {
        { "SeedRule", "AzureFullNetworkPacketCaptureDetected", "rules/elastic/azure_full_network_packet_capture_detected.toml" },
        { "Shapes", "KQLShapes", "rules/kql_shapes.toml" },
    };

    /// <summary>The rules above, generated and compiled once for the tests of this class.</summary>
    public sealed class Generated : IDisposable
    {
        public GeneratorRun Run { get; } = GeneratorHarness.Run(new[]
        {
            ("rules/elastic/azure_full_network_packet_capture_detected.toml", File.ReadAllText(Repo.SeedRulePath)),
            ("rules/kql_shapes.toml", GeneratorHarness.ElasticRule(ShapesQuery, name: "KQL Shapes", ruleId: "5f1c0000-0000-4000-8000-00000000beef")),
        }, null);

        public void Dispose() => Run.Dispose();
    }

    private readonly GeneratorRun _run;

    public GoldenFileTests(Generated generated) => _run = generated.Run;

    [Fact]
    public void The_generated_code_compiles_cleanly()
    {
        Assert.Empty(_run.GeneratorDiagnostics);
        Assert.Empty(_run.CompileDiagnostics);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Rule_code_matches_its_baseline(string baseline, string typeName, string _) =>
        Compare(baseline + ".g.cs.txt", _run.Sources[$"Rules.{typeName}.g.cs"]);

    [Fact]
    public void Rule_set_code_matches_its_baseline() => Compare("RuleSet.g.cs.txt", _run.Sources["RuleSet.g.cs"]);

    private static void Compare(string baselineName, string actual)
    {
        var path = Path.Combine(BaselineFolder, baselineName);
        actual = actual.Replace("\r\n", "\n");
        if (Updating)
        {
            Directory.CreateDirectory(BaselineFolder);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"No baseline {path}: run the tests with UPDATE_BASELINES=1 to write it, then review it.");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected == actual) return;
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var line = 0;
        while (line < Math.Min(expectedLines.Length, actualLines.Length) && expectedLines[line] == actualLines[line]) line++;
        Assert.Fail($"{baselineName} differs from the generated code at line {line + 1}:\n" +
            $"  baseline:  {(line < expectedLines.Length ? expectedLines[line] : "<end>")}\n" +
            $"  generated: {(line < actualLines.Length ? actualLines[line] : "<end>")}\n" +
            "If the change is intended, run the tests with UPDATE_BASELINES=1 and review the diff.");
    }
}

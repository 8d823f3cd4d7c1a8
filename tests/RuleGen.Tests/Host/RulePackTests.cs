using System.Text;
using RuleGen.Host;
using RuleGen.Host.Packs;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Host;

/// <summary>
/// <c>rulegen scan --rules DIR</c>, <c>rulegen compile DIR -o PACK</c> and <c>rulegen scan --pack PACK</c>: rule
/// folders compiled at run time by the generator and Roslyn in process, cached by content, and loaded.
/// </summary>
public sealed class RulePackTests : IDisposable
{
    // The cache of these tests (the variable is the process's; only these tests compile packs).
    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rulegen-pack-tests-" + Guid.NewGuid().ToString("N"));

    private readonly string _root = Path.Combine(Path.GetTempPath(), "rulegen-pack-" + Guid.NewGuid().ToString("N"));

    static RulePackTests() => Environment.SetEnvironmentVariable("RULEGEN_CACHE", Cache);

    public RulePackTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static readonly byte[] Events = Encoding.UTF8.GetBytes(
        "{\"@timestamp\":\"2026-11-27T10:00:00Z\",\"event\":{\"action\":\"pack-hit\"}}\n" +
        "{\"@timestamp\":\"2026-11-27T10:00:01Z\",\"event\":{\"action\":\"other\"}}\n" +
        "{\"@timestamp\":\"2026-11-27T10:00:02Z\",\"event\":{\"action\":\"pack-hit\"}}\n");

    private string RuleFolder(string action, bool withBadFile)
    {
        var folder = Path.Combine(_root, "rules-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        File.WriteAllText(Path.Combine(folder, "sub", "hit.toml"),
            GeneratorHarness.ElasticRule($"event.action: \"{action}\"", name: "Pack Hit", ruleId: "00000000-0000-4000-8000-0000000000aa"));
        if (withBadFile) File.WriteAllText(Path.Combine(folder, "broken.toml"), "[rule\nname = \"unterminated\n");
        return folder;
    }

    [Fact]
    public void Scan_with_rules_compiles_runs_valid_rules_reports_errors_and_a_second_run_loads_the_cache()
    {
        var folder = RuleFolder("pack-hit", withBadFile: true);
        var first = HostHarness.Run(["scan", "--rules", folder, "-"], Events);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("compiling the rule pack", first.Stderr);
        // The broken file's error, located as a build prints it.
        Assert.Matches(@"broken\.toml\(\d+,\d+\): error RG\d{4}: ", first.Stderr);
        Assert.Contains("rule files left out: 1", first.Stderr);
        Assert.Equal(2, first.Alerts.Count);
        Assert.All(first.Alerts, a => Assert.Equal("Pack Hit", a.GetProperty("kibana.alert.rule.name").GetString()));
        Assert.All(first.Alerts, a => Assert.Equal("sub/hit.toml", a.GetProperty("rulegen.rule.file").GetString()));

        var second = HostHarness.Run(["scan", $"--rules={folder}", "-"], Events);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.DoesNotContain("compiling the rule pack", second.Stderr);
        Assert.Matches(@"broken\.toml\(\d+,\d+\): error RG\d{4}: ", second.Stderr);
        Assert.Contains("rule files left out: 1", second.Stderr);
        Assert.Equal(first.Stdout, second.Stdout);

        // An edit of a rule file is another pack.
        File.WriteAllText(Path.Combine(folder, "sub", "hit.toml"),
            GeneratorHarness.ElasticRule("event.action: \"other\"", name: "Pack Hit", ruleId: "00000000-0000-4000-8000-0000000000aa"));
        var edited = HostHarness.Run(["scan", "--rules", folder, "-"], Events);
        Assert.True(edited.ExitCode == 0, edited.Stderr);
        Assert.Contains("compiling the rule pack", edited.Stderr);
        Assert.Single(edited.Alerts);
    }

    [Fact]
    public void Compile_writes_a_pack_that_scan_and_rules_load()
    {
        var folder = RuleFolder("pack-hit", withBadFile: false);
        var pack = Path.Combine(_root, "out", "my.pack");
        var compiled = HostHarness.Run(["compile", folder, "-o", pack]);
        Assert.True(compiled.ExitCode == 0, compiled.Stderr);
        Assert.True(File.Exists(pack));

        var scan = HostHarness.Run(["scan", "--pack", pack, "-"], Events);
        Assert.True(scan.ExitCode == 0, scan.Stderr);
        Assert.Equal(2, scan.Alerts.Count);
        Assert.DoesNotContain("left out", scan.Stderr);

        var rules = HostHarness.Run(["rules", "--pack", pack]);
        Assert.Equal(0, rules.ExitCode);
        Assert.Contains("Pack Hit\tsub/hit.toml", rules.Stdout);
        Assert.EndsWith("1 rule\n", rules.Stdout);
    }

    [Fact]
    public void Wrong_packs_and_folders_get_clear_errors()
    {
        var folder = RuleFolder("pack-hit", withBadFile: false);
        var toDirectory = HostHarness.Run(["compile", folder, "-o", _root]);
        Assert.Equal(ExitCodes.UsageError, toDirectory.ExitCode);
        Assert.Contains("is a directory", toDirectory.Stderr);

        var notPack = Path.Combine(_root, "not-a-pack.dll");
        File.WriteAllText(notPack, "hello");
        var bad = HostHarness.Run(["scan", "--pack", notPack, "-"], Events);
        Assert.Equal(ExitCodes.PackError, bad.ExitCode);
        Assert.Contains("is not a rule pack", bad.Stderr);

        var packIsFolder = HostHarness.Run(["scan", "--pack", folder, "-"], Events);
        Assert.Equal(ExitCodes.PackError, packIsFolder.ExitCode);
        Assert.Contains("--rules DIR", packIsFolder.Stderr);

        var missing = HostHarness.Run(["scan", "--rules", Path.Combine(_root, "nope"), "-"], Events);
        Assert.Equal(ExitCodes.InputOutputError, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);

        var both = HostHarness.Run(["scan", "--rules", folder, "--pack", notPack, "-"], Events);
        Assert.Equal(ExitCodes.UsageError, both.ExitCode);

        var onlyErrors = Path.Combine(_root, "only-errors");
        Directory.CreateDirectory(onlyErrors);
        File.WriteAllText(Path.Combine(onlyErrors, "broken.toml"), "[rule\n");
        var none = HostHarness.Run(["scan", "--rules", onlyErrors, "-"], Events);
        Assert.Equal(ExitCodes.PackError, none.ExitCode);
        Assert.Matches(@"broken\.toml\(\d+,\d+\): error RG\d{4}: ", none.Stderr);
    }

    [Fact]
    public void The_cache_key_follows_contents_options_and_not_time()
    {
        var folder = RuleFolder("pack-hit", withBadFile: false);
        var files = RulePackCompiler.FilesOf([folder]);
        Assert.Single(files);
        var key = RulePackCompiler.CacheKey(files, new PackOptions());
        File.SetLastWriteTimeUtc(files[0].Path, DateTime.UtcNow.AddDays(-3));
        Assert.Equal(key, RulePackCompiler.CacheKey(files, new PackOptions()));
        Assert.NotEqual(key, RulePackCompiler.CacheKey(files, new PackOptions("ecs")));
        File.AppendAllText(files[0].Path, "\n");
        Assert.NotEqual(key, RulePackCompiler.CacheKey(files, new PackOptions()));
    }
}

using System.Diagnostics;
using System.Reflection;
using RuleGen.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RuleGen.Tests.Packaging;

/// <summary>
/// rulegen as a .NET tool, as a hunter installs it: src/RuleGen.Host packed (<c>dotnet pack --no-build</c>) into a
/// local feed, installed with <c>dotnet tool install --tool-path</c> from a fresh folder whose nuget.config knows only
/// that feed, then run from there: <c>rulegen --version</c> and <c>rulegen scan</c> of the sample. SLOW (a pack and an
/// install; filter it out with <c>--filter Category!=Package</c>).
/// </summary>
[Trait("Category", "Package")]
public sealed class ToolPackageTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rulegen-tool-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public void The_tool_packs_installs_from_a_local_feed_and_scans_from_a_fresh_folder()
    {
        var feed = Path.Combine(_root, "feed");
        var packages = Path.Combine(_root, "packages");
        var fresh = Path.Combine(_root, "hunter");
        var tools = Path.Combine(_root, "tools");
        Directory.CreateDirectory(feed);
        Directory.CreateDirectory(fresh);
        var version = $"0.1.0-test.t{Guid.NewGuid():N}";
        var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

        Dotnet.Run(Repo.Root, packages, "pack", Path.Combine(Repo.Root, "src", "RuleGen.Host", "RuleGen.Host.csproj"),
            "-c", configuration, "--no-build", "-o", feed, $"-p:Version={version}").AssertSucceeded();
        Assert.True(File.Exists(Path.Combine(feed, $"RuleGen.Tool.{version}.nupkg")), "the tool package is in the feed");

        // A fresh folder that knows only the local feed: the tool carries its dependencies.
        Dotnet.WriteLocalFeedConfig(fresh, feed);
        var install = Dotnet.Run(fresh, packages, "tool", "install", "--tool-path", tools, "RuleGen.Tool", "--version", version, "--add-source", feed);
        output.WriteLine(install.Output);
        install.AssertSucceeded();

        var rulegen = Path.Combine(tools, OperatingSystem.IsWindows() ? "rulegen.exe" : "rulegen");
        var (versionCode, versionText, _) = Run(rulegen, fresh, "--version");
        Assert.Equal(0, versionCode);
        Assert.StartsWith(typeof(RuleGen.Host.ExitCodes).Assembly.GetName().Version!.ToString(3), versionText);

        var sample = Path.Combine(Repo.Root, "samples", "azure-activity.ndjson");
        var (code, alerts, stderr) = Run(rulegen, fresh, "scan", sample);
        output.WriteLine(stderr);
        Assert.Equal(0, code);
        Assert.Contains("rulegen: scanned 12 events", stderr);
        var seed = Host.HostResult.ParseNdjson(alerts).Count(a => a.GetProperty("kibana.alert.rule.rule_id").GetString() == Host.HostHarness.SeedRuleId);
        Assert.Equal(4, seed);
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The tool's launcher finds the runtime of the dotnet running the tests.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { } host) start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(host);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "rulegen did not finish within a minute");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using RuleGen.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RuleGen.Tests.Packaging;

/// <summary>
/// Packs the RuleGen package once (from the already built projects, <c>dotnet pack --no-build</c>) into a local
/// folder feed under a temporary folder, with a version no cache has seen and a package folder of its own
/// (NUGET_PACKAGES), so stale caches cannot interfere.
/// </summary>
public sealed class PackedRuleGen : IDisposable
{
    public PackedRuleGen()
    {
        Directory.CreateDirectory(Feed);
        Version = $"0.1.0-test.t{Guid.NewGuid():N}";
        var configuration = typeof(PackedRuleGen).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        Pack = Dotnet.Run(Repo.Root, this, "pack", Path.Combine(Repo.Root, "src", "RuleGen.Runtime", "RuleGen.Runtime.csproj"),
            "-c", configuration, "--no-build", "-o", Feed, $"-p:Version={Version}", $"-p:NuspecOutputPath={Path.Combine(Root, "nuspec")}{Path.DirectorySeparatorChar}");
        Package = Path.Combine(Feed, $"RuleGen.{Version}.nupkg");
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "rulegen-package-" + Guid.NewGuid().ToString("N"));
    public string Feed => Path.Combine(Root, "feed");
    public string Packages => Path.Combine(Root, "packages");
    public string Version { get; }
    public string Package { get; }
    public Dotnet.Result Pack { get; }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Runs the dotnet CLI as a user would, with this test's package folder and no lingering build servers.</summary>
public static class Dotnet
{
    public sealed record Result(int ExitCode, string Output, string CommandLine)
    {
        public void AssertSucceeded() => Assert.True(ExitCode == 0, $"`{CommandLine}` exited with {ExitCode}:\n{Output}");
    }

    public static Result Run(string workingDirectory, PackedRuleGen packed, params string[] args) => Run(workingDirectory, packed.Packages, args);

    /// <summary>A nuget.config in <paramref name="folder"/> whose only package source is the local <paramref name="feed"/>.</summary>
    public static void WriteLocalFeedConfig(string folder, string feed) =>
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="rulegen-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);

    /// <summary>Runs dotnet with <paramref name="packages"/> as its package folder (NUGET_PACKAGES).</summary>
    public static Result Run(string workingDirectory, string packages, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["NUGET_PACKAGES"] = packages;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // The compiler server would outlive the test (and could keep an old generator loaded).
        start.Environment["UseSharedCompilation"] = "false";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var finished = process.WaitForExit(TimeSpan.FromMinutes(5));
        if (!finished) process.Kill(entireProcessTree: true);
        output.Append(stdout.Result).Append(stderr.Result);
        var commandLine = "dotnet " + string.Join(' ', args);
        Assert.True(finished, $"`{commandLine}` did not finish within 5 minutes:\n{output}");
        return new Result(process.ExitCode, output.ToString(), commandLine);
    }
}

/// <summary>
/// The used-by story, end to end through the real NuGet package. SLOW (about a minute: one restore and one build
/// of a new project); it needs the dotnet SDK and, for <c>dotnet new</c>, nothing else. Filter it out with
/// <c>--filter Category!=Package</c>.
/// </summary>
[Trait("Category", "Package")]
public sealed class PackageConsumerTests : IClassFixture<PackedRuleGen>
{
    private readonly PackedRuleGen _packed;
    private readonly ITestOutputHelper _output;

    public PackageConsumerTests(PackedRuleGen packed, ITestOutputHelper output)
    {
        _packed = packed;
        _output = output;
    }

    [Fact]
    public void Package_holds_the_generator_its_dependencies_the_runtime_and_the_build_files()
    {
        _packed.Pack.AssertSucceeded();
        using var zip = ZipFile.OpenRead(_packed.Package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var expected in new[]
        {
            "analyzers/dotnet/cs/RuleGen.Generator.dll",
            "analyzers/dotnet/cs/YamlDotNet.dll",
            "analyzers/dotnet/cs/Tomlyn.dll",
            "lib/net10.0/RuleGen.Runtime.dll",
            "buildTransitive/RuleGen.props",
            "buildTransitive/RuleGen.targets",
            "build/RuleGen.props",
            "build/RuleGen.targets",
            "README.md",
        })
        {
            Assert.Contains(expected, entries);
        }
        // The generator is an analyzer, never a library the consumer's code could call.
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal) && e.Contains("RuleGen.Runtime", StringComparison.Ordinal));

        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var text = nuspec.ReadToEnd();
        Assert.Contains($"<version>{_packed.Version}</version>", text);
        Assert.DoesNotContain("<dependency ", text);
    }

    [Fact]
    public void A_new_console_project_with_the_package_and_a_rules_folder_builds_and_runs_the_sample_program()
    {
        _packed.Pack.AssertSucceeded();
        var app = Path.Combine(_packed.Root, "RuleGenConsumer");
        var sample = Path.Combine(Repo.Root, "samples", "ConsumerApp");

        // What a new user does: a new console project, the package, a rules/ folder, code that calls the rules.
        Dotnet.Run(_packed.Root, _packed, "new", "console", "-o", app, "--no-restore").AssertSucceeded();
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="rulegen-local" value="{_packed.Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="rulegen-local"><package pattern="RuleGen" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        Dotnet.Run(app, _packed, "add", "package", "RuleGen", "--version", _packed.Version, "--source", _packed.Feed).AssertSucceeded();
        CopyFolder(Path.Combine(sample, "rules"), Path.Combine(app, "rules"));
        File.Copy(Path.Combine(sample, "Program.cs"), Path.Combine(app, "Program.cs"), overwrite: true);

        var events = Path.Combine(Repo.Root, "samples", "azure-activity.ndjson");
        var run = Dotnet.Run(app, _packed, "run", "--", events);
        _output.WriteLine(run.Output);
        run.AssertSucceeded();

        Assert.Contains("2 compiled rules:", run.Output);
        Assert.Contains("Rules.AzureNetworkSecurityGroupChanged.IsMatch(probe) = True", run.Output);
        Assert.Contains("Rules.AzureStorageAccountKeysListed.IsMatch(probe) = False", run.Output);
        Assert.Contains($"{events}:2: Azure Network Security Group Changed [low]", run.Output);
        Assert.Contains($"{events}:12: Azure Storage Account Keys Listed [medium]", run.Output);
        Assert.Contains("2 alerts in 12 lines", run.Output);

        // The same program built in the repository (project references) says exactly the same.
        var inRepo = InRepoSampleOutput(events);
        Assert.Equal(inRepo.ReplaceLineEndings().Trim(), run.Output.ReplaceLineEndings().Trim());

        // Then the README's walk-through as written, in the same project: its rule file, its Program.cs, its output.
        var (program, printed) = ReadmeWalkthrough();
        Directory.Delete(Path.Combine(app, "rules"), recursive: true);
        Directory.CreateDirectory(Path.Combine(app, "rules"));
        File.Copy(Path.Combine(Repo.Root, "rules", "elastic", "azure_full_network_packet_capture_detected.toml"),
            Path.Combine(app, "rules", "azure_full_network_packet_capture_detected.toml"));
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        var walkthrough = Dotnet.Run(app, _packed, "run");
        _output.WriteLine(walkthrough.Output);
        walkthrough.AssertSucceeded();
        Assert.Equal(printed.ReplaceLineEndings().Trim(), walkthrough.Output.ReplaceLineEndings().Trim());
    }

    /// <summary>The README's walk-through: the C# block after its marker, and the output block after "It prints:".</summary>
    private static (string Program, string Printed) ReadmeWalkthrough()
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).ReplaceLineEndings("\n");
        var marker = readme.IndexOf("<!-- walkthrough:Program.cs -->", StringComparison.Ordinal);
        Assert.True(marker >= 0, "the README marks its walk-through's Program.cs");
        string Block(string fence, int from, out int end)
        {
            var start = readme.IndexOf(fence, from, StringComparison.Ordinal) + fence.Length;
            end = readme.IndexOf("\n```\n", start, StringComparison.Ordinal);
            return readme[start..(end + 1)];
        }
        var program = Block("```csharp\n", marker, out var programEnd);
        var prints = readme.IndexOf("It prints:", programEnd, StringComparison.Ordinal);
        Assert.True(prints >= 0, "the README says what the walk-through prints");
        return (program, Block("```\n", prints, out _));
    }

    [Fact]
    public void A_library_with_warnings_as_errors_and_every_analyzer_builds_eql_rules_with_constant_conditions()
    {
        _packed.Pack.AssertSucceeded();
        var library = Path.Combine(_packed.Root, "StrictConsumer");
        Directory.CreateDirectory(Path.Combine(library, "rules"));
        // The strictest settings a consumer can choose: every warning wave and every analyzer rule on, and any
        // warning an error. The library has no code of its own, so any warning comes from the generated code.
        File.WriteAllText(Path.Combine(library, "StrictConsumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <AnalysisLevel>latest-all</AnalysisLevel>
                <EnforceCodeStyleInBuild>true</EnforceCodeStyleInBuild>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="RuleGen" Version="{_packed.Version}" />
                <!-- A multi-field declaration and a plain one: a malformed transform would be an RG0101 error. -->
                <RuleGenFieldType Include="file_name" Type="text" Keyword="file_name.keyword" />
                <RuleGenFieldType Include="my.address" Type="ip" />
              </ItemGroup>
            </Project>
            """);
        Dotnet.WriteLocalFeedConfig(library, _packed.Feed);
        var queries = new[]
        {
            "process where false",
            "process where true",
            "any where false",
            "process where not true",
            "process where process.name == \"a\" and false",
            "process where false or process.name == \"a\"",
            "sequence by host.id with maxspan=1m [process where false] [file where true]",
            "sequence by host.id with maxspan=1m [process where true] [file where process.name == \"a\" or true]",
            // Compiles only if the declaration arrived with its keyword multi-field (a text field alone is RG0305).
            "file where file_name == \"a\" or false",
        };
        for (var i = 0; i < queries.Length; i++)
        {
            var id = "00000000-0000-4000-8000-" + (i + 1).ToString("D12", System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllText(Path.Combine(library, "rules", $"constant{i}.toml"),
                GeneratorHarness.ElasticRule(queries[i], $"Constant {i}", id, type: "eql", language: "eql"));
        }

        var build = Dotnet.Run(library, _packed, "build", "-c", "Release", "-p:EmitCompilerGeneratedFiles=true");
        _output.WriteLine(build.Output);
        build.AssertSucceeded();
        Assert.Contains("0 Warning(s)", build.Output);
        // The rules were compiled (not skipped): one generated file per rule.
        var generated = Directory.EnumerateFiles(Path.Combine(library, "obj"), "Rules.Constant*.g.cs", SearchOption.AllDirectories).ToList();
        Assert.Equal(queries.Length, generated.Count);
    }

    private static string InRepoSampleOutput(string events)
    {
        var configuration = typeof(PackageConsumerTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var dll = Path.Combine(Repo.Root, "samples", "ConsumerApp", "bin", configuration, "net10.0", "ConsumerApp.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project builds samples/ConsumerApp first (project reference).");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(events);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000));
        Assert.Equal(0, process.ExitCode);
        return output;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

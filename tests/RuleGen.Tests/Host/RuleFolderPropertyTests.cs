using System.Diagnostics;
using System.Text.Json;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Host;

/// <summary>
/// <c>-p:RuleGenRules=dir[;dir...]</c> (build/RuleGen.targets): which rule files the host's build hands to the
/// generator. Asked of MSBuild itself (<c>dotnet msbuild -getItem</c> after the target), without compiling.
/// </summary>
public sealed class RuleFolderPropertyTests
{
    private static string HostProject => Path.Combine(Repo.Root, "src", "RuleGen.Host", "RuleGen.Host.csproj");

    private static (int ExitCode, string Output) Msbuild(string workingDirectory, params string[] properties) =>
        MsbuildQuery(workingDirectory, HostProject, new[] { "-t:RuleGenAddRuleFolders", "-getItem:AdditionalFiles" }, properties);

    private static (int ExitCode, string Output) MsbuildQuery(string workingDirectory, string project, string[] query, params string[] properties)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in new[] { "msbuild", project, "-nologo", "-nodeReuse:false" }.Concat(query)) start.ArgumentList.Add(arg);
        foreach (var property in properties) start.ArgumentList.Add("-p:" + property);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "dotnet msbuild did not finish within two minutes");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static List<(string File, string Root)> RuleFiles(string output)
    {
        var json = JsonDocument.Parse(output[output.IndexOf('{')..]);
        return json.RootElement.GetProperty("Items").GetProperty("AdditionalFiles").EnumerateArray()
            .Select(item => (item.GetProperty("FullPath").GetString()!, item.GetProperty("RuleGenRoot").GetString()!))
            .OrderBy(f => f.Item1, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void Host_build_takes_the_repositorys_rules_folder_by_default()
    {
        var (code, output) = Msbuild(Repo.Root);
        Assert.True(code == 0, output);
        var rulesRoot = Path.Combine(Repo.Root, "rules");
        var files = RuleFiles(output);
        Assert.Contains((Repo.SeedRulePath, rulesRoot), files);
        Assert.All(files, f => Assert.Equal(rulesRoot, f.Root));
    }

    [Fact]
    public void RuleGenRules_replaces_the_default_with_every_rule_file_under_each_listed_folder()
    {
        using var temp = new HostHarness.TempFolder();
        var a = Path.Combine(temp.Path, "pack-a");
        var b = Path.Combine(temp.Path, "pack-b");
        Directory.CreateDirectory(Path.Combine(a, "nested", "deeper"));
        Directory.CreateDirectory(b);
        File.WriteAllText(Path.Combine(a, "one.toml"), "");
        File.WriteAllText(Path.Combine(a, "nested", "deeper", "two.yml"), "");
        File.WriteAllText(Path.Combine(b, "three.yaml"), "");
        File.WriteAllText(Path.Combine(b, "notes.txt"), "");

        // b is relative: not under the project folder, so it is found from where the build started.
        var (code, output) = Msbuild(temp.Path, $"RuleGenRules=\"{a}/;pack-b\"");
        Assert.True(code == 0, output);
        Assert.Equal(new[]
        {
            (Path.Combine(a, "nested", "deeper", "two.yml"), a),
            (Path.Combine(a, "one.toml"), a),
            (Path.Combine(b, "three.yaml"), b),
        }, RuleFiles(output));
    }

    [Fact]
    public void A_rule_folder_that_does_not_exist_fails_the_build_with_its_name()
    {
        using var temp = new HostHarness.TempFolder();
        var (code, output) = Msbuild(temp.Path, "RuleGenRules=no-such-rules");
        Assert.NotEqual(0, code);
        Assert.Contains("RuleGen: the rule folder '", output);
        Assert.Contains("no-such-rules' does not exist", output);
    }

    [Fact]
    public void Field_type_declarations_reach_the_generator_comma_separated_with_the_items_after_the_property()
    {
        // A project as a package user writes it: the property and RuleGenFieldType items. The compiler's options file
        // cuts a value at ';' or '#', so what the generator reads must hold no ';'.
        using var temp = new HostHarness.TempFolder();
        var build = Path.Combine(Repo.Root, "src", "RuleGen.Runtime", "build");
        var project = Path.Combine(temp.Path, "consumer.csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{build}/RuleGen.props" />
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <RuleGenFieldTypes>my.addr ip;my.name keyword lowercase</RuleGenFieldTypes>
              </PropertyGroup>
              <ItemGroup>
                <RuleGenFieldType Include="my.count" Type="long" />
                <RuleGenFieldType Include="my.user" Type="keyword" Normalizer="lowercase" />
                <RuleGenFieldType Include="my.file" Type="text" Keyword="my.file.keyword" />
              </ItemGroup>
              <Import Project="{build}/RuleGen.targets" />
            </Project>
            """);
        var (code, output) = MsbuildQuery(temp.Path, project, new[] { "-t:RuleGenFieldTypeItems", "-getProperty:_RuleGenFieldTypeList" });
        Assert.True(code == 0, output);
        // An item without Keyword metadata passes an empty "keyword=", which the generator ignores.
        Assert.Equal("my.addr ip,my.name keyword lowercase,my.count long  keyword=,my.user keyword lowercase keyword=,my.file text  keyword=my.file.keyword", output.Trim());
        var parsed = RuleGen.Generator.FieldTypes.FieldTypeOverrides.Parse(Array.Empty<(string, string)>(), output.Trim());
        Assert.Empty(parsed.Diagnostics);
        Assert.Equal(
            new[] { "my.addr ip", "my.count long", "my.file text with keyword multi-field my.file.keyword", "my.name keyword (lowercase normalizer)", "my.user keyword (lowercase normalizer)" },
            parsed.Declarations.Select(d => d.Field + " " + d.Type).ToArray());
    }
}

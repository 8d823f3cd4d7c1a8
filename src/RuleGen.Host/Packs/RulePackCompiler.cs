using System.Collections.Immutable;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RuleGen.Generator;
using RuleGen.Runtime;

namespace RuleGen.Host.Packs;

/// <summary>
/// Compiles rule folders into a rule pack assembly at run time, as a build would: RuleGen's own generator runs in
/// process (a <see cref="CSharpGeneratorDriver"/> over the folders' rule files, with the options MSBuild would pass),
/// and Roslyn compiles the generated code against the running framework and RuleGen.Runtime. The pack's manifest
/// (<see cref="PackManifest"/>: RuleGen's version, the diagnostics, the rule files left out) travels inside the
/// assembly as a resource, so a pack is one file.
/// </summary>
public static class RulePackCompiler
{
    /// <summary>The namespace of every pack's generated code; its rule set is <c>RuleGen.Pack.RuleSet</c>.</summary>
    public const string Namespace = "RuleGen.Pack";

    /// <summary>The manifest resource inside a pack assembly.</summary>
    public const string ManifestResource = "RuleGen.Pack.json";

    /// <summary>
    /// The version packs are checked against: RuleGen's version and the build of its generator and runtime (a pack
    /// compiled by another build of RuleGen may call runtime code that differs).
    /// </summary>
    public static string RuleGenVersion { get; } =
        (typeof(IRuleSet).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0") +
        "+" + typeof(IRuleSet).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12] +
        "." + typeof(RuleGenGenerator).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];

    /// <summary>The files of <paramref name="folders"/> the generator reads (rules and field-type tables), in a stable order.</summary>
    public static IReadOnlyList<PackFile> FilesOf(IReadOnlyList<string> folders)
    {
        var files = new List<PackFile>();
        foreach (var folder in folders)
        {
            var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
            var found = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.None })
                .Where(f => RuleGenGenerator.IsRuleFile(f) || f.EndsWith(".fieldtypes.tsv", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal);
            files.AddRange(found.Select(f => new PackFile(root, f)));
        }
        return files;
    }

    /// <summary>
    /// The cache key of a pack: its files' paths and contents, the options and RuleGen's version, as a hash (hex).
    /// Any edit of a rule file, a file added or removed, another option or another RuleGen gives another key.
    /// </summary>
    public static string CacheKey(IReadOnlyList<PackFile> files, PackOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        Add("rulegen-pack/1");
        Add(RuleGenVersion);
        Add(options.Key);
        foreach (var file in files)
        {
            Add(file.Root);
            Add(file.Path);
            var content = File.ReadAllBytes(file.Path);
            hash.AppendData(BitConverter.GetBytes(content.Length));
            hash.AppendData(content);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Runs the generator over <paramref name="files"/> and compiles its output into <paramref name="output"/>. Rule
    /// files with errors are left out (their diagnostics say why), as in a build; the pack holds every valid rule.
    /// </summary>
    public static PackBuild Compile(IReadOnlyList<PackFile> files, PackOptions options, string assemblyName, Stream output, CancellationToken cancellationToken = default)
    {
        var texts = files.Select(f => (AdditionalText)new FileText(f.Path)).ToList();
        var perFile = files.ToDictionary(f => f.Path, f => f.Root, StringComparer.Ordinal);
        var driver = CSharpGeneratorDriver.Create(
            new[] { new RuleGenGenerator().AsSourceGenerator() },
            additionalTexts: texts,
            parseOptions: ParseOptions,
            optionsProvider: new PackOptionsProvider(options, perFile),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

        var compilation = CSharpCompilation.Create(
            assemblyName,
            syntaxTrees: [],
            references: References.Value,
            options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release,
                deterministic: true));
        var ran = driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var driverDiagnostics, cancellationToken);
        var generatorDiagnostics = driverDiagnostics.AddRange(ran.GetRunResult().Diagnostics).Distinct().ToList();

        var errorFiles = generatorDiagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.Location.GetLineSpan().Path)
            .Where(p => !string.IsNullOrEmpty(p))
            .Distinct(StringComparer.Ordinal)
            .Count();
        var ruleFiles = files.Count(f => RuleGenGenerator.IsRuleFile(f.Path));
        var manifest = new PackManifest(RuleGenVersion, options.Key, ruleFiles, errorFiles,
            generatorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .OrderBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal)
                .ThenBy(d => d.Location.GetLineSpan().StartLinePosition)
                .Select(Format).ToList());

        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, PackManifest.JsonOptions);
        var resources = new[] { new ResourceDescription(ManifestResource, () => new MemoryStream(manifestBytes), isPublic: true) };
        var emit = generated.Emit(output, manifestResources: resources, cancellationToken: cancellationToken);
        var compileErrors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(Format).ToList();
        return new PackBuild(emit.Success, manifest, compileErrors);
    }

    /// <summary>A diagnostic as a build prints it: <c>file(line,col): error RG0001: message</c>.</summary>
    public static string Format(Diagnostic diagnostic) => diagnostic.ToString();

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    // The running framework's assemblies (the generated code needs System.* only) and RuleGen.Runtime.
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDirectory, StringComparison.Ordinal))
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll"))
            .Append(typeof(IRuleSet).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    /// <summary>A rule file read from disk when the generator asks for it.</summary>
    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default)
        {
            using var stream = File.OpenRead(Path);
            return SourceText.From(stream, Encoding.UTF8, canBeEmbedded: false);
        }
    }

    /// <summary>The MSBuild options the RuleGen targets would give the generator, from <see cref="PackOptions"/>.</summary>
    private sealed class PackOptionsProvider(PackOptions options, Dictionary<string, string> roots) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _global = new(new Dictionary<string, string>
        {
            ["build_property.RuleGenNamespace"] = Namespace,
            ["build_property.ProjectDir"] = "",
            ["build_property.RuleGenSigmaProfile"] = options.SigmaProfile ?? "",
        });

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            roots.TryGetValue(textFile.Path, out var root) && RuleGenGenerator.IsRuleFile(textFile.Path)
                ? new Options(new Dictionary<string, string> { ["build_metadata.AdditionalFiles.RuleGenRoot"] = root })
                : Options.Empty;

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public static readonly Options Empty = new(new Dictionary<string, string>());

            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}

/// <summary>One file of a pack: the rule folder it was found under (alerts name it relative to that) and its full path.</summary>
public sealed record PackFile(string Root, string Path);

/// <summary>What changes a pack's generated code besides its files: the Sigma field profile of its folders.</summary>
public sealed record PackOptions(string? SigmaProfile = null)
{
    /// <summary>The options as a string for the cache key and the manifest.</summary>
    public string Key => $"profile={SigmaProfile ?? ""}";
}

/// <summary>The outcome of <see cref="RulePackCompiler.Compile"/>: whether the assembly was written, its manifest, and C# errors if not.</summary>
public sealed record PackBuild(bool Success, PackManifest Manifest, IReadOnlyList<string> CompileErrors);

/// <summary>
/// What a pack says about itself: the RuleGen that built it, its options, how many rule files it was built from and
/// how many were left out for errors, and every diagnostic as a build prints it.
/// </summary>
public sealed record PackManifest(string RuleGenVersion, string Options, int RuleFiles, int RuleFilesLeftOut, IReadOnlyList<string> Diagnostics)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

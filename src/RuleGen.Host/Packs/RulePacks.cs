using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using RuleGen.Runtime;

namespace RuleGen.Host.Packs;

/// <summary>A rule pack loaded into the process: its rule set, its manifest, the assembly file, and whether it came from the cache.</summary>
public sealed record LoadedPack(IRuleSet RuleSet, PackManifest Manifest, string AssemblyPath, bool FromCache);

/// <summary>
/// Rule packs at run time: <c>rulegen scan --rules DIR</c> compiles the folders once and keeps the assembly in a cache
/// keyed by <see cref="RulePackCompiler.CacheKey"/>, so the next run with the same files, options and RuleGen loads it
/// at once; <c>rulegen compile DIR -o PACK</c> writes the assembly to a file and <c>rulegen scan --pack PACK</c> loads
/// it. A pack is loaded into its own <see cref="AssemblyLoadContext"/>; RuleGen.Runtime is the host's own.
/// </summary>
public static class RulePacks
{
    /// <summary>
    /// Where compiled packs are kept: <c>RULEGEN_CACHE</c> if set, else <c>$XDG_CACHE_HOME/rulegen/packs</c>, else
    /// <c>~/.cache/rulegen/packs</c> (on Windows, the local application data folder).
    /// </summary>
    public static string CacheDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("RULEGEN_CACHE") is { Length: > 0 } own) return Path.GetFullPath(own);
            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : OperatingSystem.IsWindows()
                    ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cache, "rulegen", "packs");
        }
    }

    /// <summary>
    /// The pack of <paramref name="folders"/>: from the cache when it holds one with this key, else compiled (and
    /// cached). Diagnostics go to <paramref name="stderr"/> as a build prints them. Null after reporting why not
    /// (<paramref name="exitCode"/> says which failure).
    /// </summary>
    public static LoadedPack? FromFolders(IReadOnlyList<string> folders, PackOptions options, TextWriter stderr, out int exitCode)
    {
        exitCode = ExitCodes.Success;
        if (!CheckFolders(folders, stderr, out exitCode)) return null;
        var files = RulePackCompiler.FilesOf(folders);
        var key = RulePackCompiler.CacheKey(files, options);
        var directory = CacheDirectory;
        var path = Path.Combine(directory, key[..32] + ".dll");
        if (File.Exists(path))
        {
            var cached = Load(path, stderr, out exitCode, fromCache: true);
            if (cached is not null)
            {
                foreach (var line in cached.Manifest.Diagnostics.Where(IsError)) stderr.WriteLine(line);
                return cached;
            }
            // A damaged cache entry is compiled again.
            stderr.WriteLine($"rulegen: note: compiling the rule pack again (the cached '{path}' could not be used).");
        }
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rulegen: the rule pack cache '{directory}' cannot be created ({ex.Message}); set RULEGEN_CACHE to a writable folder.");
            exitCode = ExitCodes.PackError;
            return null;
        }
        if (!CompileTo(files, options, path, "RuleGen.Pack." + key[..16], folders, stderr, out exitCode)) return null;
        return Load(path, stderr, out exitCode, fromCache: false);
    }

    /// <summary><c>rulegen compile</c>: compiles <paramref name="folders"/> into the pack file <paramref name="output"/>.</summary>
    public static int Compile(IReadOnlyList<string> folders, PackOptions options, string output, TextWriter stderr)
    {
        if (!CheckFolders(folders, stderr, out var exitCode)) return exitCode;
        if (Directory.Exists(output))
        {
            stderr.WriteLine($"rulegen: -o '{output}' is a directory; give the pack's file name (such as {Path.Combine(output, "rules.pack")}).");
            return ExitCodes.UsageError;
        }
        var files = RulePackCompiler.FilesOf(folders);
        var key = RulePackCompiler.CacheKey(files, options);
        var full = Path.GetFullPath(output);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rulegen: cannot write '{output}': {ex.Message}");
            return ExitCodes.InputOutputError;
        }
        return CompileTo(files, options, full, "RuleGen.Pack." + key[..16], folders, stderr, out exitCode) ? ExitCodes.Success : exitCode;
    }

    /// <summary><c>rulegen scan --pack PACK</c>: loads a pack made by <c>rulegen compile</c> (or the cache).</summary>
    public static LoadedPack? Load(string path, TextWriter stderr, out int exitCode, bool fromCache = false)
    {
        exitCode = ExitCodes.PackError;
        if (!File.Exists(path))
        {
            stderr.WriteLine(Directory.Exists(path)
                ? $"rulegen: --pack '{path}' is a directory; --pack takes a pack file made by `rulegen compile DIR -o PACK` (a folder of rule files is --rules DIR)."
                : $"rulegen: the rule pack '{path}' does not exist.");
            return null;
        }
        Assembly assembly;
        try
        {
            var context = new AssemblyLoadContext("rulegen-pack:" + Path.GetFileName(path));
            assembly = context.LoadFromAssemblyPath(Path.GetFullPath(path));
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException or FileLoadException)
        {
            stderr.WriteLine($"rulegen: '{path}' is not a rule pack ({ex.GetType().Name}: {ex.Message}).");
            return null;
        }
        PackManifest? manifest;
        using (var stream = assembly.GetManifestResourceStream(RulePackCompiler.ManifestResource))
        {
            try
            {
                manifest = stream is null ? null : JsonSerializer.Deserialize<PackManifest>(stream, PackManifest.JsonOptions);
            }
            catch (JsonException)
            {
                manifest = null;
            }
        }
        if (manifest is null)
        {
            stderr.WriteLine($"rulegen: '{path}' is a .NET assembly but not a rule pack (no {RulePackCompiler.ManifestResource}); make one with `rulegen compile DIR -o PACK`.");
            return null;
        }
        if (manifest.RuleGenVersion != RulePackCompiler.RuleGenVersion)
        {
            stderr.WriteLine($"rulegen: the rule pack '{path}' was compiled by RuleGen {manifest.RuleGenVersion}, and this is RuleGen {RulePackCompiler.RuleGenVersion}: " +
                "compile it again with this rulegen (`rulegen compile DIR -o PACK`).");
            return null;
        }
        var ruleSet = assembly.GetType(RulePackCompiler.Namespace + ".RuleSet")?.GetProperty("Instance")?.GetValue(null) as IRuleSet;
        if (ruleSet is null || (ruleSet.Rules.Count == 0 && manifest.RuleFilesLeftOut > 0))
        {
            stderr.WriteLine($"rulegen: the rule pack '{path}' holds no rule set: none of its {manifest.RuleFiles} rule files compiled (see its diagnostics).");
            foreach (var line in manifest.Diagnostics.Where(IsError)) stderr.WriteLine(line);
            return null;
        }
        exitCode = ExitCodes.Success;
        return new LoadedPack(ruleSet, manifest, path, fromCache);
    }

    /// <summary>Whether a formatted diagnostic is an error (<c>...: error RG0001: ...</c>).</summary>
    public static bool IsError(string diagnostic) => diagnostic.Contains(": error ", StringComparison.Ordinal);

    private static bool CheckFolders(IReadOnlyList<string> folders, TextWriter stderr, out int exitCode)
    {
        exitCode = ExitCodes.Success;
        foreach (var folder in folders)
        {
            if (Directory.Exists(folder)) continue;
            stderr.WriteLine(File.Exists(folder)
                ? $"rulegen: --rules '{folder}' is a file; --rules takes a folder of rule files (a compiled pack is --pack FILE)."
                : $"rulegen: the rule folder '{folder}' does not exist.");
            exitCode = ExitCodes.InputOutputError;
            return false;
        }
        return true;
    }

    private static bool CompileTo(IReadOnlyList<PackFile> files, PackOptions options, string path, string assemblyName, IReadOnlyList<string> folders,
        TextWriter stderr, out int exitCode)
    {
        var c = CultureInfo.InvariantCulture;
        var ruleFiles = files.Count(f => RuleGen.Generator.RuleGenGenerator.IsRuleFile(f.Path));
        stderr.WriteLine(string.Format(c, "rulegen: compiling the rule pack of {0} ({1:N0} rule files)...", string.Join(", ", folders.Select(f => $"'{f}'")), ruleFiles));
        var stopwatch = Stopwatch.StartNew();
        var temporary = path + "." + Environment.ProcessId.ToString(c) + ".tmp";
        PackBuild build;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                build = RulePackCompiler.Compile(files, options, assemblyName, stream);
            }
            foreach (var line in build.Manifest.Diagnostics) stderr.WriteLine(line);
            if (!build.Success)
            {
                // The generated code did not compile: a RuleGen bug, not the rule author's.
                foreach (var line in build.CompileErrors.Take(20)) stderr.WriteLine(line);
                stderr.WriteLine("rulegen: the rule pack's generated code did not compile (a RuleGen bug; please report it with the rule files named above).");
                File.Delete(temporary);
                exitCode = ExitCodes.PackError;
                return false;
            }
            // Whole or not at all: another rulegen never sees half a pack.
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"rulegen: cannot write the rule pack '{path}': {ex.Message}");
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            exitCode = ExitCodes.InputOutputError;
            return false;
        }
        var manifest = build.Manifest;
        var leftOut = manifest.RuleFilesLeftOut > 0 ? string.Format(c, "; {0:N0} with errors left out", manifest.RuleFilesLeftOut) : "";
        stderr.WriteLine(string.Format(c, "rulegen: compiled {0:N0} rule files{1} in {2:F1} s into '{3}'.", manifest.RuleFiles, leftOut, stopwatch.Elapsed.TotalSeconds, path));
        exitCode = ExitCodes.Success;
        return true;
    }
}

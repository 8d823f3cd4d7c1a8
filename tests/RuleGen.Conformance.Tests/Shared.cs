namespace RuleGen.Conformance.Tests;

/// <summary>The shared data folder beside the repository (../shared), which these tests read and never copy.</summary>
internal static class Shared
{
    /// <summary>Its full path, or null when it is absent.</summary>
    public static string? Folder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RuleGen.sln"))) dir = dir.Parent;
        if (dir is null) return null;
        var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
        return Directory.Exists(shared) ? shared : null;
    }
}

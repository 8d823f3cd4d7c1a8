namespace RuleGen.Tests.Infrastructure;

/// <summary>Paths of the repository and of ../shared beside it.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared beside the repository, or null when absent (tests that need it then skip with a message).</summary>
    public static string? Shared
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared"));
            return Directory.Exists(path) ? path : null;
        }
    }

    public const string SharedMissing = "../shared is absent beside the repository: this test needs its corpus or datasets.";

    public static string SeedRulePath => Path.Combine(Root, "rules", "elastic", "azure_full_network_packet_capture_detected.toml");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RuleGen.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("RuleGen.sln not found above " + AppContext.BaseDirectory);
    }
}

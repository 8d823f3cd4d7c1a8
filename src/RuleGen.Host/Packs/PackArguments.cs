namespace RuleGen.Host.Packs;

/// <summary>
/// The rule-pack options of <c>scan</c> and <c>rules</c> (<c>--rules DIR</c>, repeatable; <c>--pack PACK</c>;
/// <c>--sigma-profile P</c>), as the command line (<see cref="PackCommandLine"/>) gives them.
/// </summary>
public sealed record PackArguments(IReadOnlyList<string> RuleFolders, string? Pack, string? SigmaProfile)
{
    public bool Any => RuleFolders.Count > 0 || Pack is not null;

    /// <summary>The pack options given (values already checked to be non-empty); null after reporting a wrong combination.</summary>
    public static PackArguments? From(IReadOnlyList<string> folders, string? pack, string? profile, TextWriter stderr)
    {
        if (pack is not null && folders.Count > 0)
        {
            stderr.WriteLine("rulegen: --pack and --rules cannot be combined: a scan runs one pack (compile the folders together with `rulegen compile`).");
            return null;
        }
        if (pack is not null && profile is not null)
        {
            stderr.WriteLine("rulegen: --sigma-profile applies when compiling (--rules, rulegen compile); a --pack was compiled with its profile.");
            return null;
        }
        return new PackArguments(folders, pack, profile);
    }

    /// <summary>Loads the pack these options name (compiling folders through the cache). Null after reporting why not.</summary>
    public LoadedPack? Load(TextWriter stderr, out int exitCode) =>
        Pack is not null
            ? RulePacks.Load(Pack, stderr, out exitCode)
            : RulePacks.FromFolders(RuleFolders, new PackOptions(SigmaProfile), stderr, out exitCode);
}

namespace RuleGen.Host.Packs;

/// <summary>
/// The rule-pack options of <c>scan</c> and <c>rules</c> (<c>--rules DIR</c>, repeatable; <c>--pack PACK</c>;
/// <c>--sigma-profile P</c>), taken out of the command line before the command reads the rest.
/// </summary>
public sealed record PackArguments(IReadOnlyList<string> RuleFolders, string? Pack, string? SigmaProfile)
{
    public bool Any => RuleFolders.Count > 0 || Pack is not null;

    /// <summary>
    /// Splits <paramref name="args"/> into the pack options and the rest (null after reporting a wrong pack option).
    /// Both <c>--rules DIR</c> and <c>--rules=DIR</c> are read; nothing after <c>--</c> is.
    /// </summary>
    public static PackArguments? Extract(string[] args, TextWriter stderr, out string[] rest)
    {
        var folders = new List<string>();
        string? pack = null, profile = null;
        var remaining = new List<string>();
        rest = args;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                remaining.AddRange(args[i..]);
                break;
            }
            var name = arg.Split('=', 2)[0];
            if (name is not ("--rules" or "--pack" or "--sigma-profile"))
            {
                remaining.Add(arg);
                continue;
            }
            string value;
            if (arg.Length > name.Length) value = arg[(name.Length + 1)..];
            else if (i + 1 < args.Length) value = args[++i];
            else value = "";
            if (value.Length == 0)
            {
                stderr.WriteLine(name switch
                {
                    "--rules" => "rulegen: --rules needs a folder of rule files (Sigma .yml/.yaml, Elastic .toml).",
                    "--pack" => "rulegen: --pack needs a pack file made by `rulegen compile DIR -o PACK`.",
                    _ => "rulegen: --sigma-profile needs a Sigma field profile: flat or ecs.",
                });
                return null;
            }
            switch (name)
            {
                case "--rules":
                    folders.Add(value);
                    break;
                case "--pack" when pack is not null:
                    stderr.WriteLine("rulegen: --pack can be given once (compile several folders into one pack with `rulegen compile DIR DIR2 -o PACK`).");
                    return null;
                case "--pack":
                    pack = value;
                    break;
                default:
                    profile = value;
                    break;
            }
        }
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
        rest = remaining.ToArray();
        return new PackArguments(folders, pack, profile);
    }

    /// <summary>Loads the pack these options name (compiling folders through the cache). Null after reporting why not.</summary>
    public LoadedPack? Load(TextWriter stderr, out int exitCode) =>
        Pack is not null
            ? RulePacks.Load(Pack, stderr, out exitCode)
            : RulePacks.FromFolders(RuleFolders, new PackOptions(SigmaProfile), stderr, out exitCode);
}

using RuleGen.Generator;
using RuleGen.Generator.Emit;
using RuleGen.Generator.RuleFormats.Sigma;
namespace RuleGen.Tests.Sigma;
public sealed class TmpDump
{
    [Fact]
    public void Dump()
    {
        var root = "/work/shared/corpus/sigma/";
        var sizes = new List<(long, string)>();
        foreach (var file in Directory.GetFiles(root, "*.yml", SearchOption.AllDirectories))
        {
            var input = new RuleFileInput(file, file, File.ReadAllText(file), "flat");
            foreach (var model in RuleGenGenerator.ParseRules(input, SigmaConfig.Empty))
            {
                if (!model.IsCompiled) continue;
                var src = RuleEmitter.Emit(new RuleEmitInput(model, "R", "C", file));
                sizes.Add((src.Length, file));
                if (file.EndsWith("proc_creation_win_whoami_all_execution.yml")) File.WriteAllText("/tmp/whoami.g.cs", src);
            }
        }
        sizes.Sort();
        File.WriteAllLines("/tmp/sizes.txt", sizes.Select(s => s.Item1 + " " + s.Item2));
    }
}

using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.RuleFormats.Sigma;

/// <summary>Parses a Sigma rule file (YAML) into a <see cref="RuleModel"/>. Not implemented yet: every rule is skipped with RG0006.</summary>
public static class SigmaRuleParser
{
    public static RuleModel Parse(string path, string text, string profile)
    {
        var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.RuleTypeNotCompiled, SourceLocation.FileStart(path),
            System.IO.Path.GetFileName(path), "Sigma rules are not compiled yet");
        return new RuleModel(path, RuleFormat.Sigma, new RuleMetadata { Format = "sigma", Type = "sigma", Language = "sigma" }, null,
            EquatableArray.Create(diagnostic));
    }
}

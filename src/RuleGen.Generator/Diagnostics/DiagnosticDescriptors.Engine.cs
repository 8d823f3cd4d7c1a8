using Microsoft.CodeAnalysis;

namespace RuleGen.Generator.Diagnostics;

// RG04xx: rule-set planning and the engine.
public static partial class DiagnosticDescriptors
{
    internal const string RuleSets = "RuleGen.RuleSets";

    public static readonly DiagnosticDescriptor InvalidRuleSetName = new(
        "RG0401", "Invalid rule set name",
        "The rule set name '{0}' (RuleSet metadata of the rule folder) is not a C# identifier usable as a class name: use letters, digits and '_' (not 'Rules' or a keyword)",
        RuleSets, DiagnosticSeverity.Error, isEnabledByDefault: true);
}

using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace RuleGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic RuleGen reports about rule files. IDs are one series, grouped by area:
/// RG00xx rule files and KQL, RG01xx Elastic fidelity, RG02xx Sigma, RG03xx EQL, RG04xx rule-set planning.
/// Messages say what is wrong and what to change; locations point at the offending token in the rule file.
/// Each area keeps its descriptors in its own part (DiagnosticDescriptors.&lt;Area&gt;.cs); the registry below finds
/// them all.
/// </summary>
public static partial class DiagnosticDescriptors
{
    internal const string RuleFiles = "RuleGen.RuleFiles";
    internal const string Query = "RuleGen.Query";
    internal const string Lint = "RuleGen.Lint";

    public static readonly DiagnosticDescriptor InvalidToml = new(
        "RG0001", "Invalid TOML", "Invalid TOML: {0}",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingKey = new(
        "RG0002", "Missing required key", "The rule has no '{0}': add {1}",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor WrongKeyType = new(
        "RG0003", "Key has the wrong type", "'{0}' must be {1}, not {2}",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor KqlSyntax = new(
        "RG0004", "KQL syntax error", "KQL syntax error: {0}",
        Query, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownRuleType = new(
        "RG0005", "Unknown rule type", "Unknown rule type '{0}': use one of {1}",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor RuleTypeNotCompiled = new(
        "RG0006", "Rule not compiled", "Rule '{0}' is skipped: {1}",
        RuleFiles, DiagnosticSeverity.Info, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor QuotedWildcard = new(
        "RG0007", "Quoted KQL value contains '*'",
        "The quoted value \"{0}\" contains '*', which KQL matches literally inside quotes; remove the quotes (escaping spaces and specials with '\\') to make '*' a wildcard, or ignore this warning (NoWarn RG0007) if the '*' is meant literally",
        Lint, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedLanguage = new(
        "RG0008", "Unsupported query language", "Rule type '{0}' with language '{1}' is not supported: {2}",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InternalError = new(
        "RG0009", "RuleGen failed on a rule file",
        "RuleGen could not process this rule file ({0}); the other rules were compiled. Please report this with the file.",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateRuleId = new(
        "RG0010", "Duplicate rule id", "Rule id '{0}' is also used by {1}; give each rule its own id",
        RuleFiles, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateKey = new(
        "RG0011", "Duplicate key", "'{0}' is defined twice; remove one",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidValue = new(
        "RG0012", "Invalid value", "Invalid value for '{0}': {1}",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateListValue = new(
        "RG0013", "Value listed twice", "\"{0}\" appears twice in the same list; remove one or fix the value you meant",
        Lint, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoRuleFiles = new(
        "RG0016", "No rule files",
        "This project has no rule files, so RuleGen generates no rules: it compiles the *.toml (Elastic) and *.yml/*.yaml (Sigma) files under '{0}' (set the RuleGenRules property or RuleGenRuleFolder items to use other folders)",
        RuleFiles, DiagnosticSeverity.Info, isEnabledByDefault: true);

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new();

    static DiagnosticDescriptors()
    {
        foreach (var field in typeof(DiagnosticDescriptors).GetFields())
        {
            if (field.GetValue(null) is DiagnosticDescriptor descriptor) s_byId[descriptor.Id] = descriptor;
        }
    }

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;
}

using Microsoft.CodeAnalysis;

namespace RuleGen.Generator.Diagnostics;

// RG02xx: Sigma rules. Errors mean the rule is not compiled (it is invalid, or RuleGen cannot give it the meaning the
// specification does); warnings mean a valid rule was skipped, or runs with a risk, for a reason the user can fix;
// infos say what RuleGen does differently from a full match (correlations, filters, rules without a logsource condition).
public static partial class DiagnosticDescriptors
{
    internal const string Sigma = "RuleGen.Sigma";

    public static readonly DiagnosticDescriptor SigmaInvalidYaml = new(
        "RG0201", "Invalid YAML", "Invalid YAML: {0}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaMissingKey = new(
        "RG0202", "Missing Sigma key", "The Sigma rule has no '{0}': add {1}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaWrongType = new(
        "RG0203", "Sigma key has the wrong type", "'{0}' must be {1}, not {2}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaUnknownModifier = new(
        "RG0204", "Unknown Sigma modifier", "Unknown modifier '{0}' in '{1}': use one of {2}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaBadModifierChain = new(
        "RG0205", "Invalid Sigma modifier chain", "In '{0}': {1}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaConditionSyntax = new(
        "RG0206", "Sigma condition syntax error", "Condition syntax error: {0}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaMissingIdentifier = new(
        "RG0207", "Unknown search identifier", "The condition refers to '{0}', which the detection does not define{1}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaInvalidRegex = new(
        "RG0208", "Regular expression .NET cannot compile", "The regular expression '{0}' cannot be compiled by .NET: {1}; rewrite it within the Sigma regex subset",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaInvalidValue = new(
        "RG0209", "Invalid Sigma value", "Invalid value for '{0}': {1}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaAggregation = new(
        "RG0210", "Sigma aggregation not compiled",
        "Rule '{0}' is not compiled: its condition uses an aggregation ('| ...'), which Sigma 2 replaced with correlation rules; write a correlation rule instead",
        Sigma, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaCorrelation = new(
        "RG0211", "Sigma correlation rule runs in the host",
        "Correlation rule '{0}' ({1}) is not compiled into a matcher: correlations count or order the matches of other rules over time and run in the host",
        Sigma, DiagnosticSeverity.Info, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaPlaceholderMissing = new(
        "RG0212", "Sigma placeholder without values",
        "Rule '{0}' is not compiled: placeholder '%{1}%' has no values (the Sigma specification asks tools to reject such rules); list its values under 'placeholders:' in a RuleGenSigmaConfig file",
        Sigma, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaUnknownProfile = new(
        "RG0213", "Unknown Sigma profile", "Unknown Sigma field profile '{0}': use one of {1}, or define it in a RuleGenSigmaConfig file",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaNoGate = new(
        "RG0214", "No logsource condition for this profile",
        "Profile '{1}' has no condition for logsource ({0}): the rule matches any event its detection matches; add one under 'logsources:' in a RuleGenSigmaConfig file",
        Sigma, DiagnosticSeverity.Info, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaUnrecognisedLogsource = new(
        "RG0224", "Logsource this profile cannot recognise",
        "Profile '{1}' cannot recognise {0} on an event: the rule matches nothing in the full scope (MatchScope.DetectionOnly still judges its detection); map it under 'logsources:' or 'logsource_fields:' in a RuleGenSigmaConfig file",
        Sigma, DiagnosticSeverity.Info, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaInvalidConfig = new(
        "RG0216", "Invalid RuleGen Sigma configuration", "Invalid RuleGenSigmaConfig file: {0}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaUnsupported = new(
        "RG0217", "Unsupported Sigma construct", "{0}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaInvalidCorrelation = new(
        "RG0218", "Invalid Sigma correlation rule", "Invalid correlation rule: {0}",
        Sigma, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaCorrelationUnknownRule = new(
        "RG0219", "Correlation names a rule that is not in the rule set",
        "Correlation rule '{0}' is not compiled: it refers to '{1}', which is not the id or name of a compiled rule or correlation of rule set {2}; {3}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaCorrelationBadTimespan = new(
        "RG0220", "Invalid correlation timespan",
        "Correlation rule '{0}' is not compiled: timespan '{1}' is not a positive number followed by s, m, h or d (for example 90m)",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaCorrelationUnknownOperator = new(
        "RG0221", "Unknown correlation condition operator",
        "Correlation rule '{0}' is not compiled: unknown condition '{1}'; use gt, gte, lt, lte, eq or neq (with 'field' for value_count and the value_* metrics, and 'percentile' for value_percentile)",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaCorrelationUnsupportedType = new(
        "RG0222", "Correlation type not supported yet",
        "Correlation rule '{0}' is not compiled: type {1} is not supported yet (RuleGen runs event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile and value_median); the other rules are unaffected",
        Sigma, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaBacktrackingRegex = new(
        "RG0223", "Regular expression needs backtracking",
        "The regular expression '{0}' uses {1}, which only the backtracking engine runs: it is matched with a timeout (a match that runs out of time counts as no match and is counted for the rule) instead of in linear time; rewrite it without {2} to make it immune to slow inputs",
        Sigma, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    // RG0215 (filters not applied) is retired: filters are applied (RG0225, RG0226).

    public static readonly DiagnosticDescriptor SigmaInvalidFilter = new(
        "RG0225", "Invalid Sigma filter", "Invalid Sigma filter, not applied: {0}",
        Sigma, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SigmaFilterNamesNoRule = new(
        "RG0226", "Sigma filter applies to no rule",
        "Sigma filter '{0}' applies to no rule for '{1}': {2}",
        Sigma, DiagnosticSeverity.Warning, isEnabledByDefault: true);
}

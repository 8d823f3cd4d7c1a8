using Microsoft.CodeAnalysis;

namespace RuleGen.Generator.Diagnostics;

// RG01xx: Elastic fidelity (field types, Kibana filters, rule types), and the KQL lints this area adds (RG0014, RG0015).
public static partial class DiagnosticDescriptors
{
    internal const string FieldTypes = "RuleGen.FieldTypes";

    public static readonly DiagnosticDescriptor UnknownFieldType = new(
        "RG0100", "Field type unknown",
        "Field '{0}' has no known Elasticsearch type, so it is matched as keyword (exact, case-sensitive); if it is text, a number, an ip, a boolean or a date in your indices, declare it in a *.fieldtypes.tsv file or a RuleGenFieldType item",
        FieldTypes, DiagnosticSeverity.Info, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidFieldTypeDeclaration = new(
        "RG0101", "Invalid field-type declaration", "Invalid field-type declaration '{0}': {1}",
        FieldTypes, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ValueInvalidForFieldType = new(
        "RG0102", "Value does not fit the field's type",
        "'{0}' is not a valid {1} value for field '{2}' (type {3}); Elasticsearch rejects this query, so the rule would never match: {4}",
        Query, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor QueryInvalidForFieldType = new(
        "RG0103", "Query not possible on the field's type",
        "{0} on field '{1}' (type {2}) {3}",
        Query, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedFilter = new(
        "RG0104", "Kibana filter not supported",
        "This Kibana filter cannot be compiled: {0}; the rule is not compiled (rewrite the filter as part of the query)",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidRuleTypeSetting = new(
        "RG0105", "Invalid rule-type setting", "Invalid '{0}': {1}",
        RuleFiles, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidDateMath = new(
        "RG0106", "Invalid date", "'{0}' is not a date Elasticsearch accepts for field '{1}': {2}",
        Query, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnquotedQuestionMark = new(
        "RG0014", "'?' in an unquoted KQL value",
        "The value \"{0}\" contains '?', which KQL matches literally (only '*' is a wildcard); if one character was meant, use '*' or list the variants, or ignore this warning (NoWarn RG0014) if '?' is meant literally",
        Lint, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ImpossibleRange = new(
        "RG0015", "Range can never hold",
        "'{0}' must be {1} and {2} at once, which no single value is; the condition only holds when the field has several values; check the bounds",
        Lint, DiagnosticSeverity.Warning, isEnabledByDefault: true);
}

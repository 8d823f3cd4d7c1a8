using Microsoft.CodeAnalysis;

namespace RuleGen.Generator.Diagnostics;

// EQL (RG03xx): located at the offending token inside the query, in the rule file.
public static partial class DiagnosticDescriptors
{
    internal const string Eql = "RuleGen.Eql";

    public static readonly DiagnosticDescriptor EqlSyntax = new(
        "RG0300", "EQL syntax error", "EQL syntax error: {0}",
        Eql, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor EqlUnknownFunction = new(
        "RG0301", "Unknown EQL function", "Unknown EQL function '{0}': use one of {1}",
        Eql, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor EqlArgumentCount = new(
        "RG0302", "Wrong number of arguments", "'{0}' takes {1}, not {2}",
        Eql, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor EqlArgumentType = new(
        "RG0303", "Wrong argument type", "{0}",
        Eql, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor EqlUnsupportedPipe = new(
        "RG0304", "EQL pipe not supported",
        "The pipe '| {0}' is not supported: {1}",
        Eql, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor EqlUnsupported = new(
        "RG0305", "EQL construct not supported", "{0}",
        Eql, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor EqlInvalidSequence = new(
        "RG0306", "Invalid EQL sequence or sample", "{0}",
        Eql, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor EqlInvalidRegex = new(
        "RG0307", "Unsupported regular expression",
        "The regular expression \"{0}\" cannot be compiled: {1}",
        Eql, DiagnosticSeverity.Error, isEnabledByDefault: true);
}

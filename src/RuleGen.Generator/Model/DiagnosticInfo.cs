using Microsoft.CodeAnalysis;
using RuleGen.Generator.Diagnostics;

namespace RuleGen.Generator.Model;

/// <summary>
/// A diagnostic kept as data (descriptor id, location, message arguments) so that models carrying it stay
/// equatable; see <see cref="DiagnosticDescriptors"/> for the descriptors.
/// </summary>
public sealed record DiagnosticInfo(string Id, SourceLocation Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceLocation location, params string[] arguments) =>
        new(descriptor.Id, location, EquatableArray.Create(arguments));

    public DiagnosticSeverity Severity => DiagnosticDescriptors.ById(Id).DefaultSeverity;

    public bool IsError => Severity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(DiagnosticDescriptors.ById(Id), Location.ToLocation(), Arguments.AsImmutableArray().ToArray<object>());

    /// <summary>The message as the compiler would print it, for tests and tools.</summary>
    public string Message => string.Format(DiagnosticDescriptors.ById(Id).MessageFormat.ToString(), Arguments.AsImmutableArray().ToArray<object>());
}

internal static class ImmutableArrayExtensions
{
    public static TTarget[] ToArray<TTarget>(this System.Collections.Immutable.ImmutableArray<string> items)
    {
        var result = new TTarget[items.Length];
        for (var i = 0; i < items.Length; i++) result[i] = (TTarget)(object)items[i];
        return result;
    }
}

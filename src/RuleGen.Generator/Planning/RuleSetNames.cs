using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Planning;

/// <summary>
/// Named rule sets: a rule folder's <c>RuleSet</c> metadata (MSBuild item metadata <c>RuleGenRuleSet</c> on its
/// files) puts its rules into the rule sets it names, each generated as its own class implementing <c>IRuleSet</c>
/// with its own schema and index. Files that name none belong to the default set, <see cref="Default"/>.
/// </summary>
public static class RuleSetNames
{
    /// <summary>The class of the rules whose folders name no rule set.</summary>
    public const string Default = "RuleSet";

    /// <summary>The names in a metadata value (separated by <c>;</c> or <c>,</c>), trimmed, distinct, in order.</summary>
    public static EquatableArray<string> Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return EquatableArray<string>.Empty;
        return value!.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToEquatableArray();
    }

    /// <summary>A name usable as a generated class beside <c>Rules</c>.</summary>
    public static bool IsValid(string name) =>
        SyntaxFacts.IsValidIdentifier(name) && name != "Rules"
        && SyntaxFacts.GetKeywordKind(name) == Microsoft.CodeAnalysis.CSharp.SyntaxKind.None
        && SyntaxFacts.GetContextualKeywordKind(name) == Microsoft.CodeAnalysis.CSharp.SyntaxKind.None;

    /// <summary>The valid set names of a rule; the default set when it names no valid one.</summary>
    public static IEnumerable<string> Of(RuleModel rule)
    {
        var any = false;
        foreach (var name in rule.RuleSets)
        {
            if (!IsValid(name)) continue;
            any = true;
            yield return name;
        }
        if (!any) yield return Default;
    }
}

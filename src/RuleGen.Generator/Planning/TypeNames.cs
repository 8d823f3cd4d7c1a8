using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RuleGen.Generator.Planning;

/// <summary>
/// C# type names for rules, made from their names: stable (the same rule keeps its name when others are added, unless
/// they share its name), valid identifiers, and collision-free within a compilation.
/// </summary>
public static class TypeNames
{
    /// <summary>PascalCase identifier from free text: "Azure Full Network Packet-Capture" -> AzureFullNetworkPacketCapture.</summary>
    public static string FromText(string text)
    {
        var sb = new StringBuilder();
        var upperNext = true;
        foreach (var c in text)
        {
            if (c < 128 && char.IsLetterOrDigit(c))
            {
                sb.Append(upperNext ? char.ToUpperInvariant(c) : c);
                upperNext = false;
            }
            else
            {
                upperNext = true;
            }
        }
        if (sb.Length == 0) sb.Append("Rule");
        if (char.IsDigit(sb[0])) sb.Insert(0, "Rule");
        // Keep names readable: very long rule names are cut to 80 characters (Assign resolves any collision this makes).
        if (sb.Length > 80) sb.Length = 80;
        return sb.ToString();
    }

    /// <summary>
    /// Assigns a unique name to each rule, given (display name, rule id, source path) in a stable order. Rules that
    /// share a name get a suffix from their id (or, failing that, a running number in path order).
    /// </summary>
    public static IReadOnlyList<string> Assign(IReadOnlyList<(string Name, string Id, string Path)> rules, ISet<string> reserved)
    {
        var baseNames = rules.Select(r => FromText(r.Name.Length > 0 ? r.Name : System.IO.Path.GetFileNameWithoutExtension(r.Path))).ToArray();
        // Names that differ only in case collide too: generated file names (hint names) compare case-insensitively.
        var counts = baseNames.GroupBy(n => n, System.StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), System.StringComparer.OrdinalIgnoreCase);
        var result = new string[rules.Count];
        var used = new HashSet<string>(reserved, System.StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < rules.Count; i++)
        {
            var name = baseNames[i];
            if (counts[name] > 1 || reserved.Any(r => string.Equals(r, name, System.StringComparison.OrdinalIgnoreCase)))
            {
                var idPart = new string(rules[i].Id.Where(c => c < 128 && char.IsLetterOrDigit(c)).Take(8).ToArray());
                name = idPart.Length > 0 ? name + "_" + idPart : name + "_";
            }
            var candidate = name;
            var n = 2;
            while (!used.Add(candidate)) candidate = name + "_" + n++;
            result[i] = candidate;
        }
        return result;
    }
}

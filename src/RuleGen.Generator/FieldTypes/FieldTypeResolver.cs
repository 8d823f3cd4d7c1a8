using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.FieldTypes;

/// <summary>Where a field's type came from.</summary>
public enum FieldTypeOrigin
{
    /// <summary>The generator's own table (ECS and the non-ECS fields of Elastic's rules).</summary>
    BuiltIn,

    /// <summary>A user declaration (*.fieldtypes.tsv or RuleGenFieldTypes).</summary>
    Declared,

    /// <summary>A <c>.caseless</c> sub-field: keyword with the lowercase normalizer, by Elastic's endpoint mapping convention.</summary>
    Caseless,

    /// <summary>A key under a <c>flattened</c> field: keyword.</summary>
    FlattenedLeaf,

    /// <summary>
    /// Not known anywhere, and the project chose dynamic mapping for undeclared fields
    /// (<c>RuleGenUndeclaredFields=dynamic</c>): text with a <c>.keyword</c> multi-field.
    /// </summary>
    DynamicMapping,

    /// <summary>Not known anywhere: matched as keyword.</summary>
    Unknown,
}

/// <summary>
/// A field of a rule with its type resolved: <see cref="Path"/> is where its values are in the event's
/// <c>_source</c> (a multi-field such as <c>process.command_line.text</c> or <c>process.name.caseless</c> reads its
/// parent's value, since Elasticsearch indexes multi-fields from the parent's value).
/// </summary>
public sealed record ResolvedField(string Field, string Path, FieldType Type, FieldTypeOrigin Origin)
{
    public bool IsKnown => Origin != FieldTypeOrigin.Unknown;
}

/// <summary>The user's field-type declarations (with the problems found in them), an input of every rule's lowering.</summary>
/// <param name="DynamicStrings">
/// Undeclared fields are typed as Elasticsearch's dynamic mapping types a string (text with a <c>.keyword</c>
/// multi-field) instead of keyword: the <c>RuleGenUndeclaredFields=dynamic</c> MSBuild property.
/// </param>
public sealed record FieldTypeOverrides(EquatableArray<FieldTypeDeclaration> Declarations, EquatableArray<DiagnosticInfo> Diagnostics, bool DynamicStrings = false)
{
    public static readonly FieldTypeOverrides None = new(EquatableArray<FieldTypeDeclaration>.Empty, EquatableArray<DiagnosticInfo>.Empty);

    /// <summary>Whether anything differs from the built-in table alone.</summary>
    public bool IsNone => Declarations.Count == 0 && !DynamicStrings;

    /// <summary>The value of the <c>RuleGenUndeclaredFields</c> property that selects <see cref="DynamicStrings"/>.</summary>
    public const string DynamicStringsOption = "dynamic";

    /// <summary>The file name suffix of declaration files (<c>rulegen.fieldtypes.tsv</c>, <c>cloud.fieldtypes.tsv</c>).</summary>
    public const string FileSuffix = ".fieldtypes.tsv";

    /// <summary>What the RuleGenFieldTypes MSBuild property is called in diagnostics.</summary>
    public const string PropertySource = "RuleGenFieldTypes (MSBuild)";

    public static bool IsDeclarationFile(string path) => path.EndsWith(FileSuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads declaration files (sorted by path; a later declaration of a field wins) and then the
    /// <c>RuleGenFieldTypes</c> property (declarations separated by ';' in MSBuild, which reach the generator separated by ',' and win over files). Each declaration is
    /// <c>field type [lowercase]</c>, separated by tabs or spaces; <c>#</c> starts a comment.
    /// </summary>
    public static FieldTypeOverrides Parse(IEnumerable<(string Path, string Text)> files, string? property, bool dynamicStrings = false)
    {
        var declarations = new Dictionary<string, FieldTypeDeclaration>(StringComparer.Ordinal);
        var diagnostics = new List<DiagnosticInfo>();
        foreach (var (path, text) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var lines = new LineMap(path, text);
            var offset = 0;
            foreach (var rawLine in text.Split('\n'))
            {
                ParseLine(rawLine.TrimEnd('\r'), offset, length => lines.Location(offset, length), declarations, diagnostics);
                offset += rawLine.Length + 1;
            }
        }
        if (!string.IsNullOrWhiteSpace(property))
        {
            foreach (var entry in property!.Split(',', ';'))
            {
                ParseLine(entry, 0, _ => SourceLocation.FileStart(PropertySource), declarations, diagnostics);
            }
        }
        return new FieldTypeOverrides(
            declarations.Values.OrderBy(d => d.Field, StringComparer.Ordinal).ToEquatableArray(),
            diagnostics.ToEquatableArray(),
            dynamicStrings);
    }

    private static void ParseLine(string line, int offset, Func<int, SourceLocation> locate,
        Dictionary<string, FieldTypeDeclaration> declarations, List<DiagnosticInfo> diagnostics)
    {
        var hash = line.IndexOf('#');
        var content = hash >= 0 ? line.Substring(0, hash) : line;
        var words = content.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return;
        var length = content.TrimEnd().Length;
        if (words.Length < 2 || words.Length > 4)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFieldTypeDeclaration, locate(length), content.Trim(),
                "write 'field<TAB>type', 'field<TAB>keyword<TAB>lowercase' or 'field<TAB>text<TAB>keyword=field.keyword'"));
            return;
        }
        if (!FieldType.IsKnownName(words[1]))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFieldTypeDeclaration, locate(length), content.Trim(),
                $"'{words[1]}' is not an Elasticsearch field type RuleGen knows; use one of {string.Join(", ", FieldType.KnownNames)}"));
            return;
        }
        var lowercase = false;
        string? keyword = null;
        for (var i = 2; i < words.Length; i++)
        {
            if (words[i] is "lowercase" or "normalizer=lowercase")
            {
                lowercase = true;
            }
            else if (words[i].StartsWith("keyword=", StringComparison.Ordinal))
            {
                // An empty value is what an MSBuild item without Keyword metadata passes.
                var name = words[i].Substring("keyword=".Length);
                if (name.Length == 0) continue;
                if (FieldType.IsKnownName(words[1]) && new FieldType(words[1]).Family != FieldFamily.Text)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFieldTypeDeclaration, locate(length), content.Trim(),
                        $"only a text field has a keyword multi-field; '{words[0]}' is declared '{words[1]}'"));
                    return;
                }
                if (!name.StartsWith(words[0] + ".", StringComparison.Ordinal) || name.Length == words[0].Length + 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFieldTypeDeclaration, locate(length), content.Trim(),
                        $"a multi-field is named under its field: write keyword={words[0]}.keyword, not keyword={name}"));
                    return;
                }
                keyword = name;
            }
            else
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFieldTypeDeclaration, locate(length), content.Trim(),
                    $"after the type only 'lowercase' (the lowercase normalizer) or 'keyword=<field>.keyword' (a text field's keyword multi-field) may follow, not '{words[i]}'"));
                return;
            }
        }
        declarations[words[0]] = new FieldTypeDeclaration(words[0], new FieldType(words[1], lowercase, keyword));
    }
}

/// <summary>
/// Resolves the fields of rules to their Elasticsearch types: user declarations first, then the built-in table
/// (Data/elastic-field-types.tsv), then two mapping conventions (<c>.caseless</c> sub-fields and keys under a
/// <c>flattened</c> field); anything else is unknown and matched as keyword.
/// </summary>
public sealed class FieldTypeResolver
{
    private static readonly Lazy<Dictionary<string, FieldType>> s_builtIn = new(LoadBuiltIn);

    private readonly Dictionary<string, FieldType> _declared;
    private readonly Dictionary<string, ResolvedField> _cache = new(StringComparer.Ordinal);

    private readonly bool _dynamicStrings;

    public FieldTypeResolver(FieldTypeOverrides overrides)
    {
        _declared = overrides.Declarations.ToDictionary(d => d.Field, d => d.Type, StringComparer.Ordinal);
        // A declared keyword multi-field is a keyword field of its own name (an explicit declaration of it wins).
        foreach (var declaration in overrides.Declarations)
        {
            if (declaration.Type.KeywordField is { } keyword && !_declared.ContainsKey(keyword)) _declared[keyword] = FieldType.Keyword;
        }
        _dynamicStrings = overrides.DynamicStrings;
    }

    public static FieldTypeResolver BuiltInOnly { get; } = new(FieldTypeOverrides.None);

    /// <summary>How many fields the built-in table knows.</summary>
    public static int BuiltInCount => s_builtIn.Value.Count;

    public ResolvedField Resolve(string field)
    {
        if (_cache.TryGetValue(field, out var cached)) return cached;
        var resolved = ResolveUncached(field);
        _cache[field] = resolved;
        return resolved;
    }

    private (FieldType Type, FieldTypeOrigin Origin)? Lookup(string field)
    {
        if (_declared.TryGetValue(field, out var declared)) return (declared, FieldTypeOrigin.Declared);
        if (s_builtIn.Value.TryGetValue(field, out var builtIn)) return (builtIn, FieldTypeOrigin.BuiltIn);
        return null;
    }

    private ResolvedField ResolveUncached(string field)
    {
        if (field.IndexOf('*') >= 0) return ResolvePattern(field);
        var parent = field.LastIndexOf('.') is var dot and > 0 ? field.Substring(0, dot) : null;
        if (Lookup(field) is { } found)
        {
            // A sub-field of a leaf field is a multi-field: Elasticsearch indexes it from the parent's value.
            var path = parent is not null && Lookup(parent) is { Type.IsLeaf: true } ? parent : field;
            return new ResolvedField(field, path, found.Type, found.Origin);
        }
        if (parent is not null && field.EndsWith(".caseless", StringComparison.Ordinal))
        {
            return new ResolvedField(field, parent, new FieldType("keyword", Lowercase: true), FieldTypeOrigin.Caseless);
        }
        for (var prefix = parent; prefix is not null; prefix = prefix.LastIndexOf('.') is var d and > 0 ? prefix.Substring(0, d) : null)
        {
            if (Lookup(prefix) is { Type.Family: FieldFamily.Flattened }) return new ResolvedField(field, field, FieldType.Keyword, FieldTypeOrigin.FlattenedLeaf);
        }
        if (_dynamicStrings)
        {
            // Dynamic mapping: "x.keyword" of an undeclared x is x's keyword multi-field (x's value); anything
            // else is text with a .keyword multi-field.
            if (parent is not null && field.EndsWith(".keyword", StringComparison.Ordinal) && Lookup(parent) is null)
                return new ResolvedField(field, parent, FieldType.Keyword, FieldTypeOrigin.DynamicMapping);
            return new ResolvedField(field, field, FieldType.DynamicString(field), FieldTypeOrigin.DynamicMapping);
        }
        return new ResolvedField(field, field, FieldType.Keyword, FieldTypeOrigin.Unknown);
    }

    /// <summary>A field-name pattern (<c>file.hash.*</c>) has a type when every known field it matches has the same one.</summary>
    private ResolvedField ResolvePattern(string pattern)
    {
        var types = new HashSet<FieldType>();
        var origin = FieldTypeOrigin.BuiltIn;
        // Split once: the pattern is the rule author's (a fuzzed one was 1.6 MB), the names are thousands.
        var parts = pattern.Split('*');
        var literalLength = pattern.Length - (parts.Length - 1);
        foreach (var name in _declared.Keys.Concat(s_builtIn.Value.Keys))
        {
            if (name.Length < literalLength || !MatchesPattern(parts, name)) continue;
            var found = Lookup(name)!.Value;
            if (found.Type.Family is FieldFamily.Object) continue;
            types.Add(found.Type);
            if (found.Origin == FieldTypeOrigin.Declared) origin = FieldTypeOrigin.Declared;
        }
        return types.Count == 1
            ? new ResolvedField(pattern, pattern, types.First(), origin)
            : new ResolvedField(pattern, pattern, FieldType.Keyword, FieldTypeOrigin.Unknown);
    }

    /// <summary>Whether <paramref name="name"/> matches the pattern whose text between its <c>*</c>s is <paramref name="parts"/>.</summary>
    private static bool MatchesPattern(string[] parts, string name)
    {
        if (!name.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var hit = name.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (hit < 0) return false;
            at = hit + parts[i].Length;
        }
        var last = parts[parts.Length - 1];
        return name.Length - at >= last.Length && name.EndsWith(last, StringComparison.Ordinal);
    }

    private static Dictionary<string, FieldType> LoadBuiltIn()
    {
        var table = new Dictionary<string, FieldType>(StringComparer.Ordinal);
        using var stream = typeof(FieldTypeResolver).Assembly.GetManifestResourceStream("RuleGen.Data.elastic-field-types.tsv")
            ?? throw new InvalidOperationException("The generator's field-type table (Data/elastic-field-types.tsv) is not embedded.");
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var tab = line.IndexOf('\t');
            if (tab <= 0) continue;
            var type = line.Substring(tab + 1).Trim();
            if (!table.ContainsKey(line.Substring(0, tab))) table[line.Substring(0, tab)] = new FieldType(type);
        }
        return table;
    }
}

using System;
using System.Collections.Generic;

namespace RuleGen.Generator.FieldTypes;

/// <summary>How a field type matches values, grouping Elasticsearch's field types by their query semantics.</summary>
public enum FieldFamily
{
    /// <summary>keyword, constant_keyword, wildcard, version (and unknown fields): exact, case-sensitive text.</summary>
    Keyword,

    /// <summary>text, match_only_text: analysed by the standard analyzer.</summary>
    Text,

    /// <summary>ip: addresses, CIDR ranges.</summary>
    Ip,

    /// <summary>long, integer, short, byte, unsigned_long, double, float, half_float, scaled_float.</summary>
    Number,

    /// <summary>boolean.</summary>
    Boolean,

    /// <summary>date, date_nanos.</summary>
    Date,

    /// <summary>flattened: every leaf value under the field is a keyword.</summary>
    Flattened,

    /// <summary>object, nested: no value of their own (their sub-fields have).</summary>
    Object,

    /// <summary>Types RuleGen does not match values of (geo_point, binary, ...): only <c>f:*</c> works.</summary>
    Unsupported,
}

/// <summary>
/// An Elasticsearch field type as a rule's query sees it: the mapping type name, whether a <c>lowercase</c>
/// normalizer applies (the <c>.caseless</c> multi-fields of Elastic's endpoint mappings), and for a text field the
/// name of its <c>keyword</c> multi-field (<c>file_name.keyword</c>, what dynamic mapping adds to every string), which
/// EQL compares through as Elasticsearch does.
/// </summary>
public sealed record FieldType(string Name, bool Lowercase = false, string? KeywordField = null)
{
    public static readonly FieldType Keyword = new("keyword");

    /// <summary>What Elasticsearch's dynamic mapping makes of a string: text with a <c>.keyword</c> multi-field.</summary>
    public static FieldType DynamicString(string field) => new("text", KeywordField: field + ".keyword");

    private static readonly Dictionary<string, FieldFamily> s_families = new(StringComparer.Ordinal)
    {
        ["keyword"] = FieldFamily.Keyword,
        ["constant_keyword"] = FieldFamily.Keyword,
        ["wildcard"] = FieldFamily.Keyword,
        ["version"] = FieldFamily.Keyword,
        ["text"] = FieldFamily.Text,
        ["match_only_text"] = FieldFamily.Text,
        ["ip"] = FieldFamily.Ip,
        ["long"] = FieldFamily.Number,
        ["integer"] = FieldFamily.Number,
        ["short"] = FieldFamily.Number,
        ["byte"] = FieldFamily.Number,
        ["unsigned_long"] = FieldFamily.Number,
        ["double"] = FieldFamily.Number,
        ["float"] = FieldFamily.Number,
        ["half_float"] = FieldFamily.Number,
        ["scaled_float"] = FieldFamily.Number,
        ["boolean"] = FieldFamily.Boolean,
        ["date"] = FieldFamily.Date,
        ["date_nanos"] = FieldFamily.Date,
        ["flattened"] = FieldFamily.Flattened,
        ["object"] = FieldFamily.Object,
        ["nested"] = FieldFamily.Object,
        ["geo_point"] = FieldFamily.Unsupported,
        ["geo_shape"] = FieldFamily.Unsupported,
        ["binary"] = FieldFamily.Unsupported,
        ["histogram"] = FieldFamily.Unsupported,
        ["dense_vector"] = FieldFamily.Unsupported,
        ["sparse_vector"] = FieldFamily.Unsupported,
    };

    /// <summary>The type names a declaration may use.</summary>
    public static IEnumerable<string> KnownNames => s_families.Keys;

    public static bool IsKnownName(string name) => s_families.ContainsKey(name);

    public FieldFamily Family => s_families.TryGetValue(Name, out var family) ? family : FieldFamily.Unsupported;

    /// <summary>A leaf field holds values itself (object, nested and flattened roots hold sub-fields).</summary>
    public bool IsLeaf => Family is not (FieldFamily.Object or FieldFamily.Flattened);

    public override string ToString() =>
        (Lowercase ? Name + " (lowercase normalizer)" : Name) + (KeywordField is null ? "" : " with keyword multi-field " + KeywordField);
}

/// <summary>One user declaration: field name and type (from a *.fieldtypes.tsv file or the RuleGenFieldTypes property).</summary>
public sealed record FieldTypeDeclaration(string Field, FieldType Type);

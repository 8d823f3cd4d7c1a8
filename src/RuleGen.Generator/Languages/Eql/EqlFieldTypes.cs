using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Languages.Eql;

/// <summary>What EQL needs to know about a field's Elasticsearch type: how its values compare and coerce.</summary>
public enum EqlFieldType
{
    /// <summary>Not in the type table: read like keyword (text), numbers compared numerically.</summary>
    Unknown,
    Keyword,
    Integer,
    Float,
    Boolean,
    Ip,
    Date,
    /// <summary>text and match_only_text: analysed fields, which Elasticsearch EQL does not search.</summary>
    Text,
    /// <summary>object, nested, flattened, geo_point: no scalar value of their own.</summary>
    Other,
}

/// <summary>Where EQL lowering looks up field types.</summary>
public interface IEqlFieldTypes
{
    EqlFieldType TypeOf(string field);
}

/// <summary>
/// The field types the generator carries (<c>Data/elastic-field-types.tsv</c>: ECS and the non-ECS fields of
/// Elastic's rules), read once from the embedded resource.
/// </summary>
public sealed class EmbeddedEqlFieldTypes : IEqlFieldTypes
{
    public static EmbeddedEqlFieldTypes Instance { get; } = new();

    private static readonly Lazy<Dictionary<string, string>> s_types = new(Load);

    public EqlFieldType TypeOf(string field) =>
        s_types.Value.TryGetValue(field, out var type) ? Classify(type) : EqlFieldType.Unknown;

    /// <summary>Maps an Elasticsearch mapping type name to what EQL does with it.</summary>
    public static EqlFieldType Classify(string type) => type switch
    {
        "keyword" or "constant_keyword" or "wildcard" or "version" => EqlFieldType.Keyword,
        "long" or "integer" or "short" or "byte" or "unsigned_long" => EqlFieldType.Integer,
        "double" or "float" or "half_float" or "scaled_float" => EqlFieldType.Float,
        "boolean" => EqlFieldType.Boolean,
        "ip" => EqlFieldType.Ip,
        "date" or "date_nanos" => EqlFieldType.Date,
        "text" or "match_only_text" => EqlFieldType.Text,
        _ => EqlFieldType.Other,
    };

    private static Dictionary<string, string> Load()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var stream = typeof(EmbeddedEqlFieldTypes).Assembly.GetManifestResourceStream("RuleGen.Data.elastic-field-types.tsv");
        if (stream is null) return result;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var tab = line.IndexOf('\t');
            if (tab <= 0) continue;
            var end = line.IndexOf('\t', tab + 1);
            result[line.Substring(0, tab)] = (end < 0 ? line.Substring(tab + 1) : line.Substring(tab + 1, end - tab - 1)).Trim();
        }
        return result;
    }
}

/// <summary>How field types become expression value kinds.</summary>
internal static class EqlFieldTypeExtensions
{
    public static FieldValueKind ValueKind(this EqlFieldType type) => type switch
    {
        EqlFieldType.Integer => FieldValueKind.Integer,
        EqlFieldType.Float => FieldValueKind.Float,
        EqlFieldType.Boolean => FieldValueKind.Boolean,
        EqlFieldType.Ip => FieldValueKind.Ip,
        _ => FieldValueKind.Keyword,
    };

    public static ScalarType StaticType(this EqlFieldType type) => type switch
    {
        EqlFieldType.Integer => ScalarType.Integer,
        EqlFieldType.Float => ScalarType.Float,
        EqlFieldType.Boolean => ScalarType.Boolean,
        _ => ScalarType.String,
    };

    public static bool IsStringLike(this EqlFieldType type) =>
        type is EqlFieldType.Keyword or EqlFieldType.Unknown or EqlFieldType.Date or EqlFieldType.Other;
}

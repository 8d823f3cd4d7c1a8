using RuleGen.Generator.FieldTypes;
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

    /// <summary>Where the field's values are in the event (a multi-field such as <c>file_name.keyword</c> reads its parent's).</summary>
    string PathOf(string field);
}

/// <summary>
/// EQL's view of the generator's one field-type home, <see cref="FieldTypeResolver"/>: the built-in table
/// (<c>Data/elastic-field-types.tsv</c>: ECS and the non-ECS fields of Elastic's rules) and the user's declarations
/// (*.fieldtypes.tsv, RuleGenFieldTypes). Fields typed only by a naming convention (<c>.caseless</c>, keys under a
/// flattened field) or not at all stay <see cref="EqlFieldType.Unknown"/>, which EQL reads like keyword.
/// </summary>
public sealed class ResolvedEqlFieldTypes : IEqlFieldTypes
{
    private readonly FieldTypeResolver _resolver;

    public ResolvedEqlFieldTypes(FieldTypeResolver resolver) => _resolver = resolver;

    /// <summary>The built-in table alone.</summary>
    public static ResolvedEqlFieldTypes BuiltIn { get; } = new(FieldTypeResolver.BuiltInOnly);

    /// <summary>
    /// The field's EQL type. A text field with a keyword multi-field compares as keyword: Elasticsearch's EQL runs
    /// term, wildcard and range queries on a text field's exact (keyword) multi-field. An undeclared field under
    /// dynamic mapping stays <see cref="EqlFieldType.Unknown"/> (text compared through .keyword, numbers as numbers).
    /// </summary>
    public EqlFieldType TypeOf(string field) =>
        _resolver.Resolve(field) is { Origin: FieldTypeOrigin.BuiltIn or FieldTypeOrigin.Declared } resolved
            ? resolved.Type.KeywordField is not null && resolved.Type.Family == FieldFamily.Text ? EqlFieldType.Keyword : Classify(resolved.Type.Name)
            : EqlFieldType.Unknown;

    public string PathOf(string field) =>
        _resolver.Resolve(field) is { Origin: FieldTypeOrigin.Declared or FieldTypeOrigin.DynamicMapping } resolved ? resolved.Path : field;

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

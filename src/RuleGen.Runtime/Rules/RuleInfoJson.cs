using System.Text.Json;
using System.Text.Json.Serialization;

namespace RuleGen.Runtime;

/// <summary>
/// A rule's metadata as generated code carries it: UTF-8 JSON data (in a <see cref="RuleMetadataStore"/>), decoded into a
/// <see cref="RuleInfo"/> on first use.
/// </summary>
/// <remarks>
/// Object initialisers for 3,756 Sigma rules were 11.5 MB of C# and one large type initialiser per rule, which the
/// compiler had to compile and the JIT to run, before the first event, for metadata the hot path never reads. As
/// data, the compiler stores the bytes and a rule pays for its metadata when something asks for it. The JSON's
/// names are <see cref="RuleInfo"/>'s in camelCase; <see cref="RuleInfo.FileMetadata"/> and
/// <see cref="RuleInfo.Properties"/> hold JSON values as they are, read back as their text.
/// </remarks>
public static class RuleInfoJson
{
    /// <summary>Decodes the generator's JSON for one rule.</summary>
    /// <exception cref="JsonException">The bytes are not such JSON.</exception>
    public static RuleInfo Read(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, RuleInfoJsonContext.Default.RuleInfo)
        ?? throw new JsonException("A rule's metadata is null.");
}

/// <summary>Reads a JSON object whose values are any JSON, keeping each value's text (the metadata maps).</summary>
internal sealed class JsonTextMapConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("Expected an object of JSON values.");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            using var value = JsonDocument.ParseValue(ref reader);
            map[key] = value.RootElement.GetRawText();
        }
        return map;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, json) in value)
        {
            writer.WritePropertyName(key);
            writer.WriteRawValue(json);
        }
        writer.WriteEndObject();
    }
}

/// <summary>
/// Alert suppression as the generator writes it: the duration as Kibana states it (<c>durationValue</c>,
/// <c>durationUnit</c>), turned into a <see cref="TimeSpan"/> here by <see cref="ElasticDuration"/>, its one home.
/// </summary>
internal sealed class AlertSuppressionConverter : JsonConverter<AlertSuppressionSettings>
{
    public override AlertSuppressionSettings Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("Expected alert suppression settings.");
        IReadOnlyList<string> groupBy = Array.Empty<string>();
        long? durationValue = null;
        string? durationUnit = null, missing = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "groupBy": groupBy = JsonSerializer.Deserialize(ref reader, RuleInfoJsonContext.Default.IReadOnlyListString) ?? Array.Empty<string>(); break;
                case "durationValue": durationValue = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64(); break;
                case "durationUnit": durationUnit = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                case "missingFieldsStrategy": missing = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        var duration = durationValue is { } value ? ElasticDuration.From(value, durationUnit) : null;
        return new AlertSuppressionSettings(groupBy, duration, missing);
    }

    public override void Write(Utf8JsonWriter writer, AlertSuppressionSettings value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Alert suppression settings are written by the generator.");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = new[] { typeof(JsonTextMapConverter), typeof(AlertSuppressionConverter) })]
[JsonSerializable(typeof(RuleInfo))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class RuleInfoJsonContext : JsonSerializerContext
{
}

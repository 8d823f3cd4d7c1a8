using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RuleGen.Host.Detection;

/// <summary>
/// One simulated execution of a rule: at <see cref="TimeNanos"/> on the rule's clock it searched
/// <c>[TimeNanos - look-back, TimeNanos]</c>. Its alerts carry its time as <c>@timestamp</c> and its id as
/// <c>kibana.alert.rule.execution.uuid</c>.
/// </summary>
public readonly record struct Execution(string RuleId, long TimeNanos, long WindowStartNanos)
{
    /// <summary>Deterministic: the same rule at the same time always has the same id (a UUID built from SHA-256).</summary>
    public string Uuid => Ids.Uuid("execution", RuleId, TimeNanos.ToString(CultureInfo.InvariantCulture));

    /// <summary>The execution time as ISO 8601 UTC with milliseconds.</summary>
    public string Timestamp => Ids.Format(TimeNanos);
}

/// <summary>Deterministic identities and time text for alerts and executions.</summary>
public static class Ids
{
    /// <summary>A UUID-shaped id (version 5 and RFC 4122 variant bits set) from SHA-256 of the parts, joined by newlines.</summary>
    public static string Uuid(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    /// <summary>A hex SHA-256 of the parts, joined by newlines (the form of RuleGen's event alert ids).</summary>
    public static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))));

    /// <summary>Nanoseconds since the epoch as ISO 8601 UTC with milliseconds.</summary>
    public static string Format(long nanos) =>
        DateTime.UnixEpoch.AddTicks(nanos / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

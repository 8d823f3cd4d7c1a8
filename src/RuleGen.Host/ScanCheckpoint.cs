using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace RuleGen.Host;

/// <summary>
/// Which part of a scan's inputs the saved detection state covers, saved with it (<c>--state</c>): the inputs (by
/// <see cref="InputFingerprint"/>), the position reached (an input and its last line whose effects the state holds),
/// the length the alerts file had when that state was saved, and the summary's counts until then. A scan of the same
/// inputs that finds it continues after that position instead of starting over, and cuts the alerts file back to
/// that length first, so a scan killed at any moment and started again writes each alert exactly once.
/// </summary>
public sealed record ScanCheckpoint
{
    /// <summary>The scan's inputs, in order.</summary>
    public required IReadOnlyList<InputFingerprint> Inputs { get; init; }

    /// <summary>The input the position is in; <c>Inputs.Count</c> once every input was read to its end.</summary>
    public required int Input { get; init; }

    /// <summary>The last line of <see cref="Input"/> covered (0: none of it).</summary>
    public long Line { get; init; }

    /// <summary>The bytes of <see cref="Input"/> (after decompression) covered: the offset just after <see cref="Line"/>.</summary>
    public long Offset { get; init; }

    /// <summary>The alerts file (full path), or null when alerts went to stdout (which cannot be cut back).</summary>
    public string? AlertsPath { get; init; }

    /// <summary>The alerts file's length when the state was saved: every alert of the covered lines, and no other.</summary>
    public long AlertsLength { get; init; }

    /// <summary>The alerts' <c>@timestamp</c>: a resumed scan writes the same one as the scan it continues.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The summary's counts over the covered lines (a resumed scan's summary covers the whole scan).</summary>
    public required ScanSummary.Counts Counts { get; init; }

    /// <summary>Every input was read to its end.</summary>
    public bool Complete => Input >= Inputs.Count;

    /// <summary>Whether <paramref name="inputs"/> are this checkpoint's inputs (same files, same contents so far).</summary>
    public bool IsOf(IReadOnlyList<InputFingerprint> inputs) => inputs.Count == Inputs.Count && Inputs.Zip(inputs).All(p => p.First.Matches(p.Second));

    /// <summary>How the position is named in messages.</summary>
    public string Describe() => Complete
        ? "the end of its inputs"
        : string.Create(CultureInfo.InvariantCulture, $"{Inputs[Input].Path}:{Line}");

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("inputs");
        foreach (var input in Inputs)
        {
            writer.WriteStartObject();
            writer.WriteString("path", input.Path);
            writer.WriteNumber("headBytes", input.HeadBytes);
            writer.WriteString("headSha256", input.HeadSha256);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("input", Input);
        writer.WriteNumber("line", Line);
        writer.WriteNumber("offset", Offset);
        if (AlertsPath is null) writer.WriteNull("alerts");
        else
        {
            writer.WriteStartObject("alerts");
            writer.WriteString("path", AlertsPath);
            writer.WriteNumber("length", AlertsLength);
            writer.WriteEndObject();
        }
        writer.WriteString("createdAt", CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        writer.WritePropertyName("counts");
        Counts.WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <exception cref="KeyNotFoundException">A property is missing.</exception>
    /// <exception cref="InvalidOperationException">A property has the wrong kind.</exception>
    public static ScanCheckpoint Read(JsonElement e)
    {
        var alerts = e.GetProperty("alerts");
        var inputs = e.GetProperty("inputs").EnumerateArray()
            .Select(i => new InputFingerprint(i.GetProperty("path").GetString()!, i.GetProperty("headBytes").GetInt32(), i.GetProperty("headSha256").GetString()!))
            .ToList();
        var input = e.GetProperty("input").GetInt32();
        if (input < 0 || input > inputs.Count) throw new InvalidDataException("the checkpoint's input is out of range");
        return new ScanCheckpoint
        {
            Inputs = inputs,
            Input = input,
            Line = e.GetProperty("line").GetInt64(),
            Offset = e.GetProperty("offset").GetInt64(),
            AlertsPath = alerts.ValueKind == JsonValueKind.Null ? null : alerts.GetProperty("path").GetString(),
            AlertsLength = alerts.ValueKind == JsonValueKind.Null ? 0 : alerts.GetProperty("length").GetInt64(),
            CreatedAt = DateTimeOffset.Parse(e.GetProperty("createdAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            Counts = ScanSummary.Counts.Read(e.GetProperty("counts")),
        };
    }
}

/// <summary>
/// Which file an input is: its full path and a hash of its first bytes (at most <see cref="MaxHeadBytes"/>). A file
/// that grew since (a log being appended to) is still the same input; a file replaced by another is not.
/// </summary>
public sealed record InputFingerprint(string Path, int HeadBytes, string HeadSha256)
{
    public const int MaxHeadBytes = 64 * 1024;

    /// <summary>The fingerprint of the file <paramref name="input"/> as it is now.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static InputFingerprint Of(string input)
    {
        using var file = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var head = new byte[(int)Math.Min(MaxHeadBytes, file.Length)];
        file.ReadExactly(head);
        return new InputFingerprint(System.IO.Path.GetFullPath(input), head.Length, Convert.ToHexStringLower(SHA256.HashData(head)));
    }

    /// <summary>Whether <paramref name="now"/> (the file as it is now) is this file, perhaps grown.</summary>
    public bool Matches(InputFingerprint now)
    {
        if (now.Path != Path || now.HeadBytes < HeadBytes) return false;
        if (now.HeadBytes == HeadBytes) return now.HeadSha256 == HeadSha256;
        try
        {
            using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var head = new byte[HeadBytes];
            file.ReadExactly(head);
            return Convert.ToHexStringLower(SHA256.HashData(head)) == HeadSha256;
        }
        catch (IOException)
        {
            return false;
        }
    }
}

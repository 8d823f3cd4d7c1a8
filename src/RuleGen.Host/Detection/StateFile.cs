using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RuleGen.Host.Detection;

/// <summary>
/// The state file on disk: written atomically (a temporary file in the same folder, flushed to disk, renamed over the
/// old one), so a crash at any moment leaves either the old state or the new one, never a mixture; and ended by a
/// checksum of everything before it, so a truncated or damaged file is refused instead of being read as a
/// different state. The file stays one JSON object: <c>{..., "sha256": "hex"}</c>, the hash covering the bytes up to
/// the comma before <c>"sha256"</c>.
/// </summary>
internal static class StateFile
{
    private static ReadOnlySpan<byte> ChecksumProperty => ",\"sha256\":\""u8;

    /// <summary>A state file that cannot be used: <see cref="Exception.Message"/> says why.</summary>
    public sealed class CorruptException(string message, Exception? inner = null) : Exception(message, inner);

    /// <summary>
    /// Writes <paramref name="path"/>: <paramref name="writeBody"/> writes the properties of the file's object (the
    /// object itself and the checksum are written here).
    /// </summary>
    public static void Write(string path, Action<Utf8JsonWriter> writeBody)
    {
        var encoded = Encode(writeBody);
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "." + Path.GetFileName(path) + ".tmp");
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(encoded);
            // On disk before the rename makes it the state: a rename can reach the disk before the data it names.
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The bytes of a state file (the object <paramref name="writeBody"/> fills, ended by its checksum), for stores other
    /// than a file (rulegen serve's key-value bucket).
    /// </summary>
    public static byte[] Encode(Action<Utf8JsonWriter> writeBody)
    {
        var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writeBody(writer);
            writer.WriteEndObject();
        }
        // Drop the closing brace; the checksum property closes the object.
        var covered = body.GetBuffer().AsSpan(0, (int)body.Length - 1);
        var hash = Convert.ToHexStringLower(SHA256.HashData(covered));
        var encoded = new MemoryStream(covered.Length + 80);
        encoded.Write(covered);
        encoded.Write(ChecksumProperty);
        encoded.Write(Encoding.ASCII.GetBytes(hash));
        encoded.Write("\"}\n"u8);
        return encoded.ToArray();
    }

    /// <summary>
    /// Reads and checks <paramref name="path"/>; returns its bytes. <paramref name="legacyFormats"/> are format names
    /// of files written before the checksum existed, accepted without one.
    /// </summary>
    /// <exception cref="CorruptException">The file is truncated, damaged or not a state file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static byte[] Read(string path, IReadOnlyList<string> legacyFormats) => Check(File.ReadAllBytes(path), legacyFormats);

    /// <summary>Checks the bytes of a state file (<see cref="Encode"/>); returns them.</summary>
    /// <exception cref="CorruptException">The bytes are truncated, damaged or not a state file.</exception>
    public static byte[] Check(byte[] bytes, IReadOnlyList<string> legacyFormats)
    {
        var content = bytes.AsSpan().TrimEnd("\n\r \t"u8);
        var marker = content.LastIndexOf(ChecksumProperty);
        if (marker < 0)
        {
            foreach (var legacy in legacyFormats)
            {
                if (content.StartsWith(Encoding.UTF8.GetBytes($"{{\"format\":\"{legacy}\""))) return bytes;
            }
            throw new CorruptException(bytes.Length == 0
                ? "the file is empty"
                : $"it has no checksum at its end: it is truncated (it holds {bytes.Length:N0} bytes) or not a rulegen state file");
        }
        var hashStart = marker + ChecksumProperty.Length;
        var expected = content.Slice(hashStart);
        if (!expected.EndsWith("\"}"u8) || expected.Length != 64 + 2)
            throw new CorruptException("its checksum is damaged (the file ends in an unexpected way)");
        var actual = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(content.Slice(0, marker))));
        if (!expected.Slice(0, 64).SequenceEqual(actual))
            throw new CorruptException("its checksum does not match its content: the file was damaged or edited after rulegen wrote it");
        return bytes;
    }
}

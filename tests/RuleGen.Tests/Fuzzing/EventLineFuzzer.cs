using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RuleGen.Runtime;
using RuleGen.Tests.Host;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Fuzzing;

/// <summary>
/// Mutates event lines (the conformance events of ../shared when present, else the repository's sample) as bytes, so
/// invalid UTF-8 stays invalid, and checks: the rule set's <c>TryEvaluate</c> and each rule's <c>IsMatch</c> never
/// throw and agree, <see cref="EventText"/> never throws, and <c>rulegen scan</c> over files of such lines never
/// crashes and its summary counts add up to the lines (events + malformed + blank + overlong).
/// </summary>
public sealed partial class EventLineFuzzer(Random random)
{
    public long Lines { get; private set; }

    public long Crashes { get; private set; }

    public long HostScans { get; private set; }

    public long HostLines { get; private set; }

    public long CountMismatches { get; private set; }

    public List<string> Failures { get; } = new();

    public static IReadOnlyList<byte[]> Seeds()
    {
        var shared = Repo.Shared;
        var files = shared is null ? Array.Empty<string>()
            : Directory.EnumerateFiles(Path.Combine(shared, "conformance"), "events.ndjson", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) files = new[] { HostHarness.SamplePath };
        return files.SelectMany(File.ReadLines).Where(l => l.Length > 0).Select(Encoding.UTF8.GetBytes).ToList();
    }

    private static readonly byte[][] Fragments =
    {
        "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), "\""u8.ToArray(), "\\"u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(),
        "\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "\\ud83d\\ude00"u8.ToArray(), "\\u0000"u8.ToArray(), "\\u00"u8.ToArray(), "\0"u8.ToArray(),
        "\r"u8.ToArray(), "\t"u8.ToArray(), " "u8.ToArray(), "true"u8.ToArray(), "null"u8.ToArray(), "1e999"u8.ToArray(), "-0"u8.ToArray(),
        "99999999999999999999999"u8.ToArray(), "\"a\":1,"u8.ToArray(), "\"event\":{\"outcome\":\"Success\"},"u8.ToArray(), "/*x*/"u8.ToArray(),
        new byte[] { 0xEF, 0xBB, 0xBF }, new byte[] { 0xFF }, new byte[] { 0xC0, 0x80 }, new byte[] { 0xED, 0xA0, 0x80 }, new byte[] { 0xE2, 0x82 }, new byte[] { 0x80 },
    };

    /// <summary>One to three byte-level mutations of an event line.</summary>
    public byte[] Mutate(byte[] seed)
    {
        var bytes = new List<byte>(seed);
        var count = 1 + random.Next(3);
        for (var n = 0; n < count; n++)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(12))
            {
                case 0: if (bytes.Count > 0) bytes.RemoveRange(at == bytes.Count ? 0 : at, bytes.Count - (at == bytes.Count ? 0 : at)); break;
                case 1: if (bytes.Count > 0) bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8)); break;
                case 2: if (bytes.Count > 0) bytes[random.Next(bytes.Count)] = (byte)random.Next(256); break;
                case 3:
                case 4: bytes.InsertRange(at, Fragments[random.Next(Fragments.Length)]); break;
                case 5:
                    // Delete or duplicate a run, which cuts through tokens, strings and escapes.
                    var length = Math.Min(random.Next(1, 40), bytes.Count - Math.Min(at, bytes.Count));
                    if (random.Next(2) == 0) bytes.RemoveRange(Math.Min(at, bytes.Count), length);
                    else bytes.InsertRange(at, bytes.GetRange(Math.Min(at, bytes.Count), length));
                    break;
                case 6:
                    var depth = random.Next(2) == 0 ? 10_000 : random.Next(200, 300);
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes("\"deep\":" + new string('[', depth) + (random.Next(2) == 0 ? new string(']', depth) + "," : "")));
                    break;
                case 7:
                    if (random.Next(20) == 0) bytes.InsertRange(at, Encoding.ASCII.GetBytes("\"huge\":\"" + new string('a', 1_000_000 + random.Next(1_000_000)) + "\","));
                    break;
                case 8: bytes.InsertRange(0, new byte[] { 0xEF, 0xBB, 0xBF }); break;
                case 9:
                    // A duplicate key: a copy of the line's first property.
                    var colon = bytes.IndexOf((byte)',');
                    if (colon > 1) bytes.InsertRange(colon, bytes.GetRange(1, colon - 1).Prepend((byte)','));
                    break;
                case 10: if (random.Next(10) == 0) { bytes.Clear(); bytes.AddRange(random.Next(2) == 0 ? " \t "u8.ToArray() : Array.Empty<byte>()); } break;
                default: bytes.Insert(at, (byte)'\n'); break;
            }
        }
        return bytes.ToArray();
    }

    /// <summary>The direct oracle: no exception from the rule set, its rules or the text check, and the rule set and each rule agree.</summary>
    public void Check(IRuleSet rules, byte[] line)
    {
        Lines++;
        try
        {
            var matches = new int[rules.Rules.Count];
            var ok = rules.TryEvaluate(line, matches, out var count);
            _ = EventText.Find(line, out _);
            if (ok && !EventText.IsValid(line)) Fail("the rule set accepted a line that is not text", line);
            foreach (var rule in rules.Rules)
            {
                var alone = rule.IsMatch(line);
                if (alone != (ok && matches.AsSpan(0, count).Contains(rule.Index))) Fail($"rule {rule.Info.Id} alone says {alone}, the rule set disagrees", line);
            }
        }
        catch (Exception ex)
        {
            Fail(ex.GetType().Name + ": " + ex.Message, line);
        }
    }

    /// <summary>The host oracle over one file of lines: exit code 0, no stack trace, counts that add up.</summary>
    public void CheckHost(IReadOnlyList<byte[]> lines, int threads)
    {
        var input = new MemoryStream();
        foreach (var line in lines)
        {
            input.Write(line);
            input.WriteByte((byte)'\n');
        }
        var bytes = input.ToArray();
        var expected = bytes.Count(b => b == (byte)'\n');
        HostScans++;
        HostLines += expected;
        try
        {
            var result = HostHarness.Run(["scan", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--max-line-bytes", "256K", "-"], bytes);
            if (result.ExitCode != 0 || result.Stderr.Contains("   at ", StringComparison.Ordinal))
            {
                Fail($"rulegen scan exit code {result.ExitCode}: {result.Stderr[..Math.Min(2000, result.Stderr.Length)]}", bytes);
                return;
            }
            var sum = Count(result.Stderr, ScannedEvents()) + Count(result.Stderr, MalformedLines()) + Count(result.Stderr, BlankLines()) + Count(result.Stderr, OverlongLines());
            if (sum != expected)
            {
                CountMismatches++;
                Fail($"counts add up to {sum}, not the {expected} lines", bytes);
            }
        }
        catch (Exception ex)
        {
            Fail("rulegen scan threw " + ex.GetType().Name + ": " + ex.Message, bytes);
        }
    }

    private void Fail(string what, byte[] input)
    {
        Crashes++;
        var folder = Path.Combine(Path.GetTempPath(), "rulegen-fuzz", "events");
        Directory.CreateDirectory(folder);
        var saved = Path.Combine(folder, $"failure-{Failures.Count:D4}.ndjson");
        File.WriteAllBytes(saved, input);
        if (Failures.Count < 100) Failures.Add(what + " (saved as " + saved + ")");
    }

    private static long Count(string stderr, Regex pattern)
    {
        var match = pattern.Match(stderr);
        return match.Success ? long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"scanned ([\d,]+) event")]
    private static partial Regex ScannedEvents();

    [GeneratedRegex(@"malformed lines: ([\d,]+)")]
    private static partial Regex MalformedLines();

    [GeneratedRegex(@"blank lines: ([\d,]+)")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"overlong lines: ([\d,]+)")]
    private static partial Regex OverlongLines();

    /// <summary>
    /// The run: <paramref name="lines"/> mutated lines checked directly, and every <paramref name="hostBatch"/> of
    /// them also scanned by the host (one and two threads in turn), within <paramref name="timeLimit"/>.
    /// </summary>
    public void Run(IRuleSet rules, long lines, int hostBatch, TimeSpan timeLimit)
    {
        var seeds = Seeds();
        var watch = Stopwatch.StartNew();
        var batch = new List<byte[]>(hostBatch);
        for (long i = 0; i < lines && watch.Elapsed < timeLimit; i++)
        {
            var line = Mutate(seeds[random.Next(seeds.Count)]);
            Check(rules, line);
            batch.Add(line);
            if (batch.Count == hostBatch)
            {
                CheckHost(batch, threads: 1 + (int)(HostScans % 2));
                batch.Clear();
            }
        }
        if (batch.Count > 0) CheckHost(batch, threads: 1);
    }

    public string Totals(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture,
        $"event lines fuzzed: {Lines:N0} (and {HostLines:N0} lines in {HostScans:N0} rulegen scans), crashes: {Crashes}, counts add up: {(CountMismatches == 0 ? "yes" : "no, " + CountMismatches + " scans")}; {elapsed.TotalSeconds:N0} s");
}

using BenchmarkDotNet.Attributes;
using RuleGen.Evtx;

namespace RuleGen.Benchmarks;

/// <summary>
/// The EVTX reader on one core (<c>--evtx</c>): an operation reads whole .evtx files of ../shared/real-logs/evtx from
/// memory and renders every record as the JSON line the scanner evaluates, into one reused buffer (what
/// <c>rulegen scan</c>'s reader does before copying the line into its batch). <c>all</c> is the 34 files, 12.9 MB;
/// the others are the three largest files alone. The throughput in MB/s of .evtx is printed after the table.
/// </summary>
[MemoryDiagnoser]
public class EvtxBenchmarks
{
    public static string Folder => Path.Combine(Catalog.SharedFolder, "real-logs", "evtx");

    public static IEnumerable<string> Sets => ["all", "Powershell-Invoke-Obfuscation-many", "smb-password-guessing-security", "many-events-application"];

    /// <summary>The files of a set, read into memory.</summary>
    public static byte[][] Load(string set) =>
        Directory.GetFiles(Folder, "*.evtx", SearchOption.AllDirectories)
            .Where(f => set == "all" || Path.GetFileNameWithoutExtension(f) == set)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .ToArray();

    private byte[][] _files = [];
    private readonly JsonBuffer _json = new(1 << 20);

    [ParamsSource(nameof(Sets))]
    public string Set { get; set; } = "all";

    [GlobalSetup]
    public void Setup()
    {
        _files = Load(Set);
        if (_files.Length == 0) throw new InvalidOperationException($"no .evtx file for {Set} in {Folder}");
        var records = Read();
        if (records < 100) throw new InvalidOperationException($"{Set}: only {records} records");
    }

    /// <summary>Reads every file of the set; returns the records rendered.</summary>
    [Benchmark]
    public long Read()
    {
        long records = 0;
        foreach (var file in _files)
        {
            var reader = new EvtxReader(new MemoryStream(file, writable: false));
            while (true)
            {
                _json.Clear();
                var entry = reader.Read(_json);
                if (entry.Kind == EvtxEntryKind.End) break;
                if (entry.Kind == EvtxEntryKind.Record) records++;
            }
        }
        return records;
    }
}

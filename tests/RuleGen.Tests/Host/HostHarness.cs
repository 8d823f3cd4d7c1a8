using System.Text;
using System.Text.Json;
using RuleGen.Host;
using RuleGen.Runtime;

namespace RuleGen.Tests.Host;

/// <summary>A clock for the host: a fixed wall-clock time, and a timestamp that moves a fixed step per reading.</summary>
public sealed class SteppingTime(DateTimeOffset now, TimeSpan step) : TimeProvider
{
    private long _ticks;

    public static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, 123, TimeSpan.Zero);

    public SteppingTime() : this(Now, TimeSpan.FromMilliseconds(1)) { }

    public override DateTimeOffset GetUtcNow() => now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks += step.Ticks;
}

/// <summary>The outcome of one in-process <c>rulegen</c> command line.</summary>
public sealed record HostResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The alerts written to stdout, parsed.</summary>
    public IReadOnlyList<JsonElement> Alerts => ParseNdjson(Stdout);

    public static IReadOnlyList<JsonElement> ParseNdjson(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 256 }).RootElement.Clone()).ToList();
}

/// <summary>Runs the host's command line in process, with memory streams for stdin and stdout.</summary>
public static class HostHarness
{
    /// <summary>The rule set compiled into the host (the repository's rules/ folder).</summary>
    public static IRuleSet HostRules => RuleGen.Host.Compiled.RuleSet.Instance;

    public const string SeedRuleId = "3ad77ed4-4dcf-4c51-8bfc-e3f7ce316b2f";

    public static string SamplePath => Path.Combine(Infrastructure.Repo.Root, "samples", "azure-activity.ndjson");

    public static HostResult Run(string[] args, byte[]? stdin = null, bool stderrIsTerminal = false, TimeProvider? time = null, IRuleSet? rules = null) =>
        Run(args, new MemoryStream(stdin ?? Array.Empty<byte>()), stderrIsTerminal, time, rules);

    public static HostResult Run(string[] args, Stream stdin, bool stderrIsTerminal = false, TimeProvider? time = null, IRuleSet? rules = null)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        var console = new HostConsole(stdin, stdout, stderr, stderrIsTerminal, time ?? new SteppingTime());
        var code = Cli.Run(args, console, rules ?? HostRules);
        return new HostResult(code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    /// <summary>Seed-rule alerts' <c>rulegen.input.line</c> values, in output order.</summary>
    public static long[] SeedAlertLines(HostResult result) =>
        result.Alerts.Where(a => a.GetProperty("kibana.alert.rule.rule_id").GetString() == SeedRuleId)
            .Select(a => a.GetProperty("rulegen.input.line").GetInt64()).ToArray();

    /// <summary>A temporary folder, deleted on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public TempFolder() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rulegen-test-" + Guid.NewGuid().ToString("N"));

        public string File(string name, string? text = null)
        {
            var path = System.IO.Path.Combine(Path, name);
            if (text is not null) System.IO.File.WriteAllText(path, text);
            return path;
        }

        public string File(string name, byte[] bytes)
        {
            var path = System.IO.Path.Combine(Path, name);
            System.IO.File.WriteAllBytes(path, bytes);
            return path;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}

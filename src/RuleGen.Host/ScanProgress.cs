using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RuleGen.Host;

/// <summary>
/// The live progress line of a scan, for a person watching stderr on a terminal: the file being read, events, events/s, alerts, elapsed time, and when the inputs' size is known (files, none gzip-compressed) a bar, the percentage and
/// the time left. Drawn with Spectre.Console (its markup, its colours and the terminal's width) from the first second
/// of a run on, at most four times a second, on one line that is erased before any other message and at the end.
/// </summary>
/// <remarks>
/// The line is drawn by the scan's own thread, between batches, on the scan's clock (<see cref="HostConsole.Time"/>),
/// rather than by Spectre's live display thread: messages about malformed lines go to the same stderr in between, and
/// each must land on a clean line.
/// </remarks>
public sealed class ScanProgress
{
    public static readonly TimeSpan FirstDrawAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_redrawEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>ANSI: back to the start of the line, erase it.</summary>
    public const string EraseLine = "\r\u001b[2K";

    private readonly TextWriter _stderr;
    private readonly IAnsiConsole _console;
    private readonly long? _totalBytes;
    private TimeSpan _nextDraw = FirstDrawAfter;
    private bool _drawn;

    /// <param name="stderr">Where the line is drawn (a terminal).</param>
    /// <param name="totalBytes">The inputs' size when it is known (every input a file, none compressed), else null.</param>
    /// <param name="width">The terminal's width (null: as Spectre finds it).</param>
    public ScanProgress(TextWriter stderr, long? totalBytes, int? width = null)
    {
        _stderr = stderr;
        _totalBytes = totalBytes is > 0 ? totalBytes : null;
        var output = new AnsiConsoleOutput(stderr);
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
            Out = output,
        });
        if (width is { } w) _console.Profile.Width = w;
    }

    /// <summary>Whether the line is on screen now.</summary>
    public bool IsDrawn => _drawn;

    /// <summary>The inputs' size in bytes, when known.</summary>
    public long? TotalBytes => _totalBytes;

    /// <summary>Redraws the line if it is time to (after the first second, every 250 ms).</summary>
    public void Update(string file, long events, long alerts, long bytes, TimeSpan elapsed)
    {
        if (elapsed < _nextDraw) return;
        _nextDraw = elapsed + s_redrawEvery;
        _stderr.Write(EraseLine);
        _stderr.Flush();
        _console.Write(Line(file, events, alerts, bytes, elapsed));
        _stderr.Flush();
        _drawn = true;
    }

    /// <summary>The line itself (its text without markup is what a test reads).</summary>
    public IRenderable Line(string file, long events, long alerts, long bytes, TimeSpan elapsed)
    {
        var c = CultureInfo.InvariantCulture;
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var width = _console.Profile.Width - 1;
        string? bar = null, percent = null;
        if (_totalBytes is { } total)
        {
            var fraction = Math.Clamp(bytes / (double)total, 0, 1);
            const int barWidth = 16;
            var done = (int)Math.Round(fraction * barWidth);
            bar = $"[green]{new string('━', done)}[/][grey]{new string('━', barWidth - done)}[/]";
            percent = (fraction * 100).ToString("0", c) + "%";
        }
        var counts = string.Format(c, "{0:N0} events  {1:N0} events/s  ", events, events / seconds)
            + string.Format(c, alerts > 0 ? "[yellow]{0:N0} alerts[/]" : "{0:N0} alerts", alerts);
        var time = Clock(elapsed);
        if (_totalBytes is { } all && bytes > 0 && bytes < all)
            time += " ETA " + Clock(TimeSpan.FromSeconds(seconds * (all - bytes) / bytes));
        // What does not fit the terminal's width goes, least useful first: the bar, then the file's folder, then the
        // start of its name; the line never wraps.
        string Join(params string?[] parts) => string.Join("  ", parts.Where(p => p is not null));
        var line = Join(bar, percent, counts, time);
        if (Markup.Remove(line).Length + 2 + Math.Min(Path.GetFileName(file).Length, 24) > width) line = Join(percent, counts, time);
        var room = width - Markup.Remove(line).Length - 2;
        var shortName = Path.GetFileName(file);
        var name = file.Length <= room ? file : shortName.Length <= room ? shortName : room > 8 ? "…" + shortName[^(room - 1)..] : "";
        if (name.Length > 0) line = $"[blue]{Markup.Escape(name)}[/]  " + line;
        if (Markup.Remove(line).Length > width) line = Markup.Escape(Markup.Remove(line)[..width]);
        return new Markup(line);
    }

    private static string Clock(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes:00}:{t.Seconds:00}";

    /// <summary>Erases the line (before a message, and at the end).</summary>
    public void Clear()
    {
        if (!_drawn) return;
        _stderr.Write(EraseLine);
        _stderr.Flush();
        _drawn = false;
    }

    /// <summary>The inputs' size when a scan of them can say how far it is: every input a file, none gzip-compressed.</summary>
    public static long? SizeOf(IReadOnlyList<string> inputs)
    {
        long total = 0;
        Span<byte> magic = stackalloc byte[2];
        foreach (var input in inputs)
        {
            if (input == ScanInput.Stdin) return null;
            try
            {
                using var file = File.OpenRead(input);
                if (file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B) return null;
                total += file.Length;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
        return total;
    }
}

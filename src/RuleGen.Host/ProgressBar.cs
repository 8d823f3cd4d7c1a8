using System.Globalization;

namespace RuleGen.Host;

/// <summary>
/// A one-line progress display for a person watching stderr on a terminal: drawn from the first second of a run
/// on, at most four times a second, and cleared before any other message and at the end.
/// </summary>
public sealed class ProgressBar
{
    public static readonly TimeSpan FirstDrawAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_redrawEvery = TimeSpan.FromMilliseconds(250);
    private const int Width = 79;

    private readonly TextWriter _stderr;
    private TimeSpan _nextDraw = FirstDrawAfter;
    private bool _drawn;

    public ProgressBar(TextWriter stderr) => _stderr = stderr;

    /// <summary>Whether the bar is on screen now.</summary>
    public bool IsDrawn => _drawn;

    public void Update(long events, long alerts, long bytes, TimeSpan elapsed)
    {
        if (elapsed < _nextDraw) return;
        _nextDraw = elapsed + s_redrawEvery;
        var rate = events / Math.Max(elapsed.TotalSeconds, 1e-9);
        var text = string.Format(CultureInfo.InvariantCulture, "  {0:N0} events, {1:N1} MB, {2:N0} alerts, {3:N0} events/s",
            events, bytes / 1e6, alerts, rate);
        _stderr.Write("\r" + text.PadRight(Width)[..Width]);
        _stderr.Flush();
        _drawn = true;
    }

    /// <summary>Erases the bar (before a message, and at the end).</summary>
    public void Clear()
    {
        if (!_drawn) return;
        _stderr.Write("\r" + new string(' ', Width) + "\r");
        _stderr.Flush();
        _drawn = false;
    }
}

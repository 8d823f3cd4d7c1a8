using System.Globalization;

namespace RuleGen.Host;

/// <summary>A one-line progress display on a terminal's stderr, shown only on runs longer than a second.</summary>
public sealed class ProgressBar
{
    private readonly TextWriter _stderr;
    private TimeSpan _lastDraw = TimeSpan.FromSeconds(1);
    private bool _drawn;

    public ProgressBar(TextWriter stderr) => _stderr = stderr;

    public void Update(long events, long bytes, TimeSpan elapsed)
    {
        if ((events & 1023) != 0 || elapsed - _lastDraw < TimeSpan.FromMilliseconds(250)) return;
        _lastDraw = elapsed;
        var rate = events / Math.Max(elapsed.TotalSeconds, 1e-9);
        _stderr.Write(string.Format(CultureInfo.InvariantCulture, "\r  {0:N0} events, {1:N1} MB, {2:N0} events/s   ", events, bytes / 1e6, rate));
        _drawn = true;
    }

    public void Clear()
    {
        if (_drawn) _stderr.Write("\r" + new string(' ', 72) + "\r");
    }
}

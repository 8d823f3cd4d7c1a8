using System.Text;

namespace RuleGen.Host.Output;

/// <summary>Writes timeline rows as text (CSV or a table) to the alerts' output.</summary>
public interface ITimelineWriter
{
    void Write(TimelineRow row);
}

/// <summary>
/// The CSV timeline: a header of <see cref="TimelineRow.Columns"/>, then one record per alert. Quoting is RFC 4180's:
/// a field with a comma, a double quote, CR or LF is enclosed in double quotes, a double quote in it doubled; records
/// end with CRLF.
/// </summary>
public sealed class CsvTimelineWriter : ITimelineWriter
{
    private readonly TextWriter _text;

    public CsvTimelineWriter(TextWriter text, bool header = true)
    {
        _text = text;
        if (header) WriteRecord(TimelineRow.Columns);
    }

    public void Write(TimelineRow row)
    {
        for (var i = 0; i < TimelineRow.Columns.Length; i++)
        {
            if (i > 0) _text.Write(',');
            WriteField(_text, row[i]);
        }
        _text.Write("\r\n");
    }

    private void WriteRecord(IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) _text.Write(',');
            WriteField(_text, fields[i]);
        }
        _text.Write("\r\n");
    }

    /// <summary>One field, quoted when RFC 4180 requires it.</summary>
    public static void WriteField(TextWriter text, string field)
    {
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            text.Write(field);
            return;
        }
        text.Write('"');
        var rest = field.AsSpan();
        int quote;
        while ((quote = rest.IndexOf('"')) >= 0)
        {
            text.Write(rest[..(quote + 1)]);
            text.Write('"');
            rest = rest[(quote + 1)..];
        }
        text.Write(rest);
        text.Write('"');
    }
}

/// <summary>
/// The timeline as a text table for a terminal: fixed columns, Details gets the rest of the line, every line cut to
/// <see cref="Width"/> characters (an ellipsis marks a cut cell). Rows stream as alerts come (no column fitting over
/// the whole output, which would hold every alert in memory). Control characters show as spaces.
/// </summary>
public sealed class TableTimelineWriter : ITimelineWriter
{
    /// <summary>The narrowest table drawn; a narrower terminal still gets lines of this width.</summary>
    public const int MinimumWidth = 40;

    private readonly TextWriter _text;
    private readonly int[] _widths;
    private readonly StringBuilder _line = new();

    public TableTimelineWriter(TextWriter text, int width)
    {
        _text = text;
        Width = Math.Max(MinimumWidth, width);
        // Timestamp, Computer, Channel, EventID, Level, RuleTitle; Details takes the rest (separators: 1 space each).
        int[] fixedWidths = Width switch
        {
            < 120 => new[] { 24, 12, 7, 7, 5, 20 },
            < 160 => new[] { 24, 16, 10, 7, 5, 30 },
            _ => new[] { 24, 16, 10, 7, 5, 40 },
        };
        var details = Width - fixedWidths.Sum() - fixedWidths.Length;
        _widths = fixedWidths.Append(Math.Max(8, details)).ToArray();
        WriteLine(TimelineRow.Columns);
        _text.Write(new string('-', Width));
        _text.Write('\n');
    }

    /// <summary>Each line's width in characters.</summary>
    public int Width { get; }

    /// <summary>The terminal's width when stdout is one, else $COLUMNS, else 160.</summary>
    public static int TerminalWidth()
    {
        try
        {
            if (!Console.IsOutputRedirected && Console.WindowWidth > 0) return Console.WindowWidth;
        }
        catch (IOException)
        {
        }
        return int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : 160;
    }

    public void Write(TimelineRow row)
    {
        Span<string> cells = new string[7];
        for (var i = 0; i < 7; i++) cells[i] = i == 2 ? ShortChannel(row.Channel) : i == 4 ? ShortLevel(row.Level) : row[i];
        WriteLine(cells);
    }

    private void WriteLine(ReadOnlySpan<string> cells)
    {
        _line.Clear();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) _line.Append(' ');
            AppendCell(cells[i], _widths[i], pad: i < cells.Length - 1);
        }
        // Trailing spaces of a short Details cell are not written; the line never exceeds Width.
        var length = _line.Length;
        while (length > 0 && _line[length - 1] == ' ') length--;
        if (length > Width) length = Width;
        for (var i = 0; i < length; i++) _text.Write(_line[i]);
        _text.Write('\n');
    }

    private void AppendCell(string cell, int width, bool pad)
    {
        var start = _line.Length;
        var count = 0;
        foreach (var ch in cell)
        {
            if (count == width) break;
            _line.Append(char.IsControl(ch) ? ' ' : ch);
            count++;
        }
        if (count == width && cell.Length > width) _line[^1] = '…';
        if (pad) _line.Append(' ', width - (_line.Length - start));
    }

    /// <summary>Levels in four letters, as hayabusa's table writes them.</summary>
    public static string ShortLevel(string level) => level.ToLowerInvariant() switch
    {
        "critical" => "crit",
        "medium" => "med",
        "informational" => "info",
        _ => level,
    };

    /// <summary>Common channel names shortened as hayabusa's table shortens them; others as they are.</summary>
    public static string ShortChannel(string channel) => channel switch
    {
        "Security" => "Sec",
        "System" => "Sys",
        "Application" => "App",
        "Microsoft-Windows-Sysmon/Operational" => "Sysmon",
        "Microsoft-Windows-PowerShell/Operational" => "PwSh",
        "Windows PowerShell" => "PwShClassic",
        "Microsoft-Windows-Windows Defender/Operational" => "Defender",
        "Microsoft-Windows-TaskScheduler/Operational" => "TaskSch",
        _ => channel,
    };
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RuleGen.Generator.Model;

/// <summary>
/// A place in a rule file, kept as plain data (path, character span, 0-based line/column span) so models stay
/// equatable; turned into a Roslyn <see cref="Location"/> only when a diagnostic is reported.
/// </summary>
public sealed record SourceLocation(string Path, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public static SourceLocation FileStart(string path) => new(path, 0, 0, 0, 0, 0, 0);

    public Location ToLocation() =>
        Location.Create(
            Path,
            new TextSpan(Start, Length),
            new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));

    /// <summary>1-based "line:column", as editors show it.</summary>
    public override string ToString() => $"{Path}({StartLine + 1},{StartColumn + 1})";
}

/// <summary>Maps character offsets of a text to 0-based line and column positions.</summary>
public sealed class LineMap
{
    private readonly string _path;
    private readonly int[] _lineStarts;

    public LineMap(string path, string text)
    {
        _path = path;
        var starts = new System.Collections.Generic.List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                starts.Add(i + 1);
            }
            else if (c == '\n')
            {
                starts.Add(i + 1);
            }
        }
        _lineStarts = starts.ToArray();
    }

    public string Path => _path;

    public (int Line, int Column) Position(int offset)
    {
        var index = System.Array.BinarySearch(_lineStarts, offset);
        if (index < 0) index = ~index - 1;
        return (index, offset - _lineStarts[index]);
    }

    public SourceLocation Location(int start, int length)
    {
        if (length < 0) length = 0;
        var (sl, sc) = Position(start);
        var (el, ec) = Position(start + length);
        return new SourceLocation(_path, start, length, sl, sc, el, ec);
    }
}

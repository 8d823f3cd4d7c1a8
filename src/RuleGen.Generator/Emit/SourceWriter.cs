using System;
using System.Text;

namespace RuleGen.Generator.Emit;

/// <summary>An indented text writer with a block helper: <c>using (w.Block("if (x)")) { ... }</c>.</summary>
public sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length == 0)
        {
            _sb.Append('\n');
            return;
        }
        _sb.Append(' ', _indent * 4).Append(text).Append('\n');
    }

    /// <summary>Writes multi-line text, each line at the current indentation.</summary>
    public void Lines(string text)
    {
        foreach (var line in text.Split('\n')) Line(line.TrimEnd('\r'));
    }

    public IDisposable Block(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return new Closer(this, "}");
    }

    public IDisposable Indent()
    {
        _indent++;
        return new Closer(this, null);
    }

    public override string ToString() => _sb.ToString();

    private sealed class Closer : IDisposable
    {
        private readonly SourceWriter _writer;
        private readonly string? _closing;

        public Closer(SourceWriter writer, string? closing)
        {
            _writer = writer;
            _closing = closing;
        }

        public void Dispose()
        {
            _writer._indent--;
            if (_closing is not null) _writer.Line(_closing);
        }
    }
}

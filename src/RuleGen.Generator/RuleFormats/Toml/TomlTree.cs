using System.Collections.Generic;
using System.Globalization;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.RuleFormats.Toml;

/// <summary>
/// A TOML document as a tree of tables, arrays and scalars that remembers where each key and value is in the file,
/// so that rule-file problems are reported at the offending token.
/// </summary>
public abstract class TomlNode
{
    protected TomlNode(SourceLocation location) => Location = location;

    /// <summary>Where the value is written (for a table: its header, or the key of an inline table).</summary>
    public SourceLocation Location { get; }

    /// <summary>A short name of the node's TOML type for messages: "a string", "an array", ...</summary>
    public abstract string Describe();

    /// <summary>The value as compact JSON (dates as strings).</summary>
    public abstract void WriteJson(StringBuilder sb);

    public string ToJson()
    {
        var sb = new StringBuilder();
        WriteJson(sb);
        return sb.ToString();
    }
}

/// <summary>A key of a table with the location of the key itself.</summary>
public sealed class TomlEntry
{
    public TomlEntry(string key, SourceLocation keyLocation, TomlNode value)
    {
        Key = key;
        KeyLocation = keyLocation;
        Value = value;
    }

    public string Key { get; }
    public SourceLocation KeyLocation { get; }
    public TomlNode Value { get; internal set; }
}

public sealed class TomlTableNode : TomlNode
{
    private readonly List<TomlEntry> _entries = new();
    private readonly Dictionary<string, TomlEntry> _byKey = new();

    public TomlTableNode(SourceLocation location, bool isImplicit = false) : base(location) => IsImplicit = isImplicit;

    /// <summary>Created by a dotted header such as <c>[a.b]</c> for <c>a</c>, not by its own header.</summary>
    public bool IsImplicit { get; internal set; }

    /// <summary>Whether keys may still be added by a later <c>[header]</c> (false for inline tables).</summary>
    public bool IsInline { get; init; }

    public IReadOnlyList<TomlEntry> Entries => _entries;

    public TomlEntry? Find(string key) => _byKey.TryGetValue(key, out var entry) ? entry : null;

    public TomlNode? this[string key] => Find(key)?.Value;

    internal void Add(TomlEntry entry)
    {
        _entries.Add(entry);
        _byKey[entry.Key] = entry;
    }

    public override string Describe() => "a table";

    public override void WriteJson(StringBuilder sb)
    {
        sb.Append('{');
        for (var i = 0; i < _entries.Count; i++)
        {
            if (i > 0) sb.Append(',');
            JsonText.AppendString(sb, _entries[i].Key);
            sb.Append(':');
            _entries[i].Value.WriteJson(sb);
        }
        sb.Append('}');
    }
}

public sealed class TomlArrayNode : TomlNode
{
    public TomlArrayNode(SourceLocation location, bool isArrayOfTables) : base(location) => IsArrayOfTables = isArrayOfTables;

    /// <summary>Made by <c>[[header]]</c> entries (so later headers may extend its last table).</summary>
    public bool IsArrayOfTables { get; }

    public List<TomlNode> Items { get; } = new();

    public override string Describe() => IsArrayOfTables ? "an array of tables" : "an array";

    public override void WriteJson(StringBuilder sb)
    {
        sb.Append('[');
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0) sb.Append(',');
            Items[i].WriteJson(sb);
        }
        sb.Append(']');
    }
}

/// <summary>The TOML scalar kinds.</summary>
public enum TomlScalarKind
{
    String,
    Integer,
    Float,
    Boolean,
    DateTime,
}

public sealed class TomlScalarNode : TomlNode
{
    public TomlScalarNode(SourceLocation location, TomlScalarKind kind, object value, StringLiteralMap? stringMap = null)
        : base(location)
    {
        Kind = kind;
        Value = value;
        StringMap = stringMap;
    }

    public TomlScalarKind Kind { get; }

    /// <summary>string, long, double, bool, or the date-time's TOML text.</summary>
    public object Value { get; }

    /// <summary>For strings: where each character of the decoded value is in the file.</summary>
    public StringLiteralMap? StringMap { get; }

    public override string Describe() => Kind switch
    {
        TomlScalarKind.String => "a string",
        TomlScalarKind.Integer => "an integer",
        TomlScalarKind.Float => "a float",
        TomlScalarKind.Boolean => "a boolean",
        _ => "a date-time",
    };

    public override void WriteJson(StringBuilder sb)
    {
        switch (Kind)
        {
            case TomlScalarKind.Integer: sb.Append(((long)Value).ToString(CultureInfo.InvariantCulture)); break;
            case TomlScalarKind.Float: sb.Append(((double)Value).ToString("R", CultureInfo.InvariantCulture)); break;
            case TomlScalarKind.Boolean: sb.Append((bool)Value ? "true" : "false"); break;
            default: JsonText.AppendString(sb, Value.ToString()!); break;
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Toml;

namespace RuleGen.Generator.RuleFormats.Elastic;

/// <summary>
/// Typed, located access to the keys of a TOML table: a missing required key or a value of the wrong type becomes a
/// diagnostic at the key (or at the table) and the read returns a default, so parsing goes on.
/// </summary>
internal sealed class TomlReader
{
    private readonly TomlTableNode _table;
    private readonly string _tableName;
    private readonly List<DiagnosticInfo> _diagnostics;

    public TomlReader(TomlTableNode table, string tableName, List<DiagnosticInfo> diagnostics)
    {
        _table = table;
        _tableName = tableName;
        _diagnostics = diagnostics;
    }

    public TomlTableNode Table => _table;

    private string Qualified(string key) => _tableName.Length == 0 ? key : _tableName + "." + key;

    public TomlScalarNode? StringNode(string key, bool required, string hint = "")
    {
        var entry = _table.Find(key);
        if (entry is null)
        {
            if (required) Missing(key, hint.Length > 0 ? hint : $"{key} = \"...\" to [{_tableName}]");
            return null;
        }
        if (entry.Value is TomlScalarNode { Kind: TomlScalarKind.String } node) return node;
        Report(DiagnosticInfo.Create(DiagnosticDescriptors.WrongKeyType, entry.Value.Location, Qualified(key), "a string", entry.Value.Describe()));
        return null;
    }

    public string? String(string key, bool required = false, string hint = "") => (string?)StringNode(key, required, hint)?.Value;

    public int? Integer(string key, bool required = false)
    {
        var entry = _table.Find(key);
        if (entry is null)
        {
            if (required) Missing(key, $"{key} = <integer> to [{_tableName}]");
            return null;
        }
        if (entry.Value is TomlScalarNode { Kind: TomlScalarKind.Integer } node)
        {
            var value = (long)node.Value;
            if (value is >= int.MinValue and <= int.MaxValue) return (int)value;
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValue, node.Location, Qualified(key), "the number is too large"));
            return null;
        }
        Report(DiagnosticInfo.Create(DiagnosticDescriptors.WrongKeyType, entry.Value.Location, Qualified(key), "an integer", entry.Value.Describe()));
        return null;
    }

    /// <summary>An array of strings; a single string is accepted as a one-element array where the format allows it.</summary>
    public EquatableArray<string> Strings(string key, bool required = false, bool allowSingle = false)
    {
        var entry = _table.Find(key);
        if (entry is null)
        {
            if (required) Missing(key, $"{key} = [\"...\"] to [{_tableName}]");
            return EquatableArray<string>.Empty;
        }
        if (allowSingle && entry.Value is TomlScalarNode { Kind: TomlScalarKind.String } single)
            return EquatableArray.Create((string)single.Value);
        if (entry.Value is not TomlArrayNode array)
        {
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.WrongKeyType, entry.Value.Location, Qualified(key), "an array of strings", entry.Value.Describe()));
            return EquatableArray<string>.Empty;
        }
        var result = new List<string>();
        foreach (var item in array.Items)
        {
            if (item is TomlScalarNode { Kind: TomlScalarKind.String } s) result.Add((string)s.Value);
            else Report(DiagnosticInfo.Create(DiagnosticDescriptors.WrongKeyType, item.Location, Qualified(key) + "[]", "a string", item.Describe()));
        }
        return result.ToEquatableArray();
    }

    public IEnumerable<TomlTableNode> Tables(string key)
    {
        var entry = _table.Find(key);
        if (entry is null) return Enumerable.Empty<TomlTableNode>();
        if (entry.Value is TomlArrayNode array)
        {
            var tables = new List<TomlTableNode>();
            foreach (var item in array.Items)
            {
                if (item is TomlTableNode t) tables.Add(t);
                else Report(DiagnosticInfo.Create(DiagnosticDescriptors.WrongKeyType, item.Location, Qualified(key) + "[]", "a table", item.Describe()));
            }
            return tables;
        }
        Report(DiagnosticInfo.Create(DiagnosticDescriptors.WrongKeyType, entry.Value.Location, Qualified(key), "an array of tables", entry.Value.Describe()));
        return Enumerable.Empty<TomlTableNode>();
    }

    public TomlTableNode? TableNode(string key)
    {
        var entry = _table.Find(key);
        if (entry is null) return null;
        if (entry.Value is TomlTableNode t) return t;
        Report(DiagnosticInfo.Create(DiagnosticDescriptors.WrongKeyType, entry.Value.Location, Qualified(key), "a table", entry.Value.Describe()));
        return null;
    }

    // The same key may be read twice (as metadata and again to compile the rule); its problem is reported once.
    private void Report(DiagnosticInfo diagnostic)
    {
        if (!_diagnostics.Contains(diagnostic)) _diagnostics.Add(diagnostic);
    }

    private void Missing(string key, string hint) =>
        Report(DiagnosticInfo.Create(DiagnosticDescriptors.MissingKey, _table.Location, Qualified(key), hint));
}

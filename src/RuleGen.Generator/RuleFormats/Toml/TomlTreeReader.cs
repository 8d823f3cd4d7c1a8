using System;
using System.Collections.Generic;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace RuleGen.Generator.RuleFormats.Toml;

/// <summary>
/// Reads a TOML file into a located <see cref="TomlTableNode"/> tree using Tomlyn's syntax parser. TOML errors become
/// RG0001 diagnostics at the offending token; the tree holds what could be read.
/// </summary>
public static class TomlTreeReader
{
    public static TomlTableNode Read(string path, string text, List<DiagnosticInfo> diagnostics)
    {
        var lines = new LineMap(path, text);
        var root = new TomlTableNode(lines.Location(0, 0));
        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(text, path, validate: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidToml, lines.Location(0, 0), ExceptionMessage(ex)));
            return root;
        }

        // Only the first syntax error is reported: after it the parser's recovery is guesswork, and one unclosed
        // string otherwise shows up as a cascade of errors on the lines that follow. Redefinitions are left to the
        // builder below, which reports them at the key (RG0011).
        DiagnosticMessage? first = null;
        foreach (var message in document.Diagnostics)
        {
            if (message.Kind != DiagnosticMessageKind.Error || IsRedefinition(message.Message)) continue;
            if (first is null || message.Span.Start.Offset < first.Span.Start.Offset) first = message;
        }
        if (first is not null)
        {
            var start = ClampOffset(first.Span.Start.Offset, text);
            var length = Math.Max(0, Math.Min(first.Span.End.Offset + 1, text.Length) - start);
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidToml, lines.Location(start, length), CleanMessage(first.Message)));
        }

        var builder = new Builder(lines, text, diagnostics);
        foreach (var keyValue in document.KeyValues) builder.AddKeyValue(root, keyValue);
        foreach (var table in document.Tables) builder.AddTable(root, table);
        return root;
    }

    private static int ClampOffset(int offset, string text) => Math.Max(0, Math.Min(offset, text.Length));

    private static bool IsRedefinition(string message) =>
        message.IndexOf("is already defined", StringComparison.Ordinal) >= 0;

    private static string ExceptionMessage(Exception ex)
    {
        // Tomlyn stops at 64 levels of nested arrays and inline tables and names its own option in the message.
        if (ex.Message.IndexOf("maximum depth", StringComparison.OrdinalIgnoreCase) >= 0)
            return "arrays and inline tables nest too deeply (Tomlyn reads at most 64 levels)";
        return ex.Message;
    }

    private static string CleanMessage(string message)
    {
        // Tomlyn prefixes messages with the file position, which the diagnostic location already carries.
        var index = message.IndexOf(" : error : ", StringComparison.Ordinal);
        return index >= 0 ? message.Substring(index + " : error : ".Length) : message;
    }

    private sealed class Builder
    {
        private readonly LineMap _lines;
        private readonly string _text;
        private readonly List<DiagnosticInfo> _diagnostics;

        public Builder(LineMap lines, string text, List<DiagnosticInfo> diagnostics)
        {
            _lines = lines;
            _text = text;
            _diagnostics = diagnostics;
        }

        private SourceLocation Locate(SyntaxNodeBase? node)
        {
            if (node is null) return _lines.Location(0, 0);
            var span = node.Span;
            var start = ClampOffset(span.Start.Offset, _text);
            var end = ClampOffset(span.End.Offset + 1, _text);
            return _lines.Location(start, Math.Max(0, end - start));
        }

        /// <summary>The header of a table (<c>[rule]</c>, <c>[[rule.threat]]</c>), not the keys under it.</summary>
        private SourceLocation LocateHeader(TableSyntaxBase table)
        {
            if (table.OpenBracket is null || table.CloseBracket is null) return Locate(table.Name);
            var start = ClampOffset(table.OpenBracket.Span.Start.Offset, _text);
            var end = ClampOffset(table.CloseBracket.Span.End.Offset + 1, _text);
            return _lines.Location(start, Math.Max(0, end - start));
        }

        public void AddTable(TomlTableNode root, TableSyntaxBase table)
        {
            if (table.Name is null) return;
            var keys = KeyParts(table.Name);
            if (keys.Count == 0) return;
            var headerLocation = LocateHeader(table);
            var parent = Navigate(root, keys, keys.Count - 1);
            if (parent is null) return;
            var (lastKey, lastLocation) = keys[keys.Count - 1];
            TomlTableNode target;
            if (table is TableArraySyntax)
            {
                var existing = parent.Find(lastKey);
                TomlArrayNode array;
                if (existing is null)
                {
                    array = new TomlArrayNode(headerLocation, isArrayOfTables: true);
                    parent.Add(new TomlEntry(lastKey, lastLocation, array));
                }
                else if (existing.Value is TomlArrayNode { IsArrayOfTables: true } existingArray)
                {
                    array = existingArray;
                }
                else
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateKey, lastLocation, JoinKeys(keys)));
                    return;
                }
                target = new TomlTableNode(headerLocation);
                array.Items.Add(target);
            }
            else
            {
                var existing = parent.Find(lastKey);
                if (existing is null)
                {
                    target = new TomlTableNode(headerLocation);
                    parent.Add(new TomlEntry(lastKey, lastLocation, target));
                }
                else if (existing.Value is TomlTableNode { IsImplicit: true, IsInline: false } implicitTable)
                {
                    implicitTable.IsImplicit = false;
                    target = implicitTable;
                }
                else
                {
                    _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateKey, lastLocation, JoinKeys(keys)));
                    return;
                }
            }
            foreach (var item in table.Items) AddKeyValue(target, item);
        }

        /// <summary>Walks (creating implicit tables) to the table that holds key number <paramref name="count"/>.</summary>
        private TomlTableNode? Navigate(TomlTableNode from, List<(string Key, SourceLocation Location)> keys, int count)
        {
            var current = from;
            for (var i = 0; i < count; i++)
            {
                var (key, location) = keys[i];
                var entry = current.Find(key);
                if (entry is null)
                {
                    var created = new TomlTableNode(location, isImplicit: true);
                    current.Add(new TomlEntry(key, location, created));
                    current = created;
                    continue;
                }
                switch (entry.Value)
                {
                    case TomlTableNode { IsInline: false } table:
                        current = table;
                        break;
                    case TomlArrayNode { IsArrayOfTables: true } array when array.Items.Count > 0 && array.Items[array.Items.Count - 1] is TomlTableNode last:
                        current = last;
                        break;
                    default:
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateKey, location, JoinKeys(keys, i + 1)));
                        return null;
                }
            }
            return current;
        }

        public void AddKeyValue(TomlTableNode table, KeyValueSyntax keyValue)
        {
            if (keyValue.Key is null || keyValue.Value is null) return;
            var keys = KeyParts(keyValue.Key);
            if (keys.Count == 0) return;
            var parent = Navigate(table, keys, keys.Count - 1);
            if (parent is null) return;
            var (lastKey, lastLocation) = keys[keys.Count - 1];
            if (parent.Find(lastKey) is not null)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateKey, lastLocation, JoinKeys(keys)));
                return;
            }
            var value = Convert(keyValue.Value);
            if (value is null) return;
            parent.Add(new TomlEntry(lastKey, lastLocation, value));
        }

        private TomlNode? Convert(ValueSyntax value)
        {
            var location = Locate(value);
            switch (value)
            {
                case StringValueSyntax s:
                {
                    var decoded = s.Value ?? "";
                    var token = s.Token;
                    StringLiteralMap? map = null;
                    if (token?.Text is { } raw)
                        map = StringLiteralMap.Build(_lines, raw, ClampOffset(token.Span.Start.Offset, _text), decoded);
                    return new TomlScalarNode(location, TomlScalarKind.String, decoded, map);
                }
                case IntegerValueSyntax i:
                    return new TomlScalarNode(location, TomlScalarKind.Integer, i.Value);
                case FloatValueSyntax f:
                    return new TomlScalarNode(location, TomlScalarKind.Float, f.Value);
                case BooleanValueSyntax b:
                    return new TomlScalarNode(location, TomlScalarKind.Boolean, b.Value);
                case DateTimeValueSyntax d:
                    return new TomlScalarNode(location, TomlScalarKind.DateTime, d.Token?.Text ?? d.Value.ToString());
                case ArraySyntax a:
                {
                    var array = new TomlArrayNode(location, isArrayOfTables: false);
                    foreach (var item in a.Items)
                    {
                        if (item.Value is null) continue;
                        var converted = Convert(item.Value);
                        if (converted is not null) array.Items.Add(converted);
                    }
                    return array;
                }
                case InlineTableSyntax t:
                {
                    var table = new TomlTableNode(location) { IsInline = true };
                    foreach (var item in t.Items)
                    {
                        if (item.KeyValue is not null) AddKeyValue(table, item.KeyValue);
                    }
                    return table;
                }
                default:
                    return null;
            }
        }

        private List<(string Key, SourceLocation Location)> KeyParts(KeySyntax key)
        {
            var parts = new List<(string, SourceLocation)>();
            Add(key.Key);
            foreach (var dotted in key.DotKeys) Add(dotted.Key);
            return parts;

            void Add(BareKeyOrStringValueSyntax? part)
            {
                switch (part)
                {
                    case BareKeySyntax bare when bare.Key?.Text is { } text:
                        parts.Add((text, Locate(bare)));
                        break;
                    case StringValueSyntax quoted:
                        parts.Add((quoted.Value ?? "", Locate(quoted)));
                        break;
                }
            }
        }

        private static string JoinKeys(List<(string Key, SourceLocation Location)> keys, int count = -1)
        {
            if (count < 0) count = keys.Count;
            var names = new string[count];
            for (var i = 0; i < count; i++) names[i] = keys[i].Key;
            return string.Join(".", names);
        }
    }
}

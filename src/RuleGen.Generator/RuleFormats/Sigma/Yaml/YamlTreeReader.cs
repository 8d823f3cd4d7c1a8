using System;
using System.Collections.Generic;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace RuleGen.Generator.RuleFormats.Sigma.Yaml;

/// <summary>
/// Reads YAML text into <see cref="YamlNode"/> documents with their positions (YamlDotNet's event parser underneath).
/// Never throws: a syntax error ends reading and is returned with its position; documents read before it are kept.
/// </summary>
public static class YamlTreeReader
{
    /// <summary>
    /// The most nodes a document may have with its aliases expanded. Aliases share their node, so the tree stays as
    /// small as the text, but whoever walks it (metadata as JSON, the query text, lowering) visits every expansion:
    /// nine anchors of ten aliases each (a "billion laughs" alias bomb, 1 KB of text) would be 10^9 visits. Real rules
    /// have a few hundred nodes.
    /// </summary>
    public const long MaxExpandedNodes = 100_000;

    /// <summary>
    /// How deeply sequences and mappings may nest. YAML sets no limit, but this reader and everything that walks the
    /// tree recurse: beyond it a file is a located error instead of a stack overflow that would take the compiler down.
    /// Real rules nest a handful of levels.
    /// </summary>
    public const int MaxNesting = 200;

    public static (IReadOnlyList<YamlNode> Documents, YamlError? Error) Read(string text)
    {
        var documents = new List<YamlNode>();
        var anchors = new Dictionary<string, (YamlNode Node, long Size)>(StringComparer.Ordinal);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                anchors.Clear();
                long expanded = 0;
                var node = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, anchors, ref expanded, 0, text.Length);
                parser.Consume<DocumentEnd>();
                if (node is not null) documents.Add(node);
            }
            parser.Consume<StreamEnd>();
            return (documents, null);
        }
        catch (YamlException ex)
        {
            return (documents, new YamlError(Clean(ex.Message), Span(ex.Start, ex.End, text.Length)));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return (documents, new YamlError(ex.Message, default));
        }
    }

    private static string Clean(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 40) - (Line: ...): "; the location is reported separately.
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && at > 0 ? message.Substring(at + 3) : message;
    }

    /// <summary>Reads one node; <paramref name="expanded"/> counts the document's nodes with aliases expanded.</summary>
    private static YamlNode ReadNode(IParser parser, Dictionary<string, (YamlNode Node, long Size)> anchors, ref long expanded, int depth, int textLength)
    {
        if (depth > MaxNesting && parser.Current is { } deep and (SequenceStart or MappingStart))
            throw new YamlException(deep.Start, deep.End, $"sequences and maps nest more than {MaxNesting} levels deep here; flatten the file");
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out var target)) throw new YamlException(alias.Start, alias.End, $"Unknown alias '*{alias.Value.Value}'");
            expanded += target.Size;
            if (expanded > MaxExpandedNodes)
                throw new YamlException(alias.Start, alias.End, $"the alias '*{alias.Value.Value}' expands the document to more than {MaxExpandedNodes:N0} nodes (an alias bomb?); write the values out or use fewer aliases");
            return target.Node;
        }
        var before = expanded++;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var quoted = scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value is "tag:yaml.org,2002:str" or "!!str");
            var (kind, canonical) = quoted ? (YamlScalarKind.String, scalar.Value) : YamlResolver.Resolve(scalar.Value);
            var node = new YamlScalar(Span(scalar.Start, scalar.End, textLength), scalar.Value, quoted, kind, canonical);
            Remember(anchors, scalar.Anchor, node, expanded - before);
            return node;
        }
        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<YamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out var end))
            {
                items.Add(ReadNode(parser, anchors, ref expanded, depth + 1, textLength));
                continue;
            }
            var node = new YamlSequence(Span(sequenceStart.Start, sequenceStart.End, textLength), items);
            Remember(anchors, sequenceStart.Anchor, node, expanded - before);
            return node;
        }
        if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            var entries = new List<YamlEntry>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode(parser, anchors, ref expanded, depth + 1, textLength);
                var value = ReadNode(parser, anchors, ref expanded, depth + 1, textLength);
                if (key is not YamlScalar keyScalar)
                    throw new YamlException(Start(key), Start(key), "A key must be a plain value, not " + key.Describe());
                entries.Add(new YamlEntry(keyScalar, value));
            }
            var node = new YamlMapping(Span(mappingStart.Start, mappingStart.End, textLength), entries);
            Remember(anchors, mappingStart.Anchor, node, expanded - before);
            return node;
        }
        var unexpected = parser.Current;
        throw new YamlException(unexpected?.Start ?? Mark.Empty, unexpected?.End ?? Mark.Empty, "Unexpected YAML content");
    }

    private static Mark Start(YamlNode node) => new(node.Span.Start, node.Span.Line + 1, node.Span.Column + 1);

    private static void Remember(Dictionary<string, (YamlNode, long)> anchors, AnchorName anchor, YamlNode node, long size)
    {
        if (!anchor.IsEmpty) anchors[anchor.Value] = (node, size);
    }

    /// <summary>
    /// The span between two marks, inside the text: YamlDotNet places the empty document after a final <c>---</c>
    /// one character past the end of the text, which would make its diagnostic point outside the file.
    /// </summary>
    private static YamlSpan Span(Mark start, Mark end, int textLength)
    {
        var s = (int)Math.Min(textLength, Math.Max(0, start.Index));
        var e = (int)Math.Min(textLength, Math.Max(s, end.Index));
        return new YamlSpan(s, e - s, (int)Math.Max(0, start.Line - 1), (int)Math.Max(0, start.Column - 1),
            (int)Math.Max(0, end.Line - 1), (int)Math.Max(0, end.Column - 1));
    }
}

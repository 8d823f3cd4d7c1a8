using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Emit;

/// <summary>A few neighbouring rules' metadata JSON (<see cref="MetadataEmitter.RuleInfoJson"/>), before compression.</summary>
public sealed record MetadataBlock(int Index, EquatableArray<string> TypeNames, EquatableArray<string> Json);

/// <summary>A <see cref="MetadataBlock"/> as the generated code carries it: its lines deflated, then base64.</summary>
public sealed record CompressedMetadataBlock(int Index, EquatableArray<string> TypeNames, string Base64);

/// <summary>
/// Emits the metadata of all compiled rules as one nested class, <c>Rules.Metadata</c>: the runtime's
/// <c>RuleMetadataStore</c> over blocks of <see cref="RulesPerBlock"/> rules, each block the rules' JSON lines
/// deflated and base64-encoded in a UTF-8 literal. Each rule's <c>Info</c> asks the store by its type name.
/// </summary>
/// <remarks>
/// Pure functions in three steps, each cached on its own by the pipeline: <see cref="Blocks"/> (the JSON of every
/// rule, grouped), <see cref="Compress"/> (per block: a one-rule edit compresses one block again) and
/// <see cref="Emit"/>. Neighbouring rules share most of their words (MITRE names and links, note templates, field
/// names), so a block compresses to about a quarter of its JSON; a rule's own file keeps its name, severity, source
/// and query in its doc comment for the reader.
/// </remarks>
public static class MetadataStoreEmitter
{
    /// <summary>Rules per block: large enough to share words, small enough that one rule's first read inflates little.</summary>
    public const int RulesPerBlock = 16;

    /// <summary>The nested class of <c>Rules</c> that holds the store (a name no rule's type may take).</summary>
    public const string ClassName = "Metadata";

    /// <summary>The generated file's name.</summary>
    public const string HintName = "RuleMetadata.g.cs";

    /// <summary>The rules' metadata JSON in rule order, <see cref="RulesPerBlock"/> to a block.</summary>
    public static ImmutableArray<MetadataBlock> Blocks(EquatableArray<RuleEmitInput> rules)
    {
        var blocks = ImmutableArray.CreateBuilder<MetadataBlock>((rules.Count + RulesPerBlock - 1) / RulesPerBlock);
        for (var start = 0; start < rules.Count; start += RulesPerBlock)
        {
            var members = Enumerable.Range(start, Math.Min(RulesPerBlock, rules.Count - start)).Select(i => rules[i]).ToList();
            blocks.Add(new MetadataBlock(start / RulesPerBlock,
                members.Select(r => r.TypeName).ToEquatableArray(),
                members.Select(r => MetadataEmitter.RuleInfoJson(r.Rule.Metadata, r.DisplayPath)).ToEquatableArray()));
        }
        return blocks.MoveToImmutable();
    }

    /// <summary>The block's JSON, one rule per line (JSON text holds no raw line break), deflated, as base64.</summary>
    public static CompressedMetadataBlock Compress(MetadataBlock block)
    {
        var text = new UTF8Encoding(false, false).GetBytes(string.Join("\n", block.Json));
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(text, 0, text.Length);
        }
        return new CompressedMetadataBlock(block.Index, block.TypeNames, Convert.ToBase64String(output.GetBuffer(), 0, (int)output.Length));
    }

    /// <summary>The store's source, or null when no rule compiled.</summary>
    public static string? Emit(string ns, ImmutableArray<CompressedMetadataBlock> blocks)
    {
        if (blocks.IsDefaultOrEmpty) return null;
        var ordered = blocks.OrderBy(b => b.Index).ToList();
        var count = ordered.Sum(b => b.TypeNames.Count);
        var w = new SourceWriter();
        RuleEmitter.FileHeader(w, $"{count} rule file(s)");
        w.Line($"namespace {ns};");
        w.Line();
        using (w.Block("public static partial class Rules"))
        {
            w.Line("/// <summary>");
            w.Line($"/// The metadata of the {count} compiled rules (each rule's <c>Info</c>), as data: every rule's <c>RuleInfo</c> as JSON, one");
            w.Line($"/// rule per line, {RulesPerBlock} rules to a block, each block deflated and base64-encoded. A rule's block is inflated and its");
            w.Line("/// line decoded when its <c>Info</c> is first read; nothing here runs before that.");
            w.Line("/// </summary>");
            w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"RuleGen\", \"{RuleEmitter.GeneratorVersion}\")]");
            using (w.Block($"internal static class {ClassName}"))
            {
                w.Line($"internal static {ConditionEmitter.Rt}RuleMetadataStore Store {{ get; }} = new({RulesPerBlock}, Names, Block);");
                w.Line();
                w.Line($"// The rules' type names in store order, one line of {RulesPerBlock} per block.");
                w.Line("private const string Names =");
                for (var i = 0; i < ordered.Count; i++)
                {
                    var line = string.Join("\n", ordered[i].TypeNames) + (i + 1 < ordered.Count ? "\n" : "");
                    w.Line($"    {Literals.String(line)}{(i + 1 < ordered.Count ? " +" : ";")}");
                }
                w.Line();
                w.Line("private static global::System.ReadOnlySpan<byte> Block(int block) => block switch");
                w.Line("{");
                using (w.Indent())
                {
                    foreach (var block in ordered)
                        w.Line($"{block.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)} => \"{block.Base64}\"u8,");
                    w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(block)),");
                }
                w.Line("};");
            }
        }
        return w.ToString();
    }
}

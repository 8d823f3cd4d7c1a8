using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Emit;
using RuleGen.Generator.FieldTypes;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;
using RuleGen.Generator.RuleFormats.Elastic;
using RuleGen.Generator.RuleFormats.Sigma;

namespace RuleGen.Generator;

/// <summary>The options that apply to the whole compilation.</summary>
public sealed record GeneratorOptions(string Namespace, string ProjectDirectory)
{
    /// <summary>The Sigma field profile of rule files whose folder names none (MSBuild property RuleGenSigmaProfile; default flat).</summary>
    public string SigmaProfile { get; init; } = "";

    public const string DefaultNamespace = "RuleGen.Generated";
}

/// <summary>
/// One rule file as the pipeline sees it: path, text, the path shown to users, and its per-file MSBuild metadata
/// (<c>RuleGenProfile</c>: the Sigma field-resolution profile; <c>RuleGenRuleSet</c>: the rule sets the file belongs
/// to, separated by <c>,</c> or <c>;</c>; both empty when unset).
/// </summary>
public sealed record RuleFileInput(string Path, string DisplayPath, string Text, string Profile = "", string RuleSets = "")
{
    /// <summary>The user's field-type declarations (Elastic rules' field types; see FieldTypes/).</summary>
    public FieldTypeOverrides FieldTypes { get; init; } = FieldTypeOverrides.None;
}

/// <summary>
/// RuleGen's incremental generator. Each rule file (an AdditionalFile ending in .toml, .yml or .yaml) is parsed on
/// its own into a <see cref="RuleModel"/>; only naming and the rule set look at all rules together, and both are
/// cheap. Every step is named for the incrementality tests.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RuleGenGenerator : IIncrementalGenerator
{
    public static class Steps
    {
        public const string Options = "Options";
        public const string FieldTypes = "FieldTypes";
        public const string RuleFiles = "RuleFiles";
        public const string ParsedRules = "ParsedRules";
        public const string NamedRules = "NamedRules";
        public const string EmittedRules = "EmittedRules";
        public const string RuleSet = "RuleSet";
        public const string MetadataBlocks = "MetadataBlocks";
        public const string Metadata = "Metadata";
        public const string Gates = "Gates";
        public const string SigmaConfig = "SigmaConfig";
        public const string SigmaFilters = "SigmaFilters";
        public const string FilteredRules = "FilteredRules";
        public const string NoRuleFiles = "NoRuleFiles";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var options = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => ReadOptions(provider.GlobalOptions))
            .WithTrackingName(Steps.Options);

        // Field-type declarations: *.fieldtypes.tsv files and the RuleGenFieldTypes property. Their value (a record)
        // is equal after unrelated edits, so the rule files combined with it stay cached.
        var fieldTypeFiles = context.AdditionalTextsProvider
            .Where(static file => FieldTypeOverrides.IsDeclarationFile(file.Path))
            .Select(static (file, ct) => (file.Path, Text: file.GetText(ct)?.ToString() ?? ""))
            .Collect();
        var fieldTypeProperty = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => (
                List: provider.GlobalOptions.TryGetValue("build_property._RuleGenFieldTypeList", out var value) ? value : "",
                // RuleGenUndeclaredFields=dynamic: undeclared fields are text + .keyword, as dynamic mapping makes strings.
                Dynamic: provider.GlobalOptions.TryGetValue("build_property.RuleGenUndeclaredFields", out var undeclared)
                    && string.Equals(undeclared.Trim(), FieldTypeOverrides.DynamicStringsOption, StringComparison.OrdinalIgnoreCase)));
        var fieldTypes = fieldTypeFiles
            .Combine(fieldTypeProperty)
            .Select(static (pair, _) => FieldTypeOverrides.Parse(pair.Left, pair.Right.List, pair.Right.Dynamic))
            .WithTrackingName(Steps.FieldTypes);

        context.RegisterSourceOutput(fieldTypes, static (spc, types) =>
        {
            foreach (var diagnostic in types.Diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        var candidates = context.AdditionalTextsProvider
            .Where(static file => IsRuleFile(file.Path))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, _) =>
            {
                pair.Right.GetOptions(pair.Left).TryGetValue("build_metadata.AdditionalFiles.RuleGenKind", out var kind);
                return (File: pair.Left, IsSigmaConfig: string.Equals(kind, "SigmaConfig", StringComparison.OrdinalIgnoreCase));
            });

        // A project with no rule files at all is told where rules are looked for (RG0016, info): the count of rule files,
        // then the diagnostic, both plain values, so adding or editing other files leaves the step cached.
        var noRuleFiles = candidates
            .Where(static c => !c.IsSigmaConfig)
            .Collect()
            .Select(static (files, _) => files.Length)
            .Combine(options)
            .Select(static (pair, _) => NoRuleFilesDiagnostic(pair.Left, pair.Right))
            .WithTrackingName(Steps.NoRuleFiles);

        context.RegisterSourceOutput(noRuleFiles, static (spc, diagnostic) =>
        {
            if (diagnostic is not null) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        // Sigma configuration files (RuleGenSigmaConfig items): placeholder values and field/logsource mappings.
        var sigmaConfig = candidates
            .Where(static c => c.IsSigmaConfig)
            .Select(static (c, ct) => SigmaConfig.Parse(c.File.Path, c.File.GetText(ct)?.ToString() ?? ""))
            .Collect()
            .Select(static (configs, _) => SigmaConfig.Merge(configs.OrderBy(c => c.Diagnostics.Count)))
            .WithTrackingName(Steps.SigmaConfig);

        context.RegisterSourceOutput(sigmaConfig, static (spc, config) =>
        {
            foreach (var diagnostic in config.Diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        var files = candidates
            .Where(static c => !c.IsSigmaConfig)
            .Select(static (c, _) => c.File)
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Combine(options)
            .Combine(fieldTypes)
            .Select(static (pair, ct) =>
            {
                var (((file, provider), opts), types) = pair;
                var fileOptions = provider.GetOptions(file);
                fileOptions.TryGetValue("build_metadata.AdditionalFiles.RuleGenRoot", out var root);
                fileOptions.TryGetValue("build_metadata.AdditionalFiles.RuleGenProfile", out var profile);
                fileOptions.TryGetValue("build_metadata.AdditionalFiles.RuleGenRuleSet", out var ruleSets);
                var text = file.GetText(ct)?.ToString() ?? "";
                var display = DisplayPath(file.Path, string.IsNullOrEmpty(root) ? opts.ProjectDirectory : root!);
                return new RuleFileInput(file.Path, display, text, string.IsNullOrWhiteSpace(profile) ? opts.SigmaProfile : profile!, ruleSets ?? "") { FieldTypes = types };
            })
            .WithTrackingName(Steps.RuleFiles);

        var parsed = files
            .Combine(sigmaConfig)
            .SelectMany(static (pair, _) => ParseRules(pair.Left, pair.Right))
            .WithTrackingName(Steps.ParsedRules);

        context.RegisterSourceOutput(parsed, static (spc, rule) =>
        {
            foreach (var diagnostic in rule.Diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        // Sigma filters (rule folders and the config), then each rule with the filters that name it ANDed in. The
        // filter list is equal after an edit that touches no filter, so the rules it is combined with stay cached.
        var filters = parsed.Collect()
            .Combine(sigmaConfig)
            .Select(static (pair, _) => SigmaFilterPlan.Collect(pair.Left, pair.Right))
            .WithTrackingName(Steps.SigmaFilters);
        var filtered = parsed
            .Combine(filters)
            .Combine(sigmaConfig)
            .Select(static (pair, _) => SigmaFilterPlan.Apply(pair.Left.Left, pair.Left.Right, pair.Right))
            .WithTrackingName(Steps.FilteredRules);

        var named = filtered.Collect()
            .Combine(options)
            .Combine(sigmaConfig)
            .Select(static (pair, _) => NameRules(pair.Left.Left, pair.Left.Right, pair.Right))
            .WithTrackingName(Steps.NamedRules);

        context.RegisterSourceOutput(named, static (spc, set) =>
        {
            foreach (var diagnostic in set.Diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        var emitted = named
            .SelectMany(static (set, _) => set.Rules)
            .Select(static (input, _) => EmitRule(input))
            .WithTrackingName(Steps.EmittedRules);

        context.RegisterSourceOutput(emitted, static (spc, file) =>
        {
            if (file.Error is not null) spc.ReportDiagnostic(file.Error.ToDiagnostic());
            spc.AddSource(file.HintName, SourceText.From(file.Source, Encoding.UTF8));
        });

        // The rules' metadata as compressed data (Emit/MetadataStoreEmitter): compressed a block at a time, so a
        // one-rule edit compresses one block again; then one file with every block.
        var metadataBlocks = named
            .SelectMany(static (set, _) => MetadataStoreEmitter.Blocks(set.Rules))
            .Select(static (block, _) => MetadataStoreEmitter.Compress(block))
            .WithTrackingName(Steps.MetadataBlocks);
        var metadata = metadataBlocks.Collect()
            .Combine(options)
            .Select(static (pair, _) => MetadataStoreEmitter.Emit(pair.Right.Namespace, pair.Left))
            .WithTrackingName(Steps.Metadata);

        context.RegisterSourceOutput(metadata, static (spc, source) =>
        {
            if (source is not null) spc.AddSource(MetadataStoreEmitter.HintName, SourceText.From(source, Encoding.UTF8));
        });

        // The logsource gates that rules share, emitted once (Emit/GateEmitter).
        var gates = named
            .Select(static (set, _) => (set.Namespace, Gates: GateEmitter.Plan(set.Rules)))
            .WithTrackingName(Steps.Gates);

        context.RegisterSourceOutput(gates, static (spc, plan) =>
        {
            if (GateEmitter.Emit(plan.Namespace, plan.Gates) is { } source) spc.AddSource(GateEmitter.HintName, SourceText.From(source, Encoding.UTF8));
        });

        // One rule set per name (RuleGenRuleSet metadata; RuleSet for files that name none), each emitted on its own.
        var ruleSets = named
            .SelectMany(static (set, _) => RuleSetPlan.ForEachName(set.Namespace, set.Rules, set.Correlations))
            .Select(static (plan, _) => (HintName: plan.ClassName + ".g.cs", Source: RuleSetEmitter.Emit(plan)))
            .WithTrackingName(Steps.RuleSet);

        context.RegisterSourceOutput(ruleSets, static (spc, file) =>
            spc.AddSource(file.HintName, SourceText.From(file.Source, Encoding.UTF8)));
    }

    /// <summary>
    /// RG0016 when <paramref name="ruleFiles"/> is 0: located at the start of the project's default rule folder (a
    /// build prints it as <c>rules(1,1): info RG0016: ...</c>), the folder the message names.
    /// </summary>
    public static DiagnosticInfo? NoRuleFilesDiagnostic(int ruleFiles, GeneratorOptions options)
    {
        if (ruleFiles > 0) return null;
        var folder = string.IsNullOrEmpty(options.ProjectDirectory) ? "rules" : System.IO.Path.Combine(options.ProjectDirectory, "rules");
        return DiagnosticInfo.Create(DiagnosticDescriptors.NoRuleFiles, SourceLocation.FileStart(folder), folder);
    }

    public static bool IsRuleFile(string path) =>
        path.EndsWith(".toml", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase);

    private static GeneratorOptions ReadOptions(AnalyzerConfigOptions global)
    {
        global.TryGetValue("build_property.RuleGenNamespace", out var ns);
        global.TryGetValue("build_property.ProjectDir", out var projectDir);
        global.TryGetValue("build_property.RuleGenSigmaProfile", out var sigmaProfile);
        return new GeneratorOptions(
            IsValidNamespace(ns) ? ns!.Trim() : GeneratorOptions.DefaultNamespace,
            projectDir ?? "") { SigmaProfile = sigmaProfile?.Trim() ?? "" };
    }

    private static bool IsValidNamespace(string? ns)
    {
        if (string.IsNullOrWhiteSpace(ns)) return false;
        foreach (var part in ns!.Trim().Split('.'))
        {
            if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(part)) return false;
        }
        return true;
    }

    /// <summary>The path relative to the project, with forward slashes (stable across machines).</summary>
    public static string DisplayPath(string path, string projectDirectory)
    {
        var normalized = path.Replace('\\', '/');
        var root = projectDirectory.Replace('\\', '/');
        if (root.Length > 0 && !root.EndsWith("/", StringComparison.Ordinal)) root += "/";
        if (root.Length > 0 && normalized.StartsWith(root, StringComparison.Ordinal)) return normalized.Substring(root.Length);
        return normalized;
        // (A file outside the project and without RuleGenRoot keeps its full path: unambiguous beats short.)
    }

    /// <summary>Parses one rule file; never throws (an unexpected failure becomes RG0009 on that file).</summary>
    public static RuleModel ParseRule(RuleFileInput file) => ParseRules(file, SigmaConfig.Empty)[0];

    /// <summary>
    /// Parses one rule file into its rules (a Sigma file may hold several YAML documents); never throws (an
    /// unexpected failure becomes RG0009 on that file).
    /// </summary>
    public static ImmutableArray<RuleModel> ParseRules(RuleFileInput file, SigmaConfig sigmaConfig)
    {
        try
        {
            var models = file.Path.EndsWith(".toml", StringComparison.OrdinalIgnoreCase)
                ? ImmutableArray.Create(ElasticRuleParser.Parse(file.Path, file.Text, file.FieldTypes))
                : SigmaRuleParser.ParseAll(file.Path, file.Text, file.Profile, sigmaConfig);
            var ruleSets = RuleSetNames.Parse(file.RuleSets);
            return models.Select(model => model with
            {
                DisplayPath = file.DisplayPath,
                RuleSets = ruleSets,
                Filter = model.Filter is null ? null : model.Filter with { DisplayPath = file.DisplayPath, RuleSets = ruleSets },
            }).ToImmutableArray();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, SourceLocation.FileStart(file.Path), ex.GetType().Name + ": " + ex.Message);
            return ImmutableArray.Create(new RuleModel(file.Path, RuleFormat.Elastic, new RuleMetadata(), null, EquatableArray.Create(diagnostic)) { DisplayPath = file.DisplayPath });
        }
    }

    /// <summary>The compiled rules with their type names, sorted by path; and the diagnostics that need all rules.</summary>
    public sealed record NamedRuleSet(string Namespace, EquatableArray<RuleEmitInput> Rules, EquatableArray<DiagnosticInfo> Diagnostics)
    {
        /// <summary>The Sigma correlation rules of each rule set, resolved against its rules (Planning/CorrelationPlan).</summary>
        public EquatableArray<CorrelationSet> Correlations { get; init; } = EquatableArray<CorrelationSet>.Empty;
    }

    public static NamedRuleSet NameRules(ImmutableArray<RuleModel> rules, GeneratorOptions options, SigmaConfig? sigmaConfig = null)
    {
        var compiled = rules.Where(r => r.IsCompiled).OrderBy(r => r.SourcePath, StringComparer.Ordinal).ThenBy(r => r.Metadata.Id, StringComparer.Ordinal).ToList();
        var names = TypeNames.Assign(compiled.Select(r => (r.Metadata.Name, r.Metadata.Id, r.SourcePath)).ToList(),
            new HashSet<string>(new[] { "Rules", "RuleSet", MetadataStoreEmitter.ClassName, GateEmitter.ClassName }.Concat(RuleEmitter.MemberNames)));
        var inputs = compiled.Select((r, i) => new RuleEmitInput(r, names[i], options.Namespace, r.DisplayPath));

        var diagnostics = new List<DiagnosticInfo>();
        foreach (var rule in compiled)
        {
            foreach (var name in rule.RuleSets.Where(n => !RuleSetNames.IsValid(n)))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidRuleSetName, SourceLocation.FileStart(rule.SourcePath), name));
        }
        foreach (var group in rules.Where(r => r.Metadata.Id.Length > 0).GroupBy(r => r.Metadata.Id).Where(g => g.Count() > 1))
        {
            var ordered = group.OrderBy(r => r.SourcePath, StringComparer.Ordinal).ToList();
            foreach (var rule in ordered.Skip(1))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateRuleId, rule.IdLocation ?? SourceLocation.FileStart(rule.SourcePath),
                    rule.Metadata.Id, ordered[0].DisplayPath));
            }
        }
        var emitInputs = inputs.ToEquatableArray();
        var (correlations, correlationDiagnostics) = CorrelationPlan.Resolve(emitInputs, rules.Where(r => r.Correlation is not null).ToList(), sigmaConfig ?? SigmaConfig.Empty);
        diagnostics.AddRange(correlationDiagnostics);
        diagnostics.AddRange(SigmaFilterPlan.Unused(rules, SigmaFilterPlan.Collect(rules, sigmaConfig ?? SigmaConfig.Empty)));
        return new NamedRuleSet(options.Namespace, emitInputs, diagnostics.ToEquatableArray()) { Correlations = correlations };
    }

    private static string HintName(RuleEmitInput input) => "Rules." + input.TypeName + ".g.cs";

    /// <summary>One rule's generated file, and the error (RG0009) when its emission failed.</summary>
    public sealed record EmittedRule(string HintName, string Source, DiagnosticInfo? Error);

    /// <summary>
    /// Emits one rule; never throws. Should the emitter fail on a rule (a RuleGen bug), that rule gets RG0009 and a
    /// stand-in that never matches, so the rule set and the other rules still compile.
    /// </summary>
    public static EmittedRule EmitRule(RuleEmitInput input)
    {
        try
        {
            return new EmittedRule(HintName(input), RuleEmitter.Emit(input), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, SourceLocation.FileStart(input.Rule.SourcePath),
                "emitting code: " + ex.GetType().Name + ": " + ex.Message);
            return new EmittedRule(HintName(input), RuleEmitter.EmitStandIn(input), error);
        }
    }
}

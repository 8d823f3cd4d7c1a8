using System.Collections.Generic;
using System.Linq;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;

namespace RuleGen.Generator.Emit;

/// <summary>What the emitter needs for one rule: the model, its type name, namespace and the path shown to users.</summary>
public sealed record RuleEmitInput(RuleModel Rule, string TypeName, string Namespace, string DisplayPath);

/// <summary>
/// Emits one compiled rule as a class nested in <c>Rules</c>: its metadata (<c>Info</c>) and <c>Evaluate</c> over a
/// scanned event (what the rule set calls), with the fields it reads and <c>IsMatch</c> over UTF-8 JSON from its base,
/// the runtime's <c>EventRule</c> (a sequence: a static class with its own members).
/// A pure function of <see cref="RuleEmitInput"/>.
/// </summary>
public static class RuleEmitter
{
    public const string GeneratorVersion = "0.1.0";

    /// <summary>Names a rule class declares, which a rule's own type name must not take (C# forbids a member named like its type).</summary>
    public static IEnumerable<string> MemberNames { get; } = new[]
    {
        "Info", "Metadata", "Fields", "IsMatch", "IsDetectionMatch", "Evaluate", "EvaluateGate", "EvaluateDetection", "Schema",
        "Sequence", "MatchSteps", "EvaluateSteps", "Until",
    }.Concat(Enumerable.Range(0, 63).Select(i => "Step" + i)).ToArray();

    public static string Emit(RuleEmitInput input)
    {
        var rule = input.Rule;
        var meta = rule.Metadata;
        var gate = rule.Gate;
        var fields = RuleFields.OfRule(rule);
        var w = new SourceWriter();
        FileHeader(w, input.DisplayPath);
        w.Line($"namespace {input.Namespace};");
        w.Line();
        using (w.Block("public static partial class Rules"))
        {
            w.Line($"/// <summary>{Literals.Xml(meta.Name)} ({Literals.Xml(meta.Severity)}, risk {meta.RiskScore}).</summary>");
            w.Line("/// <remarks>");
            w.Line($"/// From <c>{Literals.Xml(input.DisplayPath)}</c>, rule <c>{Literals.Xml(meta.Id)}</c> ({Literals.Xml(meta.Type)}).<br/>");
            if (meta.Query is { } query)
            {
                w.Line($"/// Query ({Literals.Xml(meta.Language)}):");
                w.Line("/// <code>");
                foreach (var line in query.Replace("\r\n", "\n").Trim('\n').Split('\n')) w.Line("/// " + Literals.Xml(line));
                w.Line("/// </code>");
            }
            if (rule.AppliedFilters.Count > 0)
            {
                // Sigma filters change what the rule matches: say so where the rule's query is shown.
                w.Line("/// Sigma filters ANDed into the condition (the checks below include them):<br/>");
                foreach (var filter in rule.AppliedFilters) w.Line($"/// - <c>{Literals.Xml(filter)}</c><br/>");
            }
            w.Line("/// </remarks>");
            w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"RuleGen\", \"{GeneratorVersion}\")]");
            // A single-event rule's Fields, IsMatch and IsDetectionMatch are its base's (the runtime's EventRule, over
            // this class's Evaluate and field table), written once for every rule rather than in each; with a shared
            // gate, so is Evaluate (the gate, then EvaluateDetection). A sequence has its own members.
            var t = input.TypeName;
            var rt = ConditionEmitter.Rt;
            var sharedGate = gate is null ? null : GateEmitter.SharedClassName(gate);
            var declaration = rule.Sequence is not null ? $"public static class {t}"
                : gate is null ? $"public sealed class {t} : {rt}EventRule<{t}, {t}.Schema>, {rt}IEventRule"
                : sharedGate is null ? $"public sealed class {t} : {rt}GatedEventRule<{t}, {t}.Schema>, {rt}IGatedEventRule"
                : $"public sealed class {t} : {rt}SharedGateEventRule<{t}, {t}.Schema, {GateEmitter.ClassName}.{sharedGate}>, {rt}IEventDetection";
            using (w.Block(declaration))
            {
                // The metadata is data in the project's metadata store (Rules.Metadata), decoded on first use and
                // cached there, so reading Info builds none of the rule's matchers.
                w.Line($"public static {ConditionEmitter.Rt}RuleInfo Info => {MetadataStoreEmitter.ClassName}.Store.Info(nameof({input.TypeName}));");
                if (rule.Sequence is { } sequence)
                {
                    w.Line($"public static global::System.Collections.Generic.IReadOnlyList<string> Fields {{ get; }} = new string[] {{ {string.Join(", ", fields.Fields.Select(f => Literals.String(f.ToString())))} }};");
                    w.Line();
                    SequenceEmitter.EmitMembers(w, sequence, fields, meta.Id);
                }
                else
                {
                    w.Line();
                    new ConditionEmitter(fields, meta.Id).EmitRuleMembers(w, rule.Condition!, gate);
                }
            }
        }
        return w.ToString();
    }

    /// <summary>
    /// A rule whose code could not be emitted: the members the rule set calls, matching nothing. The generator reports
    /// RG0009 with it, so the build fails with a message about the rule file rather than about generated code.
    /// </summary>
    public static string EmitStandIn(RuleEmitInput input)
    {
        var meta = input.Rule.Metadata;
        var w = new SourceWriter();
        FileHeader(w, input.DisplayPath);
        w.Line($"namespace {input.Namespace};");
        w.Line();
        using (w.Block("public static partial class Rules"))
        {
            w.Line($"/// <summary>{Literals.Xml(meta.Name)}: RuleGen could not generate this rule's code (see RG0009); it matches nothing.</summary>");
            using (w.Block($"public static class {input.TypeName}"))
            {
                w.Line($"public static {ConditionEmitter.Rt}RuleInfo Info {{ get; }} = new() {{ Id = {Literals.String(meta.Id)}, Name = {Literals.String(meta.Name)}, " +
                    $"Format = {Literals.String(meta.Format)}, Type = {Literals.String(meta.Type)}, Language = {Literals.String(meta.Language)}, " +
                    $"SourceFile = {Literals.String(input.DisplayPath)} }};");
                w.Line("public static global::System.Collections.Generic.IReadOnlyList<string> Fields { get; } = new string[0];");
                w.Line("public static bool IsMatch(global::System.ReadOnlySpan<byte> utf8Json) => false;");
                w.Line($"public static bool Evaluate(scoped in {ConditionEmitter.Rt}EventView ev) => false;");
                if (input.Rule.Gate is not null)
                {
                    w.Line("public static bool IsDetectionMatch(global::System.ReadOnlySpan<byte> utf8Json) => false;");
                    w.Line($"public static bool EvaluateDetection(scoped in {ConditionEmitter.Rt}EventView ev) => false;");
                }
            }
        }
        return w.ToString();
    }

    internal static void FileHeader(SourceWriter w, string source, string? rulesNamespace = null)
    {
        w.Line("// <auto-generated/>");
        w.Line($"// Generated by RuleGen {GeneratorVersion} from {Literals.Comment(source)}. Edit the rule file, not this file.");
        w.Line("#nullable enable");
        w.Line("#pragma warning disable CS1591");
        w.Line("using RuleGenRt = global::RuleGen.Runtime;");
        if (rulesNamespace is not null)
        {
            // The rule set's file: the rules' class, and the delegate its single-rule dispatch holds per rule.
            w.Line($"using {RulesAlias} = global::{rulesNamespace}.Rules;");
            w.Line($"using {RuleSetEmitter.MatchAlias} = global::RuleGen.Runtime.JsonEventMatch;");
        }
        w.Line();
    }

    /// <summary>The alias a rule set's file gives the <c>Rules</c> class (the set's own <c>Rules</c> property hides the class's name).</summary>
    internal const string RulesAlias = "RuleGenRules";
}

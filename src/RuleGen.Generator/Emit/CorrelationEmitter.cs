using System.Globalization;
using System.Linq;
using RuleGen.Generator.Planning;

namespace RuleGen.Generator.Emit;

/// <summary>
/// Emits a rule set's Sigma correlation rules as typed data (<c>Correlations</c>: one <c>CorrelationDefinition</c>
/// each, its references already resolved to rule indexes of the set), which a host evaluates over the matches of the
/// rules they name. Emitted only when the set has correlations.
/// </summary>
public static class CorrelationEmitter
{
    private const string Rt = ConditionEmitter.Rt;

    internal static void EmitMembers(SourceWriter w, RuleSetPlan plan)
    {
        w.Line($"private static readonly {Rt}CorrelationDefinition[] s_correlations = new {Rt}CorrelationDefinition[]");
        w.Line("{");
        using (w.Indent())
        {
            foreach (var c in plan.Correlations)
            {
                w.Line($"// {Literals.Comment(c.Metadata.Name)} ({c.DisplayPath}): {c.Type} within {Seconds(c.TimespanNanos)} s"
                    + (c.Condition.Count == 0 ? "" : $" when {Judged(c)} is " + string.Join(" and ", c.Condition.Select(k => k.Operator + " " + Number(k.Value)))));
                w.Line("new(");
                using (w.Indent())
                {
                    w.Line($"{Rt}RuleInfoJson.Read({Literals.Utf8(MetadataEmitter.RuleInfoJson(c.Metadata, c.DisplayPath))}),");
                    w.Line($"{Rt}CorrelationType.{TypeName(c.Type)},");
                    w.Line($"new {Rt}CorrelationSource[]");
                    w.Line("{");
                    using (w.Indent())
                    {
                        foreach (var s in c.Sources)
                        {
                            var target = s.RuleIndex >= 0 ? $"rule {s.RuleIndex}" : $"correlation {s.CorrelationIndex}";
                            w.Line($"// {Literals.Comment(s.Reference)}: {target}");
                            var paths = s.GroupByRefs.Count == 0 && s.ValueRef is null ? ""
                                : " { " + string.Join(", ", new[]
                                {
                                    s.GroupByRefs.Count == 0 ? null : "GroupByPaths = new string[][] { " + string.Join(", ", s.GroupByRefs.Select(f => Strings(f.Paths))) + " }",
                                    s.ValueRef is null ? null : "ValuePaths = " + Strings(s.ValueRef.Paths),
                                }.Where(p => p is not null)) + " }";
                            w.Line($"new({Literals.String(s.Reference)}, {s.RuleIndex}, {s.CorrelationIndex}, {Strings(s.GroupByFields)}, "
                                + (s.ValueField is null ? "null" : Literals.String(s.ValueField)) + ")" + paths + ",");
                        }
                    }
                    w.Line("},");
                    w.Line(Strings(c.GroupBy) + ",");
                    w.Line($"timespanNanos: {c.TimespanNanos.ToString(CultureInfo.InvariantCulture)}L,");
                    w.Line($"new {Rt}CorrelationCriterion[] {{ "
                        + string.Join(", ", c.Condition.Select(k => $"new({Rt}CorrelationOperator.{OperatorName(k.Operator)}, {Number(k.Value)}d)"))
                        + " },");
                    var init = new[]
                    {
                        c.Metadata.TimeFields.Count == 0 ? null : $"TimeFields = {Strings(c.Metadata.TimeFields)}",
                        c.Type is "value_percentile" or "value_median" ? $"Percentile = {Number(c.Percentile)}d" : null,
                    }.Where(p => p is not null).ToList();
                    w.Line($"generate: {Literals.Bool(c.Generate)})" + (init.Count == 0 ? "," : ""));
                    if (init.Count > 0) w.Line($"{{ {string.Join(", ", init)} }},");
                }
            }
        }
        w.Line("};");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Rt}CorrelationDefinition> Correlations => s_correlations;");
        w.Line();
    }

    private static string Strings(System.Collections.Generic.IEnumerable<string> values) =>
        "new string[] { " + string.Join(", ", values.Select(Literals.String)) + " }";

    /// <summary>A number as a C# literal body and as the comment shows it: the shortest text that reads back the same.</summary>
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>What the condition compares, for the comment: "the count", "the sum of Bytes", "the 95th percentile of Bytes".</summary>
    private static string Judged(CorrelationEntry c)
    {
        var field = c.Sources.Count > 0 ? c.Sources[0].ValueField : null;
        return c.Type switch
        {
            "value_sum" => $"the sum of {Literals.Comment(field ?? "")}",
            "value_avg" => $"the average of {Literals.Comment(field ?? "")}",
            "value_percentile" => $"percentile {Number(c.Percentile)} of {Literals.Comment(field ?? "")}",
            "value_median" => $"the median of {Literals.Comment(field ?? "")}",
            _ => "the count",
        };
    }

    private static string Seconds(long nanos) => (nanos / 1_000_000_000L).ToString(CultureInfo.InvariantCulture);

    private static string TypeName(string type) => type switch
    {
        "event_count" => "EventCount",
        "value_count" => "ValueCount",
        "temporal" => "Temporal",
        "value_sum" => "ValueSum",
        "value_avg" => "ValueAverage",
        "value_percentile" => "ValuePercentile",
        "value_median" => "ValueMedian",
        _ => "TemporalOrdered",
    };

    private static string OperatorName(string op) => op switch
    {
        "gt" => "GreaterThan",
        "gte" => "GreaterThanOrEqual",
        "lt" => "LessThan",
        "lte" => "LessThanOrEqual",
        "eq" => "Equal",
        _ => "NotEqual",
    };
}

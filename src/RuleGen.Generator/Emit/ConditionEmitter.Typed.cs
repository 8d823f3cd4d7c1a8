using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Emit;

// Emission of the field-type matchers (Model/TypedMatchers.cs): analysed text, lowercase-normalised keywords,
// Elasticsearch numbers, booleans and dates. Each becomes one call to EventView (Events/EventView.Elastic.cs).
internal sealed partial class ConditionEmitter
{
    private string? TypedMatcher(int slot, ValueMatcher matcher)
    {
        switch (matcher)
        {
            case TextPhraseMatcher phrase:
                return $"ev.AnyTextPhrase({slot}, {Static($"{Rt}TextPhrase", "phrase", Phrase(phrase, "new"))})";
            case TextPhraseSetMatcher set:
            {
                var phrases = string.Join(", ", set.Phrases.Select(p => Phrase(p, $"new {Rt}TextPhrase")));
                return $"ev.AnyTextPhraseIn({slot}, {Static($"{Rt}TextPhraseSet", "phrases", $"new({phrases})")})";
            }
            case TextTokenWildcardMatcher token:
                return $"ev.AnyTextToken({slot}, {WildcardStatic(token.Pattern)})";
            case LowercaseMatcher lowercase:
                return lowercase.Inner switch
                {
                    StringMatcher s => $"ev.AnyLowercased({slot}, {Rt}TextRelation.{s.Operation}, {Literals.Utf8(s.Value)})",
                    WildcardMatcher w => $"ev.AnyLowercasedWildcard({slot}, {WildcardStatic(w.Pattern)})",
                    StringSetMatcher set => $"ev.AnyLowercasedInSet({slot}, {Static($"{Rt}Utf8StringSet", "set", $"new(false, {string.Join(", ", set.Values.Select(Literals.String))})")})",
                    TextRangeMatcher range => $"ev.AnyLowercasedTextCompare({slot}, {Rt}NumberComparison.{Comparison(range.Operator)}, {Literals.Utf8(range.Value)})",
                    _ => null,
                };
            case ElasticNumberMatcher number:
                return $"ev.AnyElasticNumber({slot}, {Rt}ElasticNumberType.{NumberType(number.NumberType)}, {Rt}NumberComparison.{Comparison(number.Operator)}, {Literals.Double(number.Value)})";
            case ElasticBooleanMatcher boolean:
                return $"ev.AnyElasticBoolean({slot}, {Literals.Bool(boolean.Value)})";
            default:
                return null;
        }
    }

    private static string Phrase(TextPhraseMatcher phrase, string constructor) =>
        $"{constructor}({string.Join(", ", phrase.Tokens.Select(Literals.String))})";

    private string WildcardStatic(WildcardPattern pattern) =>
        Static($"{Rt}Wildcard", "wildcard", $"{Rt}Wildcard.Parse({Literals.String(pattern.ToString())}, ignoreCase: false)");

    private static string NumberType(string type) => type switch
    {
        "long" => "Long",
        "integer" => "Integer",
        "short" => "Short",
        "byte" => "Byte",
        "unsigned_long" => "UnsignedLong",
        "float" => "Float",
        "half_float" => "HalfFloat",
        "scaled_float" => "ScaledFloat",
        _ => "Double",
    };

    private string DateRange(DateRangePredicate date)
    {
        var clockSlots = string.Join(", ", date.Clock.Select(c => _fields.SlotOf(c).ToString(CultureInfo.InvariantCulture)));
        return $"ev.AnyDateBetween({_fields.SlotOf(date.Field)}, {Bound(date.Lower, long.MinValue)}, {Bound(date.Upper, long.MaxValue)})";

        string Bound(DateBound? bound, long unbounded)
        {
            if (bound is null) return unbounded == long.MinValue ? "long.MinValue" : "long.MaxValue";
            if (!bound.IsRelative) return bound.Millis.ToString(CultureInfo.InvariantCulture) + "L";
            var steps = string.Join(", ", bound.Steps.Select(s =>
                $"new {Rt}DateMathStep({Rt}DateMathOperation.{s.Operation}, {s.Amount.ToString(CultureInfo.InvariantCulture)}, {Rt}DateUnit.{s.Unit})"));
            var name = Static($"{Rt}DateMathStep[]", "dateMath", $"{{ {steps} }}");
            var offset = bound.Millis == 0 ? "" : $" + ({bound.Millis.ToString(CultureInfo.InvariantCulture)}L)";
            return $"{Rt}ElasticDate.Apply(ev.EventTimeMillis({clockSlots}), {name}){offset}";
        }
    }
}

/// <summary>English for the field-type matchers, in generated comments.</summary>
internal static class TypedDescriptions
{
    public static string Describe(ValueMatcher matcher) => matcher switch
    {
        TextPhraseMatcher p when p.Tokens.Count == 1 => $"has the token {Quote(p.Tokens[0])} (analysed text)",
        TextPhraseMatcher p => $"has the phrase {Quote(string.Join(" ", p.Tokens))} (analysed text)",
        TextPhraseSetMatcher s => $"has one of {s.Phrases.Count} phrases (analysed text)",
        TextTokenWildcardMatcher t => $"has a token matching {Quote(t.Pattern.ToString())} (analysed text)",
        LowercaseMatcher l => "lowercased " + PredicateDescriber.Describe(l.Inner),
        ElasticNumberMatcher n => $"is a number ({n.NumberType}) {PredicateDescriber.Operator(n.Operator)} {n.Value}",
        ElasticBooleanMatcher b => $"is the boolean {(b.Value ? "true" : "false")}",
        _ => matcher.GetType().Name,
    };

    public static string DateRange(DateRangePredicate d) =>
        $"from {Bound(d.Lower)} to {Bound(d.Upper)}";

    private static string Bound(DateBound? bound)
    {
        if (bound is null) return "any time";
        if (!bound.IsRelative)
            return System.DateTimeOffset.FromUnixTimeMilliseconds(bound.Millis).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var steps = string.Join("", bound.Steps.Select(s => s.Operation == "Add" ? $"{(s.Amount >= 0 ? "+" : "")}{s.Amount}{s.Unit}" : $"/{s.Unit}({s.Operation})"));
        return "now" + steps + (bound.Millis == 0 ? "" : $"{bound.Millis:+0;-0}ms") + " (now = the event's time)";
    }

    private static string Quote(string text) => "\"" + Literals.Comment(text) + "\"";
}

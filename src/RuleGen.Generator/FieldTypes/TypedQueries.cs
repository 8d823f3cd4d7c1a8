using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;
using RuleGen.Generator.Dates;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;
using RuleGen.Generator.Text;

namespace RuleGen.Generator.FieldTypes;

/// <summary>
/// The fields of one rule: their resolved types, the rule's clock (the fields date math's <c>now</c> reads) and the
/// Info diagnostic for fields of unknown type, reported once per field.
/// </summary>
public sealed class RuleFieldContext
{
    private readonly HashSet<string> _reportedUnknown = new(StringComparer.Ordinal);

    public RuleFieldContext(FieldTypeResolver types, IReadOnlyList<string> clockFields, List<DiagnosticInfo> diagnostics)
    {
        Types = types;
        ClockFields = clockFields;
        Diagnostics = diagnostics;
    }

    public FieldTypeResolver Types { get; }

    /// <summary>The rule's timestamp fields, in order of preference (timestamp_override, then @timestamp).</summary>
    public IReadOnlyList<string> ClockFields { get; }

    public List<DiagnosticInfo> Diagnostics { get; }

    /// <summary>Resolves a field of the rule, reporting RG0100 the first time an unknown field is met.</summary>
    public ResolvedField Resolve(string field, SourceLocation location)
    {
        var resolved = Types.Resolve(field);
        if (!resolved.IsKnown && _reportedUnknown.Add(field))
        {
            Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownFieldType, location, field));
        }
        return resolved;
    }
}

/// <summary>
/// Elasticsearch's queries on a typed field, lowered into the shared predicate model: what <c>match</c>,
/// <c>match_phrase</c>, <c>term</c>, <c>wildcard</c>, <c>query_string</c>, <c>range</c> and <c>exists</c> do on each
/// field type (keyword family, text, ip, numbers, boolean, date). KQL lowering and Kibana filters both use it, so a
/// field type means the same thing wherever a rule names the field. Values Elasticsearch would reject for the type
/// are errors (the rule would fail in Kibana and never alert).
/// </summary>
public sealed class TypedQueries
{
    private readonly RuleFieldContext _context;

    public TypedQueries(RuleFieldContext context) => _context = context;

    private List<DiagnosticInfo> Diagnostics => _context.Diagnostics;

    private static FieldRef Ref(ResolvedField field) => FieldRef.Of(field.Family() == FieldFamily.Flattened ? field.Path + ".*" : field.Path);

    /// <summary><c>exists</c> (KQL <c>f:*</c>): the field has a non-null value.</summary>
    public Predicate Exists(ResolvedField field) => new ExistsPredicate(Ref(field), ExistenceKind.NonNullValue);

    /// <summary>
    /// <c>match</c> (an unquoted KQL value): keyword-like fields compare the whole value, text fields match any of the
    /// value's tokens, other types parse the value as their type.
    /// </summary>
    public Predicate Match(ResolvedField field, string value, SourceLocation location) =>
        field.Family() == FieldFamily.Text ? AnyToken(field, value) : Term(field, value, location, "match");

    /// <summary><c>match_phrase</c> (a quoted KQL value): on text fields the tokens in order; otherwise as <see cref="Match"/>.</summary>
    public Predicate MatchPhrase(ResolvedField field, string value, SourceLocation location)
    {
        if (field.Family() != FieldFamily.Text) return Term(field, value, location, "match_phrase");
        var tokens = StandardAnalyzer.Analyze(value);
        // A phrase without tokens matches nothing (zero_terms_query: none).
        return tokens.Count == 0 ? ConstantPredicate.False : new FieldPredicate(Ref(field), new TextPhraseMatcher(tokens.ToEquatableArray()));
    }

    /// <summary>Several ORed phrases on one text field, tokenized once per value.</summary>
    public Predicate? PhraseSet(ResolvedField field, IReadOnlyList<string> values, bool quoted)
    {
        if (field.Family() != FieldFamily.Text) return null;
        var phrases = new List<TextPhraseMatcher>();
        foreach (var value in values)
        {
            var tokens = StandardAnalyzer.Analyze(value);
            if (quoted) { if (tokens.Count > 0) phrases.Add(new TextPhraseMatcher(tokens.ToEquatableArray())); }
            else phrases.AddRange(tokens.Select(t => new TextPhraseMatcher(EquatableArray.Create(t))));
        }
        var distinct = phrases.Distinct().ToList();
        if (distinct.Count == 0) return ConstantPredicate.False;
        return distinct.Count == 1
            ? new FieldPredicate(Ref(field), distinct[0])
            : new FieldPredicate(Ref(field), new TextPhraseSetMatcher(distinct.ToEquatableArray()));
    }

    private Predicate AnyToken(ResolvedField field, string value)
    {
        // match's default operator is OR: any token of the value.
        var tokens = StandardAnalyzer.Analyze(value).Distinct(StringComparer.Ordinal).ToList();
        if (tokens.Count == 0) return ConstantPredicate.False;
        if (tokens.Count == 1) return new FieldPredicate(Ref(field), new TextPhraseMatcher(EquatableArray.Create(tokens[0])));
        return new FieldPredicate(Ref(field), new TextPhraseSetMatcher(tokens.Select(t => new TextPhraseMatcher(EquatableArray.Create(t))).ToEquatableArray()));
    }

    /// <summary>
    /// A single term (<c>term</c>, and <c>match</c> on an unanalysed field): exact on keywords (lowercased first with a
    /// lowercase normalizer), one token on text, the typed value elsewhere.
    /// </summary>
    public Predicate Term(ResolvedField field, string value, SourceLocation location, string query = "term")
    {
        var reference = Ref(field);
        switch (field.Family())
        {
            case FieldFamily.Keyword:
            case FieldFamily.Flattened:
                return field.Type.Lowercase
                    ? new FieldPredicate(reference, new LowercaseMatcher(Matchers.Exact(StandardAnalyzer.Lowercase(value), CaseMode.Sensitive, ValueKinds.Scalars)))
                    : new FieldPredicate(reference, Matchers.Exact(value, CaseMode.Sensitive, ValueKinds.Scalars));
            case FieldFamily.Text:
                return new FieldPredicate(reference, new TextPhraseMatcher(EquatableArray.Create(value)));
            case FieldFamily.Ip:
                if (!IsIpOrCidr(value))
                    return Invalid(field, value, location, "IP address", "write an IPv4 or IPv6 address, or a CIDR range such as 10.0.0.0/8");
                return new FieldPredicate(reference, new CidrMatcher(EquatableArray.Create(value.Trim())));
            case FieldFamily.Number:
            {
                if (!ElasticNumberText.TryParse(value, out var number))
                    return Invalid(field, value, location, "number", "write a number, or fix the field's type");
                // An integer field holds no value with a fraction: Elasticsearch answers "no match".
                if (ElasticNumberText.IsInteger(field.Type.Name) && Math.Truncate(number) != number) return ConstantPredicate.False;
                return new FieldPredicate(reference, new ElasticNumberMatcher(field.Type.Name, ComparisonOperator.Equal, ElasticNumberText.Format(ElasticNumberText.AsType(field.Type.Name, number))));
            }
            case FieldFamily.Boolean:
                if (value is "true" or "false") return new FieldPredicate(reference, new ElasticBooleanMatcher(value == "true"));
                return Invalid(field, value, location, "boolean", "write true or false");
            case FieldFamily.Date:
                return DateQuery(field, reference, ComparisonOperator.Equal, value, location);
            case FieldFamily.Object:
                // An object or nested field has no value of its own: Elasticsearch finds no such field and matches nothing.
                return ConstantPredicate.False;
            default:
                return NotPossible(query, field, location, "is not supported by RuleGen (only f:* is)");
        }
    }

    /// <summary>
    /// An unquoted KQL value with <c>*</c>. On keyword-like fields one wildcard pattern over the whole value
    /// (case-sensitive; with a lowercase normalizer the pattern and the value are lowercased). On text fields Kibana
    /// sends a <c>query_string</c>: whitespace separates clauses (ORed), a clause ending in its only <c>*</c> is an
    /// analysed prefix query, any other wildcard clause is matched against single tokens with its literal parts
    /// lowercased, and a clause without <c>*</c> is a match on its tokens. Other types reject wildcards.
    /// </summary>
    public Predicate QueryStringWildcard(ResolvedField field, WildcardPattern pattern, SourceLocation location)
    {
        switch (field.Family())
        {
            case FieldFamily.Keyword:
            case FieldFamily.Flattened:
                return Wildcard(field, pattern, caseInsensitive: false);
            case FieldFamily.Text:
                return TextQueryString(field, pattern);
            case FieldFamily.Object:
                return ConstantPredicate.False;
            default:
                return NotPossible("A wildcard value", field, location,
                    "is rejected by Elasticsearch (wildcard queries only work on keyword, wildcard and text fields), so the rule would never match; remove the '*' or fix the field's type");
        }
    }

    /// <summary>
    /// Elasticsearch's <c>wildcard</c> query: on keyword-like fields the pattern over the whole value
    /// (<paramref name="caseInsensitive"/>: both lowercased); on text fields over single tokens.
    /// </summary>
    public Predicate Wildcard(ResolvedField field, WildcardPattern pattern, bool caseInsensitive)
    {
        var reference = Ref(field);
        if (field.Family() == FieldFamily.Text)
        {
            return new FieldPredicate(reference, new TextTokenWildcardMatcher(caseInsensitive ? LowercasePattern(pattern) : pattern));
        }
        if (field.Type.Lowercase || caseInsensitive)
        {
            return new FieldPredicate(reference, new LowercaseMatcher(Matchers.ForPattern(LowercasePattern(pattern), CaseMode.Sensitive, ValueKinds.Scalars)));
        }
        return new FieldPredicate(reference, Matchers.ForPattern(pattern, CaseMode.Sensitive, ValueKinds.Scalars));
    }

    private Predicate TextQueryString(ResolvedField field, WildcardPattern pattern)
    {
        var clauses = new List<Predicate>();
        foreach (var term in SplitOnWhitespace(pattern))
        {
            var parts = term.Parts;
            var stars = parts.Count(p => p.Kind == WildcardPartKind.AnyRun);
            if (stars == 0)
            {
                clauses.Add(AnyToken(field, parts.Count == 0 ? "" : parts[0].Literal));
            }
            else if (parts.Count == 1)
            {
                clauses.Add(Exists(field));
            }
            else if (stars == 1 && parts[parts.Count - 1].Kind == WildcardPartKind.AnyRun)
            {
                // Prefix query with analyze_wildcard: the earlier tokens as terms, the last token as a prefix, ORed.
                var tokens = StandardAnalyzer.Analyze(parts[0].Literal);
                if (tokens.Count == 0) continue;
                for (var i = 0; i < tokens.Count - 1; i++) clauses.Add(new FieldPredicate(Ref(field), new TextPhraseMatcher(EquatableArray.Create(tokens[i]))));
                clauses.Add(new FieldPredicate(Ref(field), new TextTokenWildcardMatcher(WildcardPattern.Create(new[]
                {
                    new WildcardPart(WildcardPartKind.Literal, tokens[tokens.Count - 1]), WildcardPart.AnyRun,
                }))));
            }
            else
            {
                clauses.Add(new FieldPredicate(Ref(field), new TextTokenWildcardMatcher(LowercasePattern(term))));
            }
        }
        if (clauses.Count == 0) return ConstantPredicate.False;
        return clauses.Count == 1 ? clauses[0] : new OrPredicate(clauses.ToEquatableArray());
    }

    /// <summary>The query_string parser's whitespace splitting of a pattern into clauses.</summary>
    private static List<WildcardPattern> SplitOnWhitespace(WildcardPattern pattern)
    {
        var result = new List<WildcardPattern>();
        var current = new List<WildcardPart>();
        void Flush()
        {
            if (current.Count > 0) result.Add(WildcardPattern.Create(current));
            current = new List<WildcardPart>();
        }
        foreach (var part in pattern.Parts)
        {
            if (part.Kind != WildcardPartKind.Literal)
            {
                current.Add(part);
                continue;
            }
            var text = part.Literal;
            var start = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                if (i < text.Length && !IsQueryStringWhitespace(text[i])) continue;
                if (i > start) current.Add(new WildcardPart(WildcardPartKind.Literal, text.Substring(start, i - start)));
                if (i < text.Length) Flush();
                start = i + 1;
            }
        }
        Flush();
        return result;
    }

    private static bool IsQueryStringWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\u3000';

    private static WildcardPattern LowercasePattern(WildcardPattern pattern) =>
        WildcardPattern.Create(pattern.Parts.Select(p => p.Kind == WildcardPartKind.Literal ? new WildcardPart(WildcardPartKind.Literal, StandardAnalyzer.Lowercase(p.Literal)) : p));

    /// <summary>A one-sided range (KQL <c>f &gt;= v</c>).</summary>
    public Predicate Range(ResolvedField field, ComparisonOperator op, string value, SourceLocation location)
    {
        var reference = Ref(field);
        if (field.Origin == FieldTypeOrigin.DynamicMapping && field.Family() == FieldFamily.Text)
        {
            // An undeclared field under dynamic mapping: a numeric bound means the field was mapped as a number;
            // otherwise the range runs on its .keyword multi-field (the same value).
            field = new ResolvedField(field.Field, field.Path, FieldType.Keyword, FieldTypeOrigin.Unknown);
        }
        switch (field.Family())
        {
            case FieldFamily.Keyword:
            case FieldFamily.Flattened:
                if (field.Origin == FieldTypeOrigin.Unknown && ElasticNumberText.TryParse(value, out var inferred))
                {
                    // An unknown field compared with a number: Elasticsearch's dynamic mapping would have made it numeric.
                    return new FieldPredicate(reference, new ElasticNumberMatcher("double", op, ElasticNumberText.Format(inferred)));
                }
                return field.Type.Lowercase
                    ? new FieldPredicate(reference, new LowercaseMatcher(new TextRangeMatcher(op, StandardAnalyzer.Lowercase(value), ValueKinds.Scalars)))
                    : new FieldPredicate(reference, new TextRangeMatcher(op, value, ValueKinds.Scalars));
            case FieldFamily.Number:
            {
                if (!ElasticNumberText.TryParse(value, out var number))
                    return Invalid(field, value, location, "number", "write a number, or fix the field's type");
                if (ElasticNumberText.IsInteger(field.Type.Name) && Math.Truncate(number) != number)
                {
                    // Integer fields round a fractional bound inward: >= 2.5 is >= 3, <= 2.5 is <= 2.
                    (op, number) = op switch
                    {
                        ComparisonOperator.GreaterThan or ComparisonOperator.GreaterThanOrEqual => (ComparisonOperator.GreaterThanOrEqual, Math.Ceiling(number)),
                        _ => (ComparisonOperator.LessThanOrEqual, Math.Floor(number)),
                    };
                }
                return new FieldPredicate(reference, new ElasticNumberMatcher(field.Type.Name, op, ElasticNumberText.Format(ElasticNumberText.AsType(field.Type.Name, number))));
            }
            case FieldFamily.Date:
                return DateQuery(field, reference, op, value, location);
            case FieldFamily.Object:
                return ConstantPredicate.False;
            default:
                return NotPossible("A range", field, location, "is not supported by RuleGen on this type");
        }
    }

    private Predicate DateQuery(ResolvedField field, FieldRef reference, ComparisonOperator op, string value, SourceLocation location)
    {
        if (DateQueries.TryCreate(reference, op, value, _context.ClockFields, out var predicate, out var error)) return predicate;
        Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDateMath, location, value, field.Field, error));
        return ConstantPredicate.False;
    }

    private static bool IsIpOrCidr(string text)
    {
        text = text.Trim();
        var slash = text.IndexOf('/');
        var address = slash < 0 ? text : text.Substring(0, slash);
        if (!IPAddress.TryParse(address, out var ip)) return false;
        if (address.IndexOf(':') < 0 && address.Count(c => c == '.') != 3) return false;
        if (slash < 0) return true;
        var bits = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        return int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix <= bits;
    }

    private Predicate Invalid(ResolvedField field, string value, SourceLocation location, string kind, string hint)
    {
        Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ValueInvalidForFieldType, location, value, kind, field.Field, field.Type.ToString(), hint));
        return ConstantPredicate.False;
    }

    private Predicate NotPossible(string what, ResolvedField field, SourceLocation location, string consequence)
    {
        Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.QueryInvalidForFieldType, location, what, field.Field, field.Type.ToString(), consequence));
        return ConstantPredicate.False;
    }
}

internal static class ResolvedFieldExtensions
{
    public static FieldFamily Family(this ResolvedField field) => field.Type.Family;
}

/// <summary>Numbers as Elasticsearch's numeric field types read query values.</summary>
public static class ElasticNumberText
{
    public static bool TryParse(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value) && !double.IsInfinity(value);

    public static bool IsInteger(string type) => type is "long" or "integer" or "short" or "byte" or "unsigned_long";

    /// <summary>The value as the type stores it (float and half_float have less precision).</summary>
    public static double AsType(string type, double value) => type switch
    {
        "float" => (float)value,
        _ => value,
    };

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// A term or range query on a date field, as Elasticsearch's date field type runs it: the value is a date
/// (<c>strict_date_optional_time</c> or epoch millis) or date math, and a term is the range of the value's whole
/// precision (<c>2024-01-01</c> is that day). KQL, Kibana filters and EQL all lower date tests here.
/// </summary>
public static class DateQueries
{
    /// <param name="op"><see cref="ComparisonOperator.Equal"/> for a term; otherwise the range's bound.</param>
    /// <param name="clockFields">The fields whose value is <c>now</c> for date math (the event's time).</param>
    public static bool TryCreate(FieldRef field, ComparisonOperator op, string value, IReadOnlyList<string> clockFields, out Predicate predicate, out string error)
    {
        predicate = ConstantPredicate.False;
        DateBound? lower = null, upper = null;
        if (op == ComparisonOperator.Equal)
        {
            if (!DateMathText.TryParse(value.Trim(), roundUp: false, out var low, out error)) return false;
            if (!DateMathText.TryParse(value.Trim(), roundUp: true, out var high, out error)) return false;
            lower = low;
            upper = high;
        }
        else
        {
            // gte and lt round down, gt and lte round up; gt and lt exclude the bound.
            var roundUp = op is ComparisonOperator.GreaterThan or ComparisonOperator.LessThanOrEqual;
            if (!DateMathText.TryParse(value.Trim(), roundUp, out var bound, out error)) return false;
            switch (op)
            {
                case ComparisonOperator.GreaterThanOrEqual: lower = bound; break;
                case ComparisonOperator.GreaterThan: lower = bound with { Millis = bound.Millis + 1 }; break;
                case ComparisonOperator.LessThanOrEqual: upper = bound; break;
                default: upper = bound with { Millis = bound.Millis - 1 }; break;
            }
        }
        var clock = lower is { IsRelative: true } || upper is { IsRelative: true }
            ? clockFields.Select(FieldRef.Of).ToEquatableArray()
            : EquatableArray<FieldRef>.Empty;
        predicate = new DateRangePredicate(field, lower, upper, clock);
        return true;
    }
}

/// <summary>
/// Parses Elasticsearch date values and date math (<c>now-30d/d</c>, <c>2024-01-01||+1M</c>) into a
/// <see cref="DateBound"/>: fixed dates are resolved at build time, <c>now</c>-relative ones keep their steps.
/// </summary>
public static class DateMathText
{
    public static bool TryParse(string text, bool roundUp, out DateBound bound, out string error)
    {
        bound = new DateBound(0, EquatableArray<DateMathStepModel>.Empty);
        error = "";
        string math;
        long anchor = 0;
        var relative = false;
        if (text.StartsWith("now", StringComparison.Ordinal))
        {
            relative = true;
            math = text.Substring(3);
        }
        else
        {
            var bars = text.IndexOf("||", StringComparison.Ordinal);
            var datePart = bars < 0 ? text : text.Substring(0, bars);
            math = bars < 0 ? "" : text.Substring(bars + 2);
            // The date before '||' is parsed rounding down; only the text alone rounds up (Elasticsearch's rule).
            if (!ElasticDate.TryParse(Encoding.UTF8.GetBytes(datePart), roundUp && bars < 0, out anchor))
            {
                error = "write an ISO 8601 date (2024-01-31, 2024-01-31T12:00:00Z), epoch milliseconds, or date math such as now-1d/d";
                return false;
            }
        }
        var steps = new List<DateMathStepModel>();
        var i = 0;
        while (i < math.Length)
        {
            var c = math[i++];
            if (c == '/')
            {
                if (i >= math.Length || !TryUnit(math[i], out var unit))
                {
                    error = "'/' must be followed by a unit (y M w d h H m s)";
                    return false;
                }
                i++;
                steps.Add(new DateMathStepModel(roundUp ? "RoundUp" : "RoundDown", 0, unit));
            }
            else if (c is '+' or '-')
            {
                var start = i;
                while (i < math.Length && char.IsDigit(math[i])) i++;
                var amount = i > start ? int.Parse(math.Substring(start, i - start), CultureInfo.InvariantCulture) : 1;
                if (i >= math.Length || !TryUnit(math[i], out var unit))
                {
                    error = $"'{c}' must be followed by a number and a unit (y M w d h H m s)";
                    return false;
                }
                i++;
                steps.Add(new DateMathStepModel("Add", c == '-' ? -amount : amount, unit));
            }
            else
            {
                error = $"unexpected '{c}' in date math (use +N<unit>, -N<unit> or /<unit>)";
                return false;
            }
        }
        if (relative)
        {
            // "now" with no steps still depends on the event's time: an Add of 0 keeps it relative.
            if (steps.Count == 0) steps.Add(new DateMathStepModel("Add", 0, "Second"));
            bound = new DateBound(0, steps.ToEquatableArray());
            return true;
        }
        bound = new DateBound(ElasticDate.Apply(anchor, steps.Select(ToStep).ToArray()), EquatableArray<DateMathStepModel>.Empty);
        return true;
    }

    public static DateMathStep ToStep(DateMathStepModel model) => new(
        (DateMathOperation)Enum.Parse(typeof(DateMathOperation), model.Operation),
        model.Amount,
        (DateUnit)Enum.Parse(typeof(DateUnit), model.Unit));

    private static bool TryUnit(char c, out string unit)
    {
        unit = c switch
        {
            'y' => "Year",
            'M' => "Month",
            'w' => "Week",
            'd' => "Day",
            'h' or 'H' => "Hour",
            'm' => "Minute",
            's' => "Second",
            _ => "",
        };
        return unit.Length > 0;
    }
}

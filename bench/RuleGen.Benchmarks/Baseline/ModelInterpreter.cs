using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RuleGen.Generator.Model;
using RuleGen.Runtime;
using ValueKinds = RuleGen.Generator.Model.ValueKinds;

namespace RuleGen.Benchmarks.Baseline;

/// <summary>
/// The baseline: the same rules' predicate models (from RuleGen's own parsers) evaluated the way a user would write
/// it by hand: parse each event into a <see cref="JsonDocument"/>, then for every rule walk its predicate tree, look
/// each field up by path in the document, and compare .NET strings. Matchers are prepared once (lowercased literals,
/// regexes, sets); nothing is specialised per rule or shared between rules. It shows what compiling buys.
/// </summary>
/// <remarks>
/// Elasticsearch's field types (analysed text, numbers, booleans, dates) are tested with RuleGen.Runtime's public
/// primitives (the standard analyzer's phrases, <see cref="ElasticNumbers"/>, <see cref="ElasticDate"/>) on each
/// value's UTF-8 text: a hand-written evaluator needs the same analysis, and reusing it keeps the verdicts identical.
/// </remarks>
public sealed class ModelInterpreter
{
    private readonly Rule[] _rules;

    public ModelInterpreter(IEnumerable<RuleModel> rules)
    {
        _rules = rules.Select(r => new Rule(r.Gate is null ? null : Prepare(r.Gate), Prepare(r.Condition!))).ToArray();
    }

    public int Count => _rules.Length;

    /// <summary>Evaluates every rule on one event; writes the matching rules' indexes; -1 for malformed JSON.</summary>
    public int Evaluate(ReadOnlyMemory<byte> utf8Json, Span<int> matches, MatchScope scope)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException)
        {
            return -1;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return -1;
            var count = 0;
            for (var i = 0; i < _rules.Length; i++)
            {
                var rule = _rules[i];
                if ((scope == MatchScope.DetectionOnly || rule.Gate is null || rule.Gate.Holds(root)) && rule.Condition.Holds(root))
                {
                    if (count < matches.Length) matches[count] = i;
                    count++;
                }
            }
            return count;
        }
    }

    private sealed record Rule(Node? Gate, Node Condition);

    /// <summary>A prepared predicate.</summary>
    private abstract class Node
    {
        public abstract bool Holds(JsonElement scope);
    }

    private sealed class All(Node[] operands) : Node
    {
        public override bool Holds(JsonElement scope) => operands.All(o => o.Holds(scope));
    }

    private sealed class AnyOf(Node[] operands) : Node
    {
        public override bool Holds(JsonElement scope) => operands.Any(o => o.Holds(scope));
    }

    private sealed class Not(Node operand) : Node
    {
        public override bool Holds(JsonElement scope) => !operand.Holds(scope);
    }

    private sealed class Constant(bool value) : Node
    {
        public override bool Holds(JsonElement scope) => value;
    }

    private sealed class FieldTest(FieldRef field, Func<JsonElement, bool> test) : Node
    {
        public override bool Holds(JsonElement scope) => Values(scope, field).Any(test);
    }

    private sealed class Exists(FieldRef field, ExistenceKind kind) : Node
    {
        public override bool Holds(JsonElement scope) => kind == ExistenceKind.KeyPresent
            ? Lookup(scope, field).Any()
            : Values(scope, field).Any(v => v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined));
    }

    private sealed class AnyString(Func<JsonElement, bool> test) : Node
    {
        public override bool Holds(JsonElement scope) => AllStrings(scope).Any(test);
    }

    private sealed class Nested(FieldRef field, Node inner) : Node
    {
        public override bool Holds(JsonElement scope) => Values(scope, field).Any(v => v.ValueKind == JsonValueKind.Object && inner.Holds(v));
    }

    private sealed class Compare(FieldRef left, FieldRef right, StringOperation operation, bool ignoreCase) : Node
    {
        public override bool Holds(JsonElement scope)
        {
            foreach (var a in Values(scope, left))
            {
                if (Text(a) is not { } x) continue;
                foreach (var b in Values(scope, right))
                {
                    if (Text(b) is not { } y) continue;
                    if (ignoreCase)
                    {
                        x = FoldAscii(x);
                        y = FoldAscii(y);
                    }
                    var holds = operation switch
                    {
                        StringOperation.Equals => x == y,
                        StringOperation.StartsWith => x.StartsWith(y, StringComparison.Ordinal),
                        StringOperation.EndsWith => x.EndsWith(y, StringComparison.Ordinal),
                        _ => x.Contains(y, StringComparison.Ordinal),
                    };
                    if (holds) return true;
                }
            }
            return false;
        }
    }

    /// <summary>Some value of a date field lies between the bounds; relative bounds count from the event's time.</summary>
    private sealed class DateRange(DateRangePredicate date) : Node
    {
        private readonly (DateMathStep[] Steps, long Millis)? _lower = Bound(date.Lower);
        private readonly (DateMathStep[] Steps, long Millis)? _upper = Bound(date.Upper);

        public override bool Holds(JsonElement scope)
        {
            long? now = null;
            var min = Resolve(_lower, long.MinValue, scope, ref now);
            var max = Resolve(_upper, long.MaxValue, scope, ref now);
            return Values(scope, date.Field).Any(v => v.ValueKind is JsonValueKind.String or JsonValueKind.Number
                && ElasticDate.TryParse(Utf8(v), roundUp: false, out var millis) && millis >= min && millis <= max);
        }

        private long Resolve((DateMathStep[] Steps, long Millis)? bound, long unbounded, JsonElement scope, ref long? now)
        {
            if (bound is not { } b) return unbounded;
            if (b.Steps.Length == 0) return b.Millis;
            now ??= EventTime(scope);
            return ElasticDate.Apply(now.Value, b.Steps) + b.Millis;
        }

        /// <summary>The first date among the rule's timestamp fields; the current time when none holds one.</summary>
        private long EventTime(JsonElement scope)
        {
            foreach (var clock in date.Clock)
            {
                foreach (var v in Values(scope, clock))
                {
                    if (v.ValueKind is JsonValueKind.String or JsonValueKind.Number && ElasticDate.TryParse(Utf8(v), roundUp: false, out var millis)) return millis;
                }
            }
            return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }

        private static (DateMathStep[] Steps, long Millis)? Bound(DateBound? bound) => bound is null ? null
            : (bound.Steps.Select(s => new DateMathStep(Enum.Parse<DateMathOperation>(s.Operation), s.Amount, Enum.Parse<DateUnit>(s.Unit))).ToArray(), bound.Millis);
    }

    private static Node Prepare(Predicate predicate) => predicate switch
    {
        AndPredicate and => new All(and.Operands.Select(Prepare).ToArray()),
        OrPredicate or => new AnyOf(or.Operands.Select(Prepare).ToArray()),
        NotPredicate not => new Not(Prepare(not.Operand)),
        ConstantPredicate c => new Constant(c.Value),
        FieldPredicate f => new FieldTest(f.Field, Test(f.Matcher)),
        ExistsPredicate e => new Exists(e.Field, e.Kind),
        AnyFieldPredicate a => new AnyString(Test(a.Matcher)),
        NestedPredicate n => new Nested(n.Field, Prepare(n.Inner)),
        FieldComparePredicate c => new Compare(c.Left, c.Right, c.Operation, c.Case == CaseMode.IgnoreAsciiCase),
        DateRangePredicate d => new DateRange(d),
        _ => throw new NotSupportedException("The baseline interpreter has no case for " + predicate.GetType().Name),
    };

    /// <summary>The test one value must pass, with its literals prepared once.</summary>
    private static Func<JsonElement, bool> Test(ValueMatcher matcher)
    {
        switch (matcher)
        {
            case StringMatcher s:
            {
                var ignoreCase = s.Case == CaseMode.IgnoreAsciiCase;
                var literal = ignoreCase ? FoldAscii(s.Value) : s.Value;
                Func<string, bool> holds = s.Operation switch
                {
                    StringOperation.Equals => t => t == literal,
                    StringOperation.StartsWith => t => t.StartsWith(literal, StringComparison.Ordinal),
                    StringOperation.EndsWith => t => t.EndsWith(literal, StringComparison.Ordinal),
                    _ => t => t.Contains(literal, StringComparison.Ordinal),
                };
                return v => Text(v, s.Kinds) is { } t && holds(ignoreCase ? FoldAscii(t) : t);
            }
            case StringSetMatcher set:
            {
                var ignoreCase = set.Case == CaseMode.IgnoreAsciiCase;
                var values = new HashSet<string>(set.Values.Select(x => ignoreCase ? FoldAscii(x) : x), StringComparer.Ordinal);
                return v => Text(v, set.Kinds) is { } t && values.Contains(ignoreCase ? FoldAscii(t) : t);
            }
            case StringListMatcher list:
            {
                // As a user would write it: each value tested in turn (no trie or automaton).
                var ignoreCase = list.Case == CaseMode.IgnoreAsciiCase;
                var literals = list.Values.Select(x => ignoreCase ? FoldAscii(x) : x).ToArray();
                Func<string, string, bool> relation = list.Operation switch
                {
                    StringOperation.StartsWith => (t, l) => t.StartsWith(l, StringComparison.Ordinal),
                    StringOperation.EndsWith => (t, l) => t.EndsWith(l, StringComparison.Ordinal),
                    _ => (t, l) => t.Contains(l, StringComparison.Ordinal),
                };
                return v =>
                {
                    if (Text(v, list.Kinds) is not { } t) return false;
                    if (ignoreCase) t = FoldAscii(t);
                    foreach (var literal in literals)
                    {
                        if (relation(t, literal)) return true;
                    }
                    return false;
                };
            }
            case WildcardMatcher wildcard:
            {
                var ignoreCase = wildcard.Case == CaseMode.IgnoreAsciiCase;
                var regex = WildcardRegex(wildcard.Pattern, ignoreCase);
                return v => Text(v, wildcard.Kinds) is { } t && regex.IsMatch(ignoreCase ? FoldAscii(t) : t);
            }
            case RegexMatcher r:
            {
                var options = RegexOptions.CultureInvariant;
                if ((r.Flags & RegexFlags.IgnoreCase) != 0) options |= RegexOptions.IgnoreCase;
                if ((r.Flags & RegexFlags.Multiline) != 0) options |= RegexOptions.Multiline;
                if ((r.Flags & RegexFlags.Singleline) != 0) options |= RegexOptions.Singleline;
                var regex = new Regex(r.Pattern, options);
                return v => Text(v, r.Kinds) is { } t && regex.IsMatch(t);
            }
            case NumberMatcher n:
            {
                var literal = double.Parse(n.Value, CultureInfo.InvariantCulture);
                return v =>
                {
                    string? text = v.ValueKind == JsonValueKind.Number ? v.GetRawText()
                        : n.AcceptNumericStrings && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                    if (text is null || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return false;
                    return n.Operator switch
                    {
                        ComparisonOperator.Equal => number == literal,
                        ComparisonOperator.LessThan => number < literal,
                        ComparisonOperator.LessThanOrEqual => number <= literal,
                        ComparisonOperator.GreaterThan => number > literal,
                        _ => number >= literal,
                    };
                };
            }
            case BooleanMatcher b:
                return v => v.ValueKind == (b.Value ? JsonValueKind.True : JsonValueKind.False)
                    || b.AcceptStrings && v.ValueKind == JsonValueKind.String && v.GetString() == (b.Value ? "true" : "false");
            case CidrMatcher cidr:
            {
                var networks = cidr.Networks.Select(ParseNetwork).ToArray();
                return v => v.ValueKind == JsonValueKind.String && IPAddress.TryParse(v.GetString()!, out var address)
                    && networks.Any(n => n.Contains(address));
            }
            case TextRangeMatcher range:
            {
                var literal = Encoding.UTF8.GetBytes(range.Value);
                return v =>
                {
                    if (Text(v, range.Kinds) is not { } t) return false;
                    return Ordered(Encoding.UTF8.GetBytes(t).AsSpan().SequenceCompareTo(literal), range.Operator);
                };
            }
            case TextPhraseMatcher phrase:
            {
                var prepared = new TextPhrase(phrase.Tokens.ToArray());
                return v => IsScalar(v) && prepared.IsIn(Utf8(v));
            }
            case TextPhraseSetMatcher set:
            {
                var prepared = new TextPhraseSet(set.Phrases.Select(p => new TextPhrase(p.Tokens.ToArray())).ToArray());
                return v => IsScalar(v) && prepared.AnyIn(Utf8(v));
            }
            case TextTokenWildcardMatcher token:
            {
                var pattern = Wildcard.Parse(token.Pattern.ToString(), ignoreCase: false);
                return v => IsScalar(v) && TextTokens.AnyMatches(Utf8(v), pattern);
            }
            case LowercaseMatcher lowercase:
            {
                // The lowercase normalizer: the value lowercased, then tested against literals already lowercase.
                Func<string, bool> inner = lowercase.Inner switch
                {
                    StringMatcher s => s.Operation switch
                    {
                        StringOperation.Equals => t => t == s.Value,
                        StringOperation.StartsWith => t => t.StartsWith(s.Value, StringComparison.Ordinal),
                        StringOperation.EndsWith => t => t.EndsWith(s.Value, StringComparison.Ordinal),
                        _ => t => t.Contains(s.Value, StringComparison.Ordinal),
                    },
                    WildcardMatcher w => WildcardRegex(w.Pattern, ignoreCase: false).IsMatch,
                    StringSetMatcher set => new HashSet<string>(set.Values, StringComparer.Ordinal).Contains,
                    TextRangeMatcher range => t => Ordered(Encoding.UTF8.GetBytes(t).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(range.Value)), range.Operator),
                    var other => throw new NotSupportedException("The baseline interpreter has no lowercase case for " + other.GetType().Name),
                };
                return v => IsScalar(v) && inner(Text(v)!.ToLowerInvariant());
            }
            case ElasticNumberMatcher number:
            {
                var type = number.NumberType switch
                {
                    "long" => ElasticNumberType.Long,
                    "integer" => ElasticNumberType.Integer,
                    "short" => ElasticNumberType.Short,
                    "byte" => ElasticNumberType.Byte,
                    "unsigned_long" => ElasticNumberType.UnsignedLong,
                    "float" => ElasticNumberType.Float,
                    "half_float" => ElasticNumberType.HalfFloat,
                    "scaled_float" => ElasticNumberType.ScaledFloat,
                    _ => ElasticNumberType.Double,
                };
                var literal = double.Parse(number.Value, CultureInfo.InvariantCulture);
                return v =>
                {
                    if (v.ValueKind is not (JsonValueKind.Number or JsonValueKind.String)) return false;
                    if (!EventView.TryParseNumber(Utf8(v), out var parsed) || double.IsNaN(parsed) || double.IsInfinity(parsed)) return false;
                    if (!ElasticNumbers.TryIndex(type, parsed, out var indexed)) return false;
                    return Ordered(indexed.CompareTo(literal), number.Operator);
                };
            }
            case ElasticBooleanMatcher boolean:
                return v => v.ValueKind == (boolean.Value ? JsonValueKind.True : JsonValueKind.False)
                    || v.ValueKind == JsonValueKind.String && (boolean.Value ? v.GetString() == "true" : v.GetString() is "false" or "");
            default:
                throw new NotSupportedException("The baseline interpreter has no case for " + matcher.GetType().Name);
        }
    }

    private static bool Ordered(int order, ComparisonOperator comparison) => comparison switch
    {
        ComparisonOperator.Equal => order == 0,
        ComparisonOperator.LessThan => order < 0,
        ComparisonOperator.LessThanOrEqual => order <= 0,
        ComparisonOperator.GreaterThan => order > 0,
        _ => order >= 0,
    };

    private static bool IsScalar(JsonElement value) => value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;

    /// <summary>A scalar's UTF-8 text as the runtime sees it: a string decoded, a number's literal, true/false.</summary>
    private static byte[] Utf8(JsonElement value) => Encoding.UTF8.GetBytes(Text(value) ?? "");

    // ---- JSON access, as a hand-written evaluator does it ----------------------------------------------------------

    /// <summary>The values of a field: every path, through nested objects and dotted keys, arrays flattened.</summary>
    private static IEnumerable<JsonElement> Values(JsonElement scope, FieldRef field)
    {
        foreach (var found in Lookup(scope, field))
        {
            foreach (var value in Flatten(found)) yield return value;
        }
    }

    /// <summary>The elements found at the field's paths (an array is one element here).</summary>
    private static IEnumerable<JsonElement> Lookup(JsonElement scope, FieldRef field)
    {
        foreach (var path in field.Paths)
        {
            foreach (var found in Resolve(scope, path)) yield return found;
        }
    }

    private static IEnumerable<JsonElement> Resolve(JsonElement node, string path)
    {
        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in node.EnumerateArray())
            {
                foreach (var found in Resolve(element, path)) yield return found;
            }
            yield break;
        }
        if (node.ValueKind != JsonValueKind.Object) yield break;
        foreach (var property in node.EnumerateObject())
        {
            var name = property.Name;
            if (name == path)
            {
                yield return property.Value;
            }
            else if (path.Length > name.Length && path[name.Length] == '.' && path.StartsWith(name, StringComparison.Ordinal))
            {
                foreach (var found in Resolve(property.Value, path.Substring(name.Length + 1))) yield return found;
            }
        }
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            yield return value;
            yield break;
        }
        foreach (var element in value.EnumerateArray())
        {
            foreach (var inner in Flatten(element)) yield return inner;
        }
    }

    private static IEnumerable<JsonElement> AllStrings(JsonElement node)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.String:
                yield return node;
                break;
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    foreach (var s in AllStrings(property.Value)) yield return s;
                }
                break;
            case JsonValueKind.Array:
                foreach (var element in node.EnumerateArray())
                {
                    foreach (var s in AllStrings(element)) yield return s;
                }
                break;
        }
    }

    /// <summary>A value's text when the matcher looks at its kind: a string's value, a number's literal, true/false.</summary>
    private static string? Text(JsonElement value, ValueKinds kinds) => value.ValueKind switch
    {
        JsonValueKind.String when (kinds & ValueKinds.String) != 0 => value.GetString(),
        JsonValueKind.Number when (kinds & ValueKinds.Number) != 0 => value.GetRawText(),
        JsonValueKind.True when (kinds & ValueKinds.Boolean) != 0 => "true",
        JsonValueKind.False when (kinds & ValueKinds.Boolean) != 0 => "false",
        _ => null,
    };

    private static string? Text(JsonElement value) => Text(value, ValueKinds.Scalars);

    private static string FoldAscii(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is >= 'A' and <= 'Z') chars[i] = (char)(chars[i] | 0x20);
        }
        return new string(chars);
    }

    private static Regex WildcardRegex(WildcardPattern pattern, bool ignoreCase)
    {
        var sb = new StringBuilder("^");
        foreach (var part in pattern.Parts)
        {
            sb.Append(part.Kind switch
            {
                WildcardPartKind.AnyRun => ".*",
                WildcardPartKind.AnyChar => "(?:[\\ud800-\\udbff][\\udc00-\\udfff]|.)",
                _ => Regex.Escape(ignoreCase ? FoldAscii(part.Literal) : part.Literal),
            });
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    private sealed record Network(byte[] Prefix, int Bits)
    {
        public bool Contains(IPAddress address)
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            var bytes = address.GetAddressBytes();
            if (bytes.Length != Prefix.Length) return false;
            for (var bit = 0; bit < Bits; bit++)
            {
                var mask = 0x80 >> (bit % 8);
                if ((bytes[bit / 8] & mask) != (Prefix[bit / 8] & mask)) return false;
            }
            return true;
        }
    }

    private static Network ParseNetwork(string text)
    {
        var slash = text.IndexOf('/');
        var address = IPAddress.Parse(slash < 0 ? text : text[..slash]);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        var bits = slash < 0 ? bytes.Length * 8 : int.Parse(text[(slash + 1)..], CultureInfo.InvariantCulture);
        return new Network(bytes, bits);
    }
}

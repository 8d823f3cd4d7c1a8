using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;
using RuleGen.Generator.RuleFormats.Sigma.Yaml;

namespace RuleGen.Generator.Languages.Sigma;

/// <summary>What the lowering needs besides the detection: the profile, the rule's logsource, placeholder values,
/// and how to place a diagnostic.</summary>
public sealed class SigmaLoweringContext
{
    public SigmaLoweringContext(SigmaProfile profile, SigmaLogsource logsource, IReadOnlyDictionary<string, IReadOnlyList<string>> placeholders,
        Func<YamlSpan, SourceLocation> locate, List<DiagnosticInfo> diagnostics, string ruleTitle)
    {
        Profile = profile;
        Logsource = logsource;
        Placeholders = placeholders;
        Locate = locate;
        Diagnostics = diagnostics;
        RuleTitle = ruleTitle;
    }

    public SigmaProfile Profile { get; }
    public SigmaLogsource Logsource { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Placeholders { get; }
    public Func<YamlSpan, SourceLocation> Locate { get; }
    public List<DiagnosticInfo> Diagnostics { get; }
    public string RuleTitle { get; }

    /// <summary>Set when a placeholder had no values: the rule is skipped with a warning rather than an error.</summary>
    public bool MissingPlaceholder { get; set; }
}

/// <summary>
/// Lowers one Sigma search identifier (a map, a list of maps, or keywords) into the shared predicate model, with the
/// specification's semantics: maps AND, value lists OR (AND with <c>|all</c>), lists of maps OR, keywords searched in
/// every string value, values case-insensitive, modifiers applied in the order written.
/// </summary>
public sealed class SigmaDetectionLowering
{
    /// <summary>Every modifier of Sigma 2.1 (and pySigma's long names of the regex flags).</summary>
    public static readonly string[] Modifiers =
    {
        "contains", "startswith", "endswith", "all", "base64", "base64offset", "wide", "utf16le", "utf16be", "utf16",
        "windash", "re", "i", "m", "s", "ignorecase", "multiline", "dotall", "cidr", "cased", "exists", "neq", "gt",
        "gte", "lt", "lte", "fieldref", "expand", "minute", "hour", "day", "week", "month", "year",
    };

    private readonly SigmaLoweringContext _context;

    public SigmaDetectionLowering(SigmaLoweringContext context) => _context = context;

    /// <summary>Lowers a search identifier's definition; null (with a diagnostic) when it is invalid.</summary>
    public Predicate? LowerSearch(YamlNode definition)
    {
        switch (definition)
        {
            case YamlMapping map:
                return LowerMap(map);
            case YamlSequence list when list.Items.Count == 0:
                Error(DiagnosticDescriptors.SigmaWrongType, list.Span, "a search identifier", "a map, a list of maps or a list of keywords", "an empty list");
                return null;
            case YamlSequence list when list.Items.All(i => i is YamlScalar):
                return LowerItem(null, Array.Empty<string>(), definition, list.Span, "keywords");
            case YamlSequence list:
            {
                var operands = new List<Predicate>();
                foreach (var item in list.Items)
                {
                    var lowered = item switch
                    {
                        YamlMapping m => LowerMap(m),
                        YamlScalar s => LowerItem(null, Array.Empty<string>(), s, s.Span, "keywords"),
                        _ => ErrorNull(DiagnosticDescriptors.SigmaWrongType, item.Span, "an item of a list of maps", "a map or a keyword", item.Describe()),
                    };
                    if (lowered is null) return null;
                    operands.Add(lowered);
                }
                return Or(operands);
            }
            case YamlScalar scalar:
                return LowerItem(null, Array.Empty<string>(), scalar, scalar.Span, "keywords");
            default:
                return null;
        }
    }

    private Predicate? LowerMap(YamlMapping map)
    {
        if (map.Entries.Count == 0)
        {
            Error(DiagnosticDescriptors.SigmaWrongType, map.Span, "a search identifier", "a map with at least one field", "an empty map");
            return null;
        }
        var operands = new List<Predicate>();
        var ok = true;
        foreach (var entry in map.Entries)
        {
            var key = entry.Key.Text;
            var parts = key.Split('|');
            var field = parts[0].Length == 0 ? null : parts[0];
            var lowered = LowerItem(field, parts.Skip(1).ToArray(), entry.Value, entry.Key.Span, key);
            if (lowered is null) ok = false;
            else operands.Add(lowered);
        }
        return ok ? And(operands) : null;
    }

    // ---- values -------------------------------------------------------------------------------------------------

    private enum ValueKind { String, Number, Boolean, Null, Regex, Cidr, FieldRef, Exists, Compare, TimePart }

    /// <summary>One value on its way through the modifier chain.</summary>
    private sealed class Value
    {
        public ValueKind Kind;
        public SigmaString Text = SigmaString.Literal("");
        public string Raw = "";
        public bool Cased;
        public bool Utf16Bom;
        public RegexFlags Flags;
        public ComparisonOperator Operator = ComparisonOperator.Equal;
        public DatePart Part;
        public bool FieldStarts, FieldEnds;
        public bool Exists;
        public bool Expanded;

        /// <summary>Where the value is written (diagnostics about a regex point at it), when it comes from one scalar.</summary>
        public YamlSpan? Span;

        public Value Clone() => (Value)MemberwiseClone();

        public string Describe() => Kind switch
        {
            ValueKind.String => "a string",
            ValueKind.Number => "a number",
            ValueKind.Boolean => "a boolean",
            ValueKind.Null => "null",
            ValueKind.Regex => "a regular expression",
            ValueKind.Cidr => "a CIDR network",
            ValueKind.FieldRef => "a field reference",
            ValueKind.Exists => "an existence test",
            ValueKind.Compare => "a number comparison",
            _ => "a time part",
        };
    }

    private Predicate? LowerItem(string? field, string[] modifiers, YamlNode valueNode, YamlSpan keySpan, string keyText)
    {
        foreach (var modifier in modifiers)
        {
            if (Array.IndexOf(Modifiers, modifier) < 0)
            {
                Error(DiagnosticDescriptors.SigmaUnknownModifier, keySpan, modifier, keyText, string.Join(", ", Modifiers));
                return null;
            }
        }

        // Values: a list is OR (AND with |all); an empty list means null, as in pySigma.
        var nodes = valueNode is YamlSequence seq ? seq.Items : new[] { valueNode };
        var isRegex = modifiers.Contains("re");
        var groups = new List<List<Value>>();
        foreach (var node in nodes)
        {
            if (node is not YamlScalar scalar)
            {
                Error(DiagnosticDescriptors.SigmaWrongType, node.Span, keyText, "a value or a list of values", node.Describe());
                return null;
            }
            groups.Add(new List<Value> { Initial(scalar, isRegex) });
        }
        if (groups.Count == 0) groups.Add(new List<Value> { new() { Kind = ValueKind.Null } });

        var linkAll = false;
        var negated = false;
        var applied = new List<string>();
        foreach (var modifier in modifiers)
        {
            if (modifier == "all") { linkAll = true; applied.Add(modifier); continue; }
            if (modifier == "neq") { negated = true; applied.Add(modifier); continue; }
            foreach (var group in groups)
            {
                var next = new List<Value>();
                foreach (var value in group)
                {
                    var result = Apply(modifier, value, applied, field, out var problem);
                    if (result is null)
                    {
                        Error(DiagnosticDescriptors.SigmaBadModifierChain, keySpan, keyText, problem!);
                        return null;
                    }
                    next.AddRange(result);
                }
                group.Clear();
                group.AddRange(next);
            }
            applied.Add(modifier);
        }

        // Placeholders (|expand) are replaced by the configured values now.
        foreach (var group in groups)
        {
            var expanded = new List<Value>();
            foreach (var value in group)
            {
                var values = Expand(value, keySpan);
                if (values is null) return null;
                expanded.AddRange(values);
            }
            group.Clear();
            group.AddRange(expanded);
        }

        var fieldRef = field is null ? null : _context.Profile.Resolve(field, _context.Logsource);
        var operands = new List<Predicate>();
        foreach (var group in groups)
        {
            var alternatives = new List<Predicate>();
            foreach (var value in group)
            {
                var predicate = ToPredicate(fieldRef, field, value, keySpan, keyText);
                if (predicate is null) return null;
                alternatives.Add(predicate);
            }
            operands.Add(Or(alternatives));
        }
        var combined = linkAll ? And(operands) : Or(operands);
        return negated ? new NotPredicate(combined) : combined;
    }

    private static Value Initial(YamlScalar scalar, bool isRegex)
    {
        if (isRegex) return new Value { Kind = ValueKind.String, Raw = scalar.Quoted ? scalar.Text : scalar.Canonical, Text = SigmaString.Literal(scalar.Text), Span = scalar.Span };
        if (scalar.Quoted) return new Value { Kind = ValueKind.String, Raw = scalar.Text, Text = SigmaString.Parse(scalar.Text) };
        return scalar.Kind switch
        {
            YamlScalarKind.Null => new Value { Kind = ValueKind.Null },
            YamlScalarKind.Boolean => new Value { Kind = ValueKind.Boolean, Raw = scalar.Canonical, Exists = scalar.Canonical == "true" },
            YamlScalarKind.Integer or YamlScalarKind.Float => new Value { Kind = ValueKind.Number, Raw = scalar.Canonical },
            _ => new Value { Kind = ValueKind.String, Raw = scalar.Text, Text = SigmaString.Parse(scalar.Text) },
        };
    }

    /// <summary>Numbers and booleans become their text where a string modifier needs a string.</summary>
    private static Value AsString(Value value)
    {
        if (value.Kind is ValueKind.Number or ValueKind.Boolean)
            return new Value { Kind = ValueKind.String, Raw = value.Raw, Text = SigmaString.Literal(value.Raw) };
        return value;
    }

    private static readonly string[] s_dashes = { "-", "/", "\u2013", "\u2014", "\u2015" };

    private List<Value>? Apply(string modifier, Value value, List<string> applied, string? field, out string? problem)
    {
        problem = null;
        string Cannot() => $"'{modifier}' cannot apply to {value.Describe()}" + (applied.Count > 0 ? " (after " + string.Join("|", applied) + ")" : "");
        switch (modifier)
        {
            case "contains":
            case "startswith":
            case "endswith":
            {
                var v = AsString(value);
                if (v.Kind == ValueKind.Regex) return new List<Value> { v };
                if (v.Kind == ValueKind.FieldRef)
                {
                    v = v.Clone();
                    if (modifier != "endswith") v.FieldStarts = true;
                    if (modifier != "startswith") v.FieldEnds = true;
                    return new List<Value> { v };
                }
                if (v.Kind != ValueKind.String) { problem = Cannot(); return null; }
                v = v.Clone();
                if (modifier != "startswith" && !v.Text.StartsWithAnyRun) v.Text = v.Text.Prepend(SigmaPart.AnyRun);
                if (modifier != "endswith" && !v.Text.EndsWithAnyRun) v.Text = v.Text.Append(SigmaPart.AnyRun);
                return new List<Value> { v };
            }
            case "base64":
            case "base64offset":
            {
                var v = AsString(value);
                if (v.Kind != ValueKind.String) { problem = Cannot(); return null; }
                if (v.Text.HasWildcards || v.Text.HasPlaceholders) { problem = $"'{modifier}' cannot encode a value with wildcards; apply contains/startswith/endswith after it"; return null; }
                var data = Encoding.UTF8.GetBytes(v.Text.PlainText);
                if (v.Utf16Bom && data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
                    data = new byte[] { 0xFF, 0xFE }.Concat(data.Skip(3)).ToArray();
                if (modifier == "base64") return new List<Value> { Literal(v, Convert.ToBase64String(data)) };
                // Three shifts (0, 1, 2 leading bytes), cut to the characters that do not depend on the neighbours.
                var result = new List<Value>();
                int[] starts = { 0, 2, 3 };
                int?[] ends = { null, -3, -2 };
                for (var i = 0; i < 3; i++)
                {
                    var shifted = new byte[i + data.Length];
                    for (var j = 0; j < i; j++) shifted[j] = (byte)' ';
                    Array.Copy(data, 0, shifted, i, data.Length);
                    var encoded = Convert.ToBase64String(shifted);
                    var end = ends[(data.Length + i) % 3];
                    var stop = end is null ? encoded.Length : encoded.Length + end.Value;
                    var start = starts[i];
                    result.Add(Literal(v, stop > start ? encoded.Substring(start, stop - start) : ""));
                }
                return result;
            }
            case "wide":
            case "utf16le":
            case "utf16be":
            case "utf16":
            {
                var v = AsString(value);
                if (v.Kind != ValueKind.String) { problem = Cannot(); return null; }
                if (v.Text.PlainText.Any(c => c > 127)) { problem = $"'{modifier}' encodes ASCII text only"; return null; }
                v = v.Clone();
                v.Text = v.Text.MapLiterals(text =>
                {
                    var sb = new StringBuilder(text.Length * 2);
                    foreach (var c in text)
                    {
                        if (modifier == "utf16be") sb.Append('\0').Append(c);
                        else sb.Append(c).Append('\0');
                    }
                    return sb.ToString();
                });
                if (modifier == "utf16")
                {
                    v.Text = v.Text.Prepend(new SigmaPart(SigmaPartKind.Literal, "\uFEFF"));
                    v.Utf16Bom = true;
                }
                return new List<Value> { v };
            }
            case "windash":
            {
                var v = AsString(value);
                if (v.Kind != ValueKind.String) { problem = Cannot(); return null; }
                return WindashVariants(v);
            }
            case "re":
            {
                if (applied.Count > 0) { problem = "'re' must come first (it takes the value as written)"; return null; }
                var v = new Value { Kind = ValueKind.Regex, Raw = value.Raw, Span = value.Span };
                return new List<Value> { v };
            }
            case "i":
            case "ignorecase":
            case "m":
            case "multiline":
            case "s":
            case "dotall":
            {
                if (value.Kind != ValueKind.Regex) { problem = $"'{modifier}' is a flag of 're' and must follow it"; return null; }
                var v = value.Clone();
                v.Flags |= modifier is "i" or "ignorecase" ? RegexFlags.IgnoreCase : modifier is "m" or "multiline" ? RegexFlags.Multiline : RegexFlags.Singleline;
                return new List<Value> { v };
            }
            case "cased":
            {
                var v = AsString(value);
                if (v.Kind != ValueKind.String) { problem = Cannot(); return null; }
                v = v.Clone();
                v.Cased = true;
                return new List<Value> { v };
            }
            case "cidr":
            {
                if (applied.Count > 0) { problem = "'cidr' must come first"; return null; }
                if (value.Kind != ValueKind.String || value.Text.HasWildcards) { problem = Cannot(); return null; }
                var text = value.Text.PlainText.Trim();
                if (!IsNetwork(text)) { problem = $"'{text}' is not an IPv4 or IPv6 network (address/prefix)"; return null; }
                return new List<Value> { new() { Kind = ValueKind.Cidr, Raw = text } };
            }
            case "gt":
            case "gte":
            case "lt":
            case "lte":
            {
                var op = modifier switch
                {
                    "gt" => ComparisonOperator.GreaterThan,
                    "gte" => ComparisonOperator.GreaterThanOrEqual,
                    "lt" => ComparisonOperator.LessThan,
                    _ => ComparisonOperator.LessThanOrEqual,
                };
                if (value.Kind == ValueKind.TimePart && value.Operator == ComparisonOperator.Equal)
                {
                    var t = value.Clone();
                    t.Operator = op;
                    return new List<Value> { t };
                }
                var number = NumberOf(value);
                if (number is null) { problem = Cannot() + "; it needs a number"; return null; }
                return new List<Value> { new() { Kind = ValueKind.Compare, Raw = number, Operator = op } };
            }
            case "fieldref":
            {
                if (value.Kind != ValueKind.String || value.Text.HasWildcards) { problem = Cannot() + "; it needs a field name without wildcards"; return null; }
                return new List<Value> { new() { Kind = ValueKind.FieldRef, Raw = value.Text.PlainText } };
            }
            case "exists":
            {
                if (applied.Count > 0) { problem = "'exists' must be the only modifier"; return null; }
                if (field is null) { problem = "'exists' needs a field"; return null; }
                bool? flag = value.Kind == ValueKind.Boolean ? value.Exists
                    : value.Kind == ValueKind.String && value.Text.PlainText is "true" or "false" ? value.Text.PlainText == "true" : null;
                if (flag is null) { problem = "'exists' takes true or false"; return null; }
                return new List<Value> { new() { Kind = ValueKind.Exists, Exists = flag.Value } };
            }
            case "expand":
            {
                if (value.Kind == ValueKind.Regex)
                {
                    var r = value.Clone();
                    r.Expanded = true;
                    return new List<Value> { r };
                }
                var v = AsString(value);
                if (v.Kind != ValueKind.String) { problem = Cannot(); return null; }
                v = v.Clone();
                v.Text = v.Text.InsertPlaceholders();
                v.Expanded = true;
                return new List<Value> { v };
            }
            case "minute":
            case "hour":
            case "day":
            case "week":
            case "month":
            case "year":
            {
                var number = NumberOf(value);
                if (number is null || !int.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var part))
                {
                    problem = Cannot() + "; it needs a whole number";
                    return null;
                }
                var datePart = modifier switch
                {
                    "minute" => DatePart.Minute,
                    "hour" => DatePart.Hour,
                    "day" => DatePart.Day,
                    "week" => DatePart.Week,
                    "month" => DatePart.Month,
                    _ => DatePart.Year,
                };
                return new List<Value> { new() { Kind = ValueKind.TimePart, Part = datePart, Raw = part.ToString(CultureInfo.InvariantCulture) } };
            }
            default:
                problem = $"unknown modifier '{modifier}'";
                return null;
        }
    }

    private static Value Literal(Value from, string text) => new() { Kind = ValueKind.String, Raw = text, Text = SigmaString.Literal(text), Cased = from.Cased };

    private static string? NumberOf(Value value)
    {
        if (value.Kind == ValueKind.Number) return value.Raw;
        if (value.Kind == ValueKind.String && !value.Text.HasWildcards
            && double.TryParse(value.Text.PlainText, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d) && !double.IsInfinity(d))
            return YamlResolver.PythonFloat(d);
        return null;
    }

    /// <summary>
    /// pySigma's windash: in each literal part, every '-' or '/' that starts a word (regex <c>\B[-/]\b</c>) becomes
    /// each of '-', '/', en dash, em dash and horizontal bar; k such characters give 5^k strings.
    /// </summary>
    private static List<Value> WindashVariants(Value value)
    {
        var parts = new List<List<SigmaPart>> { new() };
        foreach (var part in value.Text.Parts)
        {
            if (part.Kind != SigmaPartKind.Literal)
            {
                foreach (var p in parts) p.Add(part);
                continue;
            }
            var text = part.Text;
            var pieces = new List<string>();
            var positions = new List<int>();
            var last = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if ((text[i] == '-' || text[i] == '/') && !IsWord(text, i - 1) && IsWord(text, i + 1))
                {
                    pieces.Add(text.Substring(last, i - last));
                    positions.Add(i);
                    last = i + 1;
                }
            }
            pieces.Add(text.Substring(last));
            if (positions.Count == 0)
            {
                foreach (var p in parts) p.Add(part);
                continue;
            }
            var combos = new List<string> { pieces[0] };
            for (var k = 0; k < positions.Count; k++)
            {
                var grown = new List<string>();
                foreach (var prefix in combos)
                {
                    foreach (var dash in s_dashes) grown.Add(prefix + dash + pieces[k + 1]);
                }
                combos = grown;
            }
            var next = new List<List<SigmaPart>>();
            foreach (var p in parts)
            {
                foreach (var combo in combos) next.Add(new List<SigmaPart>(p) { new(SigmaPartKind.Literal, combo) });
            }
            parts = next;
        }
        return parts.Select(p =>
        {
            var v = value.Clone();
            v.Text = new SigmaString(p);
            return v;
        }).ToList();
    }

    // Python's \w for str patterns: Unicode letters, digits and underscore.
    private static bool IsWord(string text, int index) =>
        index >= 0 && index < text.Length && (char.IsLetterOrDigit(text[index]) || text[index] == '_' || char.GetUnicodeCategory(text[index]) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation);

    private static bool IsNetwork(string text)
    {
        var slash = text.IndexOf('/');
        var address = slash < 0 ? text : text.Substring(0, slash);
        if (!System.Net.IPAddress.TryParse(address, out var ip)) return false;
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.Count(c => c == '.') != 3) return false;
        if (slash < 0) return true;
        var max = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        return int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix >= 0 && prefix <= max;
    }

    private List<Value>? Expand(Value value, YamlSpan span)
    {
        if (!value.Expanded) return new List<Value> { value };
        if (value.Kind == ValueKind.Regex && value.Raw.IndexOf('%') >= 0)
        {
            // Placeholders inside a regex become an alternation of the escaped values.
            var regex = new System.Text.RegularExpressions.Regex(@"(?<!\\)%(\w+)%");
            string? missing = null;
            var replaced = regex.Replace(value.Raw, m =>
            {
                if (!_context.Placeholders.TryGetValue(m.Groups[1].Value, out var values) || values.Count == 0)
                {
                    missing ??= m.Groups[1].Value;
                    return m.Value;
                }
                return "(?:" + string.Join("|", values.Select(System.Text.RegularExpressions.Regex.Escape)) + ")";
            });
            if (missing is not null) return MissingPlaceholder(missing, span);
            var v = value.Clone();
            v.Raw = replaced;
            return new List<Value> { v };
        }
        if (value.Kind != ValueKind.String || !value.Text.HasPlaceholders) return new List<Value> { value };
        var results = new List<List<SigmaPart>> { new() };
        foreach (var part in value.Text.Parts)
        {
            if (part.Kind != SigmaPartKind.Placeholder)
            {
                foreach (var r in results) r.Add(part);
                continue;
            }
            if (!_context.Placeholders.TryGetValue(part.Text, out var values) || values.Count == 0) return MissingPlaceholder(part.Text, span);
            var next = new List<List<SigmaPart>>();
            foreach (var r in results)
            {
                foreach (var replacement in values) next.Add(r.Concat(SigmaString.Parse(replacement).Parts).ToList());
            }
            results = next;
        }
        return results.Select(p =>
        {
            var v = value.Clone();
            v.Text = new SigmaString(p);
            return v;
        }).ToList();
    }

    private List<Value>? MissingPlaceholder(string name, YamlSpan span)
    {
        _context.MissingPlaceholder = true;
        _context.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SigmaPlaceholderMissing, _context.Locate(span), _context.RuleTitle, name));
        return null;
    }

    // ---- predicates ---------------------------------------------------------------------------------------------

    private Predicate? ToPredicate(FieldRef? field, string? fieldName, Value value, YamlSpan span, string keyText)
    {
        if (field is null)
        {
            // Keywords: the value anywhere in any string value of the event.
            switch (value.Kind)
            {
                case ValueKind.String:
                case ValueKind.Number:
                case ValueKind.Boolean:
                {
                    var v = AsString(value);
                    var text = v.Text;
                    if (!text.StartsWithAnyRun) text = text.Prepend(SigmaPart.AnyRun);
                    if (!text.EndsWithAnyRun) text = text.Append(SigmaPart.AnyRun);
                    return new AnyFieldPredicate(Matchers.ForPattern(text.ToPattern(), v.Cased ? CaseMode.Sensitive : CaseMode.IgnoreAsciiCase, ValueKinds.String));
                }
                case ValueKind.Regex:
                {
                    var regex = Regex(value, span);
                    return regex is null ? null : new AnyFieldPredicate(regex);
                }
                default:
                    Error(DiagnosticDescriptors.SigmaInvalidValue, span, keyText, $"a keyword search cannot use {value.Describe()}; name a field");
                    return null;
            }
        }
        switch (value.Kind)
        {
            case ValueKind.String:
                return new FieldPredicate(field, Matchers.ForPattern(value.Text.ToPattern(), value.Cased ? CaseMode.Sensitive : CaseMode.IgnoreAsciiCase, ValueKinds.Scalars));
            case ValueKind.Number:
            case ValueKind.Boolean:
                // Numbers compare with the number or string form of the event's value, as decimal text.
                return new FieldPredicate(field, Matchers.Exact(value.Raw, CaseMode.IgnoreAsciiCase, ValueKinds.Scalars));
            case ValueKind.Null:
                return new NotPredicate(new ExistsPredicate(field, ExistenceKind.NonNullValue));
            case ValueKind.Regex:
            {
                var regex = Regex(value, span);
                return regex is null ? null : new FieldPredicate(field, regex);
            }
            case ValueKind.Cidr:
                return new FieldPredicate(field, new CidrMatcher(EquatableArray.Create(value.Raw)));
            case ValueKind.FieldRef:
            {
                var other = _context.Profile.Resolve(value.Raw, _context.Logsource);
                var op = value.FieldStarts && value.FieldEnds ? StringOperation.Contains
                    : value.FieldStarts ? StringOperation.StartsWith
                    : value.FieldEnds ? StringOperation.EndsWith
                    : StringOperation.Equals;
                return new FieldComparePredicate(field, other, op, CaseMode.IgnoreAsciiCase);
            }
            case ValueKind.Exists:
            {
                var exists = new ExistsPredicate(field, ExistenceKind.KeyPresent);
                return value.Exists ? exists : new NotPredicate(exists);
            }
            case ValueKind.Compare:
                return new FieldPredicate(field, new NumberMatcher(value.Operator, value.Raw, AcceptNumericStrings: true));
            case ValueKind.TimePart:
                return new FieldPredicate(field, new DatePartMatcher(value.Part, value.Operator, int.Parse(value.Raw, CultureInfo.InvariantCulture)));
            default:
                return null;
        }
    }

    private RegexMatcher? Regex(Value value, YamlSpan span)
    {
        var pattern = SigmaRegex.ToDotNet(value.Raw);
        var options = System.Text.RegularExpressions.RegexOptions.None;
        if ((value.Flags & RegexFlags.IgnoreCase) != 0) options |= System.Text.RegularExpressions.RegexOptions.IgnoreCase;
        if ((value.Flags & RegexFlags.Multiline) != 0) options |= System.Text.RegularExpressions.RegexOptions.Multiline;
        if ((value.Flags & RegexFlags.Singleline) != 0) options |= System.Text.RegularExpressions.RegexOptions.Singleline;
        var problem = SigmaRegex.Check(pattern, options);
        if (problem is not null)
        {
            Error(DiagnosticDescriptors.SigmaInvalidRegex, span, value.Raw, problem);
            return null;
        }
        // Still compiled: the runtime matches it with a timeout. The warning names the construct to rewrite.
        if (BacktrackingConstructs.Find(pattern) is { } construct)
            Error(DiagnosticDescriptors.SigmaBacktrackingRegex, value.Span ?? span, value.Raw, construct.ToString(), construct.Name);
        return new RegexMatcher(pattern, value.Flags, ValueKinds.Scalars);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /// <summary>
    /// OR, with value tests on one field folded into one test: equalities into a set, many prefixes, suffixes or
    /// substrings into one text set (one pass over the value), CIDRs into one network set.
    /// </summary>
    public static Predicate Or(IReadOnlyList<Predicate> operands)
    {
        var flat = new List<Predicate>();
        foreach (var operand in operands)
        {
            if (operand is OrPredicate or) flat.AddRange(or.Operands);
            else flat.Add(operand);
        }
        var result = new List<Predicate>();
        foreach (var group in flat.GroupBy(SetKey))
        {
            var items = group.ToList();
            var key = group.Key;
            var minimum = key is null ? int.MaxValue : key.Value.Operation is null ? 1 : key.Value.Operation == StringOperation.Equals ? 3 : 4;
            if (items.Count < minimum || items.Count == 1)
            {
                result.AddRange(items);
                continue;
            }
            var k = key!.Value;
            if (k.Operation is null)
            {
                var networks = items.SelectMany(x => ((CidrMatcher)((FieldPredicate)x).Matcher).Networks).Distinct().ToEquatableArray();
                result.Add(new FieldPredicate(k.Field!, new CidrMatcher(networks)));
                continue;
            }
            var comparer = k.Case == CaseMode.IgnoreAsciiCase ? (IEqualityComparer<string>)AsciiIgnoreCase.Instance : StringComparer.Ordinal;
            var values = items.Select(x => ((StringMatcher)MatcherOf(x)).Value).Distinct(comparer).ToEquatableArray();
            ValueMatcher matcher = k.Operation == StringOperation.Equals
                ? new StringSetMatcher(values, k.Case, k.Kinds)
                : new StringListMatcher(k.Operation.Value, values, k.Case, k.Kinds);
            result.Add(k.Field is null ? new AnyFieldPredicate(matcher) : new FieldPredicate(k.Field, matcher));
        }
        return result.Count == 1 ? result[0] : new OrPredicate(result.ToEquatableArray());
    }

    private static ValueMatcher MatcherOf(Predicate p) => p is FieldPredicate f ? f.Matcher : ((AnyFieldPredicate)p).Matcher;

    // Operation null = CIDR; Field null = any field (keywords).
    private static (FieldRef? Field, StringOperation? Operation, CaseMode Case, ValueKinds Kinds)? SetKey(Predicate p) => p switch
    {
        FieldPredicate { Matcher: StringMatcher s } f => (f.Field, s.Operation, s.Case, s.Kinds),
        AnyFieldPredicate { Matcher: StringMatcher { Operation: not StringOperation.Equals } s } => (null, s.Operation, s.Case, s.Kinds),
        FieldPredicate { Matcher: CidrMatcher } f => (f.Field, null, CaseMode.Sensitive, ValueKinds.String),
        _ => null,
    };

    /// <summary>Removes double negations (exact under two-valued logic) and flattens nested AND/OR.</summary>
    public static Predicate Simplify(Predicate predicate) => predicate switch
    {
        NotPredicate { Operand: NotPredicate inner } => Simplify(inner.Operand),
        NotPredicate not => new NotPredicate(Simplify(not.Operand)),
        AndPredicate and => And(and.Operands.Select(Simplify).ToList()),
        OrPredicate or => new OrPredicate(or.Operands.Select(Simplify).ToEquatableArray()) is var o && o.Operands.Count == 1 ? o.Operands[0] : Flatten(o),
        _ => predicate,
    };

    private static Predicate Flatten(OrPredicate or)
    {
        var list = new List<Predicate>();
        foreach (var operand in or.Operands)
        {
            if (operand is OrPredicate inner) list.AddRange(inner.Operands);
            else list.Add(operand);
        }
        return new OrPredicate(list.ToEquatableArray());
    }

    public static Predicate And(IReadOnlyList<Predicate> operands)
    {
        var flat = new List<Predicate>();
        foreach (var operand in operands)
        {
            if (operand is AndPredicate and) flat.AddRange(and.Operands);
            else flat.Add(operand);
        }
        return flat.Count == 1 ? flat[0] : new AndPredicate(flat.ToEquatableArray());
    }

    private sealed class AsciiIgnoreCase : IEqualityComparer<string>
    {
        public static readonly AsciiIgnoreCase Instance = new();
        public bool Equals(string? x, string? y) => string.Equals(Emit.Literals.AsciiLower(x ?? ""), Emit.Literals.AsciiLower(y ?? ""), StringComparison.Ordinal);
        public int GetHashCode(string obj) => Emit.Literals.AsciiLower(obj).GetHashCode();
    }

    private void Error(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, YamlSpan span, params string[] args) =>
        _context.Diagnostics.Add(DiagnosticInfo.Create(descriptor, _context.Locate(span), args));

    private Predicate? ErrorNull(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, YamlSpan span, params string[] args)
    {
        Error(descriptor, span, args);
        return null;
    }
}

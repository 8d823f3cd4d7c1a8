using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RuleGen.Generator.Diagnostics;
using RuleGen.Generator.FieldTypes;
using RuleGen.Generator.Model;
using RuleGen.Generator.RuleFormats.Toml;

namespace RuleGen.Generator.RuleFormats.Elastic;

/// <summary>
/// Compiles a rule's Kibana <c>filters</c> (as Kibana's <c>buildEsQuery</c> applies them: every enabled filter is
/// ANDed with the query; <c>meta.negate</c> turns it into a must_not, <c>meta.disabled</c> drops it). Each filter's
/// query is Elasticsearch query DSL: <c>bool</c> (must, filter, should with minimum_should_match, must_not),
/// <c>match_phrase</c>, <c>match</c>, <c>term</c>, <c>terms</c>, <c>wildcard</c> (with <c>case_insensitive</c>),
/// <c>exists</c> and <c>match_all</c>, typed by the fields' types like the query. Anything else is an RG0104 error.
/// </summary>
internal sealed class KibanaFilters
{
    private readonly RuleFieldContext _context;
    private readonly TypedQueries _queries;
    private bool _failed;

    private KibanaFilters(RuleFieldContext context)
    {
        _context = context;
        _queries = new TypedQueries(context);
    }

    /// <summary>The filters ANDed (null when there are none to apply), or null with an error when one cannot be compiled.</summary>
    public static (Predicate? Condition, bool Failed) Compile(TomlNode filters, RuleFieldContext context)
    {
        var compiler = new KibanaFilters(context);
        if (filters is not TomlArrayNode array)
        {
            compiler.Fail(filters.Location, "'filters' must be an array of filter tables");
            return (null, true);
        }
        var operands = new List<Predicate>();
        foreach (var item in array.Items)
        {
            if (item is not TomlTableNode filter)
            {
                compiler.Fail(item.Location, "each filter must be a table with meta and query");
                continue;
            }
            var meta = filter["meta"] as TomlTableNode;
            if (meta is not null && Bool(meta["disabled"]) == true) continue;
            TomlTableNode query;
            if (filter["query"] is TomlTableNode wrapped)
            {
                query = wrapped;
            }
            else
            {
                // Older filters keep the query at the top level beside meta.
                query = filter;
            }
            var predicate = compiler.Query(query, skipKeys: query == filter);
            if (predicate is null) continue;
            operands.Add(meta is not null && Bool(meta["negate"]) == true ? new NotPredicate(predicate) : predicate);
        }
        if (compiler._failed) return (null, true);
        if (operands.Count == 0) return (null, false);
        return (operands.Count == 1 ? operands[0] : new AndPredicate(operands.ToEquatableArray()), false);
    }

    private void Fail(SourceLocation location, string message)
    {
        _failed = true;
        _context.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedFilter, location, message));
    }

    private static bool? Bool(TomlNode? node) => node is TomlScalarNode { Kind: TomlScalarKind.Boolean } b ? (bool)b.Value : null;

    /// <summary>One query DSL object: exactly one query kind key (filters may carry meta and $state beside it).</summary>
    private Predicate? Query(TomlTableNode table, bool skipKeys = false)
    {
        var entries = table.Entries.Where(e => !skipKeys || (e.Key != "meta" && e.Key != "$state")).ToList();
        if (entries.Count != 1)
        {
            Fail(table.Location, entries.Count == 0 ? "the filter has no query" : "a query object must have exactly one query kind (bool, match_phrase, wildcard, exists, ...)");
            return null;
        }
        var entry = entries[0];
        if (entry.Value is not TomlTableNode body)
        {
            Fail(entry.Value.Location, $"'{entry.Key}' must be an object");
            return null;
        }
        switch (entry.Key)
        {
            case "match_all":
                return ConstantPredicate.True;
            case "bool":
                return BoolQuery(body);
            case "exists":
            {
                if (body["field"] is not TomlScalarNode { Kind: TomlScalarKind.String } field)
                {
                    Fail(body.Location, "exists needs a field");
                    return null;
                }
                return _queries.Exists(Resolve((string)field.Value, field.Location));
            }
            case "match_phrase":
            case "match":
            case "term":
            case "wildcard":
                return FieldQuery(entry.Key, body);
            case "terms":
            {
                var (name, valueNode) = SingleField(body, "terms");
                if (name is null) return null;
                if (valueNode is not TomlArrayNode values)
                {
                    Fail(valueNode!.Location, "terms needs an array of values");
                    return null;
                }
                var field = Resolve(name, valueNode.Location);
                var operands = new List<Predicate>();
                foreach (var value in values.Items)
                {
                    if (Scalar(value) is not { } text)
                    {
                        Fail(value.Location, "terms values must be strings, numbers or booleans");
                        return null;
                    }
                    operands.Add(_queries.Term(field, text, value.Location));
                }
                return operands.Count == 0 ? ConstantPredicate.False : new OrPredicate(operands.ToEquatableArray());
            }
            default:
                Fail(entry.KeyLocation, $"the '{entry.Key}' query is not supported (supported: bool, match_phrase, match, term, terms, wildcard, exists, match_all)");
                return null;
        }
    }

    private (string? Name, TomlNode? Value) SingleField(TomlTableNode body, string kind)
    {
        if (body.Entries.Count != 1)
        {
            Fail(body.Location, $"{kind} must name exactly one field");
            return (null, null);
        }
        return (body.Entries[0].Key, body.Entries[0].Value);
    }

    private ResolvedField Resolve(string name, SourceLocation location) => _context.Resolve(name, location);

    private Predicate? FieldQuery(string kind, TomlTableNode body)
    {
        var (name, valueNode) = SingleField(body, kind);
        if (name is null) return null;
        var caseInsensitive = false;
        string? text;
        if (valueNode is TomlTableNode options)
        {
            // The long form: {"query": ...} (match, match_phrase) or {"value": ..., "case_insensitive": ...} (term, wildcard).
            var valueKey = kind is "match" or "match_phrase" ? "query" : options["value"] is null && kind == "wildcard" ? "wildcard" : "value";
            text = Scalar(options[valueKey]);
            caseInsensitive = Bool(options["case_insensitive"]) == true;
            foreach (var option in options.Entries)
            {
                if (option.Key is "query" or "value" or "wildcard" or "case_insensitive" or "boost" or "rewrite") continue;
                if (kind == "match" && option.Key == "operator" && Scalar(option.Value) is "or" or "OR") continue;
                Fail(option.KeyLocation, $"the {kind} option '{option.Key}' is not supported");
                return null;
            }
        }
        else
        {
            text = Scalar(valueNode);
        }
        if (text is null)
        {
            Fail(valueNode!.Location, $"{kind} on '{name}' needs a value");
            return null;
        }
        var location = valueNode!.Location;
        var field = Resolve(name, location);
        switch (kind)
        {
            case "match_phrase":
                return _queries.MatchPhrase(field, text, location);
            case "match":
                return _queries.Match(field, text, location);
            case "term":
                if (caseInsensitive)
                    return _queries.Wildcard(field, WildcardPattern.Create(new[] { new WildcardPart(WildcardPartKind.Literal, text) }), caseInsensitive: true);
                return _queries.Term(field, text, location);
            default:
                if (field.Type.Family is not (FieldFamily.Keyword or FieldFamily.Flattened or FieldFamily.Text))
                {
                    Fail(location, $"a wildcard query on '{name}' (type {field.Type}) is rejected by Elasticsearch");
                    return null;
                }
                return _queries.Wildcard(field, ParseWildcard(text), caseInsensitive);
        }
    }

    /// <summary>Elasticsearch wildcard syntax: <c>*</c> any run, <c>?</c> one character, <c>\</c> makes the next character literal.</summary>
    internal static WildcardPattern ParseWildcard(string text)
    {
        var parts = new List<WildcardPart>();
        var literal = new StringBuilder();
        void Flush()
        {
            if (literal.Length == 0) return;
            parts.Add(new WildcardPart(WildcardPartKind.Literal, literal.ToString()));
            literal.Clear();
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length) literal.Append(text[++i]);
            else if (c == '*') { Flush(); parts.Add(WildcardPart.AnyRun); }
            else if (c == '?') { Flush(); parts.Add(WildcardPart.AnyChar); }
            else literal.Append(c);
        }
        Flush();
        return WildcardPattern.Create(parts);
    }

    private Predicate? BoolQuery(TomlTableNode body)
    {
        var must = new List<Predicate>();
        var should = new List<Predicate>();
        var requiredClauses = 0;
        int? minimumShouldMatch = null;
        foreach (var entry in body.Entries)
        {
            switch (entry.Key)
            {
                case "must":
                case "filter":
                case "must_not":
                case "should":
                {
                    var clauses = Clauses(entry.Value);
                    if (clauses is null) return null;
                    if (entry.Key == "should") should.AddRange(clauses);
                    else if (entry.Key == "must_not") must.AddRange(clauses.Select(c => (Predicate)new NotPredicate(c)));
                    else
                    {
                        must.AddRange(clauses);
                        requiredClauses += clauses.Count;
                    }
                    break;
                }
                case "minimum_should_match":
                    if (entry.Value is TomlScalarNode { Kind: TomlScalarKind.Integer } count) minimumShouldMatch = (int)(long)count.Value;
                    else if (entry.Value is TomlScalarNode { Kind: TomlScalarKind.String } s && int.TryParse((string)s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) minimumShouldMatch = parsed;
                    else
                    {
                        Fail(entry.Value.Location, "minimum_should_match must be a whole number");
                        return null;
                    }
                    break;
                case "boost":
                    break;
                default:
                    Fail(entry.KeyLocation, $"the bool option '{entry.Key}' is not supported");
                    return null;
            }
        }
        // Without must or filter clauses (must_not does not count) at least one should clause must match; with them,
        // should clauses are optional unless minimum_should_match says otherwise (query-dsl-bool-query.html).
        var required = minimumShouldMatch ?? (requiredClauses == 0 && should.Count > 0 ? 1 : 0);
        if (should.Count > 0 && required > 0)
        {
            if (required == 1) must.Add(should.Count == 1 ? should[0] : new OrPredicate(should.ToEquatableArray()));
            else if (required >= should.Count) must.AddRange(should);
            else
            {
                Fail(body.Location, "minimum_should_match above 1 (and below the number of should clauses) is not supported");
                return null;
            }
        }
        else if (required > should.Count)
        {
            return ConstantPredicate.False;
        }
        if (must.Count == 0) return ConstantPredicate.True;
        return must.Count == 1 ? must[0] : new AndPredicate(must.ToEquatableArray());
    }

    private List<Predicate>? Clauses(TomlNode node)
    {
        var tables = node switch
        {
            TomlTableNode single => new List<TomlTableNode> { single },
            TomlArrayNode array when array.Items.All(i => i is TomlTableNode) => array.Items.Cast<TomlTableNode>().ToList(),
            _ => null,
        };
        if (tables is null)
        {
            Fail(node.Location, "bool clauses must be query objects");
            return null;
        }
        var result = new List<Predicate>();
        foreach (var table in tables)
        {
            var predicate = Query(table);
            if (predicate is null) return null;
            result.Add(predicate);
        }
        return result;
    }

    private static string? Scalar(TomlNode? node) => node switch
    {
        TomlScalarNode { Kind: TomlScalarKind.String } s => (string)s.Value,
        TomlScalarNode { Kind: TomlScalarKind.Integer } i => ((long)i.Value).ToString(CultureInfo.InvariantCulture),
        TomlScalarNode { Kind: TomlScalarKind.Float } f => ((double)f.Value).ToString("R", CultureInfo.InvariantCulture),
        TomlScalarNode { Kind: TomlScalarKind.Boolean } b => (bool)b.Value ? "true" : "false",
        _ => null,
    };
}

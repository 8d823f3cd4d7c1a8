using RuleGen.Generator.Planning;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Kql;

/// <summary>
/// KQL rules compiled by the generator (one compilation for all of them) and run on JSON events. Each verdict is
/// asked twice, of the rule alone and of the rule set (<see cref="GeneratorRun.Matches(string, string)"/>), and the
/// two must agree. Expected verdicts are Elasticsearch's for keyword fields: exact, case-sensitive values; arrays
/// match when any element does; null, [] and absent fields fail every positive test.
/// </summary>
public sealed class KqlEndToEndTests : IClassFixture<KqlEndToEndTests.Rules>
{
    /// <summary>Every rule of these tests, by name (the generated type is the name in PascalCase).</summary>
    public static readonly IReadOnlyDictionary<string, string> Queries = new Dictionary<string, string>
    {
        ["Exact"] = "event.outcome:success",
        ["Deep path"] = "a.b.c.d:x",
        ["Quote escape"] = "f:\"say \\\"hi\\\"\"",
        ["Backslash prefix"] = @"f:C\:\\Windows\\*",
        ["Slashes"] = "f:\"http://x/y\"",
        ["Unicode"] = "f:café",
        ["Unicode escape"] = @"f:\u00e9t\u00e9",
        ["Emoji prefix"] = "f:😀*",
        ["Tab"] = @"f:""a\tb""",
        ["Unicode key"] = "données.nom:x",
        ["Number"] = "f:403",
        ["Quoted number"] = "f:\"403\"",
        ["Boolean true"] = "f:true",
        ["Boolean false"] = "f:false",
        ["Quoted true"] = "f:\"true\"",
        ["Null literal"] = "f:null",
        ["Greater than"] = "n > 5",
        ["Between"] = "n >= 5 and n < 10",
        ["Negative bound"] = "n <= -1.5",
        ["Text range"] = "host.name > m",
        ["Exists"] = "f:*",
        ["Not exists"] = "not f:*",
        ["Nested pair"] = "user:{ first:a and last:b }",
        ["Nested not"] = "user:{ first:a and not last:b }",
        ["Nested twice"] = "user:{ first:a } and user:{ last:b }",
        ["Nested nested"] = "a:{ b:{ c:1 } }",
        ["Nested dotted"] = "x.y:{ c:1 and d.e:2 }",
        ["Hash exists"] = "file.hash.*:*",
        ["Hash value"] = "file.hash.*:abc",
        ["Any name"] = "*.name:x",
        ["Fieldless"] = "powershell",
        ["Fieldless wildcard"] = "*shell*",
        ["Value list"] = "f:(a or b and not c)",
        ["Value and"] = "f:(a and b)",
        ["Not value"] = "not f:x",
        ["Value not"] = "f:(not x)",
        ["Quoted star"] = "f:\"a*b\"",
        ["Question mark"] = "f:a?c",
        ["Escaped star"] = @"f:a\*",
        ["Inner wildcard"] = "f:a*c",
        ["Many wildcards"] = "f:a*b*c",
        ["Unicode wildcard"] = "f:*é*",
        ["Spaces in value"] = "f:Program Files",
        ["Everything"] = "",
        ["Connectives"] = "(a:1 or b:1) and not c:1",
    };

    /// <summary>The compiled rules, shared by the tests of this class.</summary>
    public sealed class Rules : IDisposable
    {
        public Rules()
        {
            var files = Queries.Select((q, i) => ($"rules/e2e_{i:D2}.toml",
                GeneratorHarness.ElasticRule(q.Value, name: q.Key, ruleId: $"00000000-0000-4000-8000-{i:D12}")));
            Run = GeneratorHarness.Run(files, null);
        }

        public GeneratorRun Run { get; }

        public void Dispose() => Run.Dispose();
    }

    private readonly GeneratorRun _run;

    public KqlEndToEndTests(Rules rules) => _run = rules.Run;

    private void Check(string rule, string json, bool expected) =>
        Assert.True(expected == _run.Matches(TypeNames.FromText(rule), json),
            $"Rule '{rule}' ({Queries[rule]}) should {(expected ? "" : "not ")}match {json}");

    [Fact]
    public void Every_rule_compiles_and_only_the_quoted_star_is_linted()
    {
        var diagnostic = Assert.Single(_run.GeneratorDiagnostics);
        Assert.Equal("RG0007", diagnostic.Id);
        Assert.Equal("rules/e2e_" + Queries.Keys.ToList().IndexOf("Quoted star").ToString("D2") + ".toml", diagnostic.Location.GetLineSpan().Path);
        Assert.Empty(_run.CompileDiagnostics);
        Assert.Equal(Queries.Count, _run.RuleSet().Rules.Count);
    }

    // ---- where a field's values are: nested objects, dotted keys, arrays ------------------------------------

    [Theory]
    [InlineData("""{"event":{"outcome":"success"}}""", true)]
    [InlineData("""{"event.outcome":"success"}""", true)]
    [InlineData("""{ "event" : { "outcome" : "success" } , "other" : [1, {"x": null}] }""", true)]
    [InlineData("""{"event":{"out\u0063ome":"success"}}""", true)]
    [InlineData("""{"event.outcome":"failure","event":{"outcome":"success"}}""", true)]
    [InlineData("""{"event":[{"outcome":"failure"},{"outcome":"success"}]}""", true)]
    [InlineData("""{"event":[[{"outcome":"success"}]]}""", true)]
    [InlineData("""{"event":{"outcome":["failure","success"]}}""", true)]
    [InlineData("""{"event":{"outcome":[["failure"],["success"]]}}""", true)]
    [InlineData("""{"event":{"outcome":"Success"}}""", false)]
    [InlineData("""{"event":{"outcome":"success "}}""", false)]
    [InlineData("""{"Event":{"outcome":"success"}}""", false)]
    [InlineData("""{"event":{"outcome":{"value":"success"}}}""", false)]
    [InlineData("""{"event":{"outcome":null}}""", false)]
    [InlineData("""{"event":{"outcome":[]}}""", false)]
    [InlineData("""{"event":{"outcome":[null]}}""", false)]
    [InlineData("""{"event":{}}""", false)]
    [InlineData("""{}""", false)]
    [InlineData("""{"outcome":"success"}""", false)]
    [InlineData("""{"event":{"outcome":"success"}""", false)]
    [InlineData("""[{"event":{"outcome":"success"}}]""", false)]
    [InlineData("""{"event":{"outcome":"success"}} {}""", false)]
    [InlineData("", false)]
    public void Values_resolve_through_objects_dotted_keys_and_arrays(string json, bool expected) => Check("Exact", json, expected);

    [Theory]
    [InlineData("""{"a":{"b":{"c":{"d":"x"}}}}""", true)]
    [InlineData("""{"a.b.c.d":"x"}""", true)]
    [InlineData("""{"a.b":{"c.d":"x"}}""", true)]
    [InlineData("""{"a":{"b.c":{"d":"x"}}}""", true)]
    [InlineData("""{"a":{"b":{"c.d":"x"}}}""", true)]
    [InlineData("""{"a.b.c":{"d":"x"}}""", true)]
    [InlineData("""{"a":[{"b":[{"c":{"d":["y","x"]}}]}]}""", true)]
    [InlineData("""{"a":{"b":{"c":{"d":"y"}}},"a.b.c.d":"x"}""", true)]
    [InlineData("""{"a":{"b":{"c":{"d":{"e":"x"}}}}}""", false)]
    [InlineData("""{"a":{"b":"x"}}""", false)]
    [InlineData("""{"a.b.c.d.e":"x"}""", false)]
    [InlineData("""{"a.b.c.dd":"x"}""", false)]
    [InlineData("""{"a.b.c":"x"}""", false)]
    public void Nested_objects_and_dotted_keys_mix_at_any_level(string json, bool expected) => Check("Deep path", json, expected);

    // ---- JSON escapes and Unicode ----------------------------------------------------------------------------

    [Theory]
    [InlineData("Quote escape", """{"f":"say \"hi\""}""", true)]
    [InlineData("Quote escape", """{"f":"say \u0022hi\u0022"}""", true)]
    [InlineData("Quote escape", """{"f":"say hi"}""", false)]
    [InlineData("Backslash prefix", """{"f":"C:\\Windows\\System32\\cmd.exe"}""", true)]
    [InlineData("Backslash prefix", """{"f":"C:\u005cWindows\u005cx"}""", true)]
    [InlineData("Backslash prefix", """{"f":"C:/Windows/x"}""", false)]
    [InlineData("Backslash prefix", """{"f":"c:\\Windows\\x"}""", false)]
    [InlineData("Backslash prefix", """{"f":"C:\\Windows"}""", false)]
    [InlineData("Slashes", """{"f":"http:\/\/x\/y"}""", true)]
    [InlineData("Slashes", """{"f":"http://x/y"}""", true)]
    [InlineData("Unicode", """{"f":"café"}""", true)]
    [InlineData("Unicode", """{"f":"caf\u00e9"}""", true)]
    [InlineData("Unicode", """{"f":"caf\u00E9"}""", true)]
    [InlineData("Unicode", """{"f":"cafe\u0301"}""", false)]
    [InlineData("Unicode", """{"f":"CAFÉ"}""", false)]
    [InlineData("Unicode", """{"f":"cafe"}""", false)]
    [InlineData("Unicode escape", """{"f":"été"}""", true)]
    [InlineData("Unicode escape", """{"f":"\u00e9t\u00e9"}""", true)]
    [InlineData("Unicode escape", """{"f":"ete"}""", false)]
    [InlineData("Emoji prefix", """{"f":"😀 smile"}""", true)]
    [InlineData("Emoji prefix", """{"f":"\ud83d\ude00"}""", true)]
    [InlineData("Emoji prefix", """{"f":"🙂 smile"}""", false)]
    [InlineData("Tab", """{"f":"a\tb"}""", true)]
    [InlineData("Tab", """{"f":"a\u0009b"}""", true)]
    [InlineData("Tab", """{"f":"a b"}""", false)]
    [InlineData("Unicode key", """{"données":{"nom":"x"}}""", true)]
    [InlineData("Unicode key", """{"donn\u00e9es.nom":"x"}""", true)]
    [InlineData("Unicode key", """{"donnees":{"nom":"x"}}""", false)]
    public void Json_escapes_are_decoded_and_unicode_compares_exactly(string rule, string json, bool expected) => Check(rule, json, expected);

    // ---- numbers, booleans, null -----------------------------------------------------------------------------

    [Theory]
    [InlineData("Number", """{"f":403}""", true)]
    [InlineData("Number", """{"f":"403"}""", true)]
    [InlineData("Number", """{"f":[1,403]}""", true)]
    [InlineData("Number", """{"f":4030}""", false)]
    [InlineData("Number", """{"f":"0403"}""", false)]
    [InlineData("Number", """{"f":null}""", false)]
    [InlineData("Quoted number", """{"f":403}""", true)]
    [InlineData("Quoted number", """{"f":"403"}""", true)]
    [InlineData("Boolean true", """{"f":true}""", true)]
    [InlineData("Boolean true", """{"f":"true"}""", true)]
    [InlineData("Boolean true", """{"f":[false,true]}""", true)]
    [InlineData("Boolean true", """{"f":false}""", false)]
    [InlineData("Boolean true", """{"f":"True"}""", false)]
    [InlineData("Boolean true", """{"f":1}""", false)]
    [InlineData("Boolean true", """{"f":null}""", false)]
    [InlineData("Boolean false", """{"f":false}""", true)]
    [InlineData("Boolean false", """{"f":true}""", false)]
    [InlineData("Boolean false", """{}""", false)]
    [InlineData("Quoted true", """{"f":true}""", true)]
    [InlineData("Quoted true", """{"f":"true"}""", true)]
    // Unquoted null is the word "null"; a JSON null is no value at all.
    [InlineData("Null literal", """{"f":"null"}""", true)]
    [InlineData("Null literal", """{"f":null}""", false)]
    [InlineData("Null literal", """{}""", false)]
    public void Numbers_booleans_and_null(string rule, string json, bool expected) => Check(rule, json, expected);

    [Theory]
    [InlineData("Greater than", """{"n":6}""", true)]
    [InlineData("Greater than", """{"n":5.5}""", true)]
    [InlineData("Greater than", """{"n":1e1}""", true)]
    [InlineData("Greater than", """{"n":"6"}""", true)]
    [InlineData("Greater than", """{"n":"6.0"}""", true)]
    [InlineData("Greater than", """{"n":[1,10]}""", true)]
    [InlineData("Greater than", """{"n":5}""", false)]
    [InlineData("Greater than", """{"n":-6}""", false)]
    [InlineData("Greater than", """{"n":"abc"}""", false)]
    [InlineData("Greater than", """{"n":null}""", false)]
    [InlineData("Greater than", """{"n":[]}""", false)]
    [InlineData("Greater than", """{"n":true}""", false)]
    [InlineData("Greater than", """{}""", false)]
    [InlineData("Between", """{"n":5}""", true)]
    [InlineData("Between", """{"n":9.99}""", true)]
    [InlineData("Between", """{"n":10}""", false)]
    [InlineData("Between", """{"n":4}""", false)]
    // Each bound is its own test over the values: different elements may meet them (as in Elasticsearch).
    [InlineData("Between", """{"n":[4,10]}""", true)]
    [InlineData("Negative bound", """{"n":-2}""", true)]
    [InlineData("Negative bound", """{"n":-1.5}""", true)]
    [InlineData("Negative bound", """{"n":-1}""", false)]
    [InlineData("Text range", """{"host":{"name":"n"}}""", true)]
    [InlineData("Text range", """{"host":{"name":"ma"}}""", true)]
    [InlineData("Text range", """{"host":{"name":"m"}}""", false)]
    [InlineData("Text range", """{"host":{"name":"a"}}""", false)]
    public void Ranges_compare_numbers_numerically_and_text_in_byte_order(string rule, string json, bool expected) => Check(rule, json, expected);

    // ---- exists -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("""{"f":"x"}""", true)]
    [InlineData("""{"f":""}""", true)]
    [InlineData("""{"f":0}""", true)]
    [InlineData("""{"f":false}""", true)]
    [InlineData("""{"f":[null,""]}""", true)]
    [InlineData("""{"f":{"x":"1"}}""", true)]
    [InlineData("""{"f":null}""", false)]
    [InlineData("""{"f":[]}""", false)]
    [InlineData("""{"f":[null]}""", false)]
    [InlineData("""{"f":[[],[null]]}""", false)]
    [InlineData("""{"g":"x"}""", false)]
    [InlineData("""{}""", false)]
    public void Exists_counts_empty_zero_and_false_but_not_null_or_empty_arrays(string json, bool expected)
    {
        Check("Exists", json, expected);
        Check("Not exists", json, !expected);
    }

    // ---- nested queries ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("Nested pair", """{"user":[{"first":"a","last":"b"}]}""", true)]
    [InlineData("Nested pair", """{"user":{"first":"a","last":"b"}}""", true)]
    [InlineData("Nested pair", """{"user":[{"first":"x"},{"first":"a","last":"b"}]}""", true)]
    [InlineData("Nested pair", """{"user":[{"first":"a","last":["c","b"]}]}""", true)]
    [InlineData("Nested pair", """{"user":[{"first":"a","last.x":"b"}]}""", false)]
    [InlineData("Nested pair", """{"user":[{"first":"a","last":"x"},{"first":"x","last":"b"}]}""", false)]
    [InlineData("Nested pair", """{"user":[{"first":"a"},{"last":"b"}]}""", false)]
    [InlineData("Nested pair", """{"user":["a","b"]}""", false)]
    [InlineData("Nested pair", """{"user":null}""", false)]
    [InlineData("Nested pair", """{"first":"a","last":"b"}""", false)]
    [InlineData("Nested not", """{"user":[{"first":"a","last":"b"},{"first":"a"}]}""", true)]
    [InlineData("Nested not", """{"user":[{"first":"a","last":"b"}]}""", false)]
    [InlineData("Nested twice", """{"user":[{"first":"a"},{"last":"b"}]}""", true)]
    [InlineData("Nested twice", """{"user":[{"first":"a"}]}""", false)]
    [InlineData("Nested nested", """{"a":[{"b":[{"c":2},{"c":1}]}]}""", true)]
    [InlineData("Nested nested", """{"a":{"b":{"c":"1"}}}""", true)]
    [InlineData("Nested nested", """{"a":[{"b":[{"c":2}]},{"c":1}]}""", false)]
    [InlineData("Nested pair", """{"user":[[{"first":"a","last":"b"}]]}""", true)]
    [InlineData("Nested dotted", """{"x":{"y":[{"c":1,"d":{"e":2}}]}}""", true)]
    [InlineData("Nested dotted", """{"x.y":[{"c":1,"d.e":"2"}]}""", true)]
    [InlineData("Nested dotted", """{"x":{"y":[{"c":1},{"d.e":2}]}}""", false)]
    public void Nested_queries_need_one_element_to_satisfy_the_whole_inner_query(string rule, string json, bool expected) => Check(rule, json, expected);

    // ---- wildcard field names and field-less values -----------------------------------------------------------

    [Theory]
    [InlineData("Hash exists", """{"file":{"hash":{"sha256":"abc"}}}""", true)]
    [InlineData("Hash exists", """{"file.hash.md5":"x"}""", true)]
    [InlineData("Hash exists", """{"file":{"hash.sha1":""}}""", true)]
    [InlineData("Hash exists", """{"file":{"hash":{"sha256":null}}}""", false)]
    [InlineData("Hash exists", """{"file":{"hash":{}}}""", false)]
    [InlineData("Hash exists", """{"file":{"hash":"x"}}""", false)]
    [InlineData("Hash exists", """{"file":{"name":"x"}}""", false)]
    [InlineData("Hash value", """{"file":{"hash":{"md5":"abc"}}}""", true)]
    [InlineData("Hash value", """{"file":{"hash":{"md5":"abd","sha1":["x","abc"]}}}""", true)]
    [InlineData("Hash value", """{"file":{"hash":{"md5":"abd"}}}""", false)]
    [InlineData("Any name", """{"process":{"name":"x"}}""", true)]
    [InlineData("Any name", """{"process":{"parent":{"name":"x"}}}""", true)]
    [InlineData("Any name", """{"name":"x"}""", false)]
    public void Wildcard_field_names_match_every_field_they_cover(string rule, string json, bool expected) => Check(rule, json, expected);

    [Theory]
    [InlineData("Fieldless", """{"a":"powershell"}""", true)]
    [InlineData("Fieldless", """{"a":{"b":["x","powershell"]}}""", true)]
    [InlineData("Fieldless", """{"a.b":"powershell"}""", true)]
    [InlineData("Fieldless", """{"a":"PowerShell"}""", false)]
    [InlineData("Fieldless", """{"a":"powershell.exe"}""", false)]
    [InlineData("Fieldless", """{"powershell":1}""", false)]
    [InlineData("Fieldless wildcard", """{"x":{"y":"powershell.exe"}}""", true)]
    [InlineData("Fieldless wildcard", """{"x":"bash"}""", false)]
    public void Values_without_a_field_search_every_string_value(string rule, string json, bool expected) => Check(rule, json, expected);

    // ---- and / or / not, value lists --------------------------------------------------------------------------

    [Theory]
    [InlineData("Value list", """{"f":"a"}""", true)]
    [InlineData("Value list", """{"f":"b"}""", true)]
    [InlineData("Value list", """{"f":["a","c"]}""", true)]
    [InlineData("Value list", """{"f":["b","c"]}""", false)]
    [InlineData("Value list", """{"f":"c"}""", false)]
    [InlineData("Value list", """{}""", false)]
    // f:(a and b) may be met by different elements of an array.
    [InlineData("Value and", """{"f":["a","b"]}""", true)]
    [InlineData("Value and", """{"f":"a"}""", false)]
    [InlineData("Not value", """{"f":"y"}""", true)]
    [InlineData("Not value", """{}""", true)]
    [InlineData("Not value", """{"f":null}""", true)]
    [InlineData("Not value", """{"f":[]}""", true)]
    [InlineData("Not value", """{"f":"x"}""", false)]
    [InlineData("Not value", """{"f":["y","x"]}""", false)]
    [InlineData("Value not", """{}""", true)]
    [InlineData("Value not", """{"f":"x"}""", false)]
    [InlineData("Connectives", """{"a":1,"c":2}""", true)]
    [InlineData("Connectives", """{"b":"1"}""", true)]
    [InlineData("Connectives", """{"a":1,"c":1}""", false)]
    [InlineData("Connectives", """{"c":2}""", false)]
    public void Connectives_and_value_lists_are_two_valued(string rule, string json, bool expected) => Check(rule, json, expected);

    // ---- wildcards and literal stars ---------------------------------------------------------------------------

    [Theory]
    [InlineData("Quoted star", """{"f":"a*b"}""", true)]
    [InlineData("Quoted star", """{"f":"axb"}""", false)]
    [InlineData("Quoted star", """{"f":"ab"}""", false)]
    [InlineData("Question mark", """{"f":"a?c"}""", true)]
    [InlineData("Question mark", """{"f":"abc"}""", false)]
    [InlineData("Escaped star", """{"f":"a*"}""", true)]
    [InlineData("Escaped star", """{"f":"ab"}""", false)]
    [InlineData("Inner wildcard", """{"f":"ac"}""", true)]
    [InlineData("Inner wildcard", """{"f":"abbc"}""", true)]
    [InlineData("Inner wildcard", """{"f":"a/b\nc"}""", true)]
    [InlineData("Inner wildcard", """{"f":"ab"}""", false)]
    [InlineData("Inner wildcard", """{"f":"Abc"}""", false)]
    [InlineData("Many wildcards", """{"f":"aXbYc"}""", true)]
    [InlineData("Many wildcards", """{"f":"abc"}""", true)]
    [InlineData("Many wildcards", """{"f":"acb"}""", false)]
    [InlineData("Unicode wildcard", """{"f":"café au lait"}""", true)]
    [InlineData("Unicode wildcard", """{"f":"cafe"}""", false)]
    [InlineData("Spaces in value", """{"f":"Program Files"}""", true)]
    [InlineData("Spaces in value", """{"f":"Program  Files"}""", false)]
    [InlineData("Everything", """{}""", true)]
    [InlineData("Everything", """{"any":["thing"]}""", true)]
    [InlineData("Everything", """not json""", false)]
    public void Stars_are_wild_only_unquoted_and_unescaped(string rule, string json, bool expected) => Check(rule, json, expected);
}

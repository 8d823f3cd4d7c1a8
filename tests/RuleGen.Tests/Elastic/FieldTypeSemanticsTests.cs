using RuleGen.Tests.Infrastructure;
namespace RuleGen.Tests.Elastic;

/// <summary>
/// How a KQL value matches depends on the field's Elasticsearch type, as Elasticsearch decides it. Each case is
/// written from Elasticsearch's documented behaviour (the reference is named above each test), not from a dataset.
/// </summary>
public sealed class FieldTypeSemanticsTests
{
    // keyword: "Keyword fields ... are not analyzed" and the term query "returns documents that contain an exact
    // term" (reference/mapping-types/keyword.html, query-dsl-term-query.html): case-sensitive, whole value.
    [Theory]
    [InlineData("""{"event":{"outcome":"success"}}""", true)]
    [InlineData("""{"event":{"outcome":"Success"}}""", false)]
    [InlineData("""{"event":{"outcome":"success "}}""", false)]
    [InlineData("""{"event":{"outcome":["failure","success"]}}""", true)]
    public void Keyword_fields_match_the_whole_value_case_sensitively(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("event.outcome:success");
        Assert.Equal(expected, run.Matches(json));
    }

    // A JSON number in a keyword field is indexed as its text (reference/mapping-types/keyword.html: numbers are
    // coerced to strings), so event.code:4688 finds 4688 and "4688".
    [Theory]
    [InlineData("""{"event":{"code":4688}}""", true)]
    [InlineData("""{"event":{"code":"4688"}}""", true)]
    [InlineData("""{"event":{"code":"4689"}}""", false)]
    public void Keyword_fields_see_numbers_as_their_text(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("event.code:4688");
        Assert.Equal(expected, run.Matches(json));
    }

    // wildcard type (process.command_line): term-level queries behave as on keyword, wildcards are case-sensitive
    // (reference/mapping-types/keyword.html#wildcard-field-type); Kibana sends a keyword-family wildcard value as one
    // pattern, spaces included.
    [Theory]
    [InlineData("""{"process":{"command_line":"cmd.exe /c whoami"}}""", true)]
    [InlineData("""{"process":{"command_line":"CMD.EXE /C whoami"}}""", false)]
    [InlineData("""{"process":{"command_line":"cmd.exe whoami"}}""", false)]
    public void Wildcard_type_fields_match_one_case_sensitive_pattern(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("process.command_line:*cmd.exe /c*");
        Assert.Equal(expected, run.Matches(json));
    }

    // text / match_only_text with the standard analyzer (reference/analysis-standard-analyzer.html): the value is
    // split on Unicode word boundaries and lowercased; a quoted value is a match_phrase ("analyzes the text and
    // creates a phrase query", query-dsl-match-query-phrase.html), so its tokens must appear in order.
    [Theory]
    [InlineData("""{"message":"Process foo started with executable stack"}""", true)]
    [InlineData("""{"message":"PROCESS STARTED WITH EXECUTABLE STACK!"}""", true)]
    [InlineData("""{"message":"started with executable-stack"}""", true)]
    [InlineData("""{"message":"started with an executable stack"}""", false)]
    [InlineData("""{"message":"stack executable with started"}""", false)]
    [InlineData("""{"message":["started with", "executable stack"]}""", false)]
    public void Quoted_values_on_text_fields_are_phrases_of_tokens(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("""message:"started with executable stack" """);
        Assert.Equal(expected, run.Matches(json));
    }

    // An unquoted value is a match query, whose default operator is OR (query-dsl-match-query.html#match-field-params).
    [Theory]
    [InlineData("""{"message":"kernel: segfault at 0"}""", true)]
    [InlineData("""{"message":"SEGFAULT"}""", true)]
    [InlineData("""{"message":"segfaulted"}""", false)]
    [InlineData("""{"message":"bar only"}""", true)]
    public void Unquoted_values_on_text_fields_match_any_of_their_tokens(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("message:(segfault or foo bar)");
        Assert.Equal(expected, run.Matches(json));
    }

    // PowerShell script blocks are text: punctuation separates tokens, so "Set-MpPreference" is the phrase
    // [set, mppreference] and matches whatever case and separator the script uses.
    [Theory]
    [InlineData("""{"powershell":{"file":{"script_block_text":"set-mppreference -DisableRealtimeMonitoring $true"}}}""", true)]
    [InlineData("""{"powershell":{"file":{"script_block_text":"Set MpPreference"}}}""", true)]
    [InlineData("""{"powershell":{"file":{"script_block_text":"Set-MpPreferences"}}}""", false)]
    public void Script_block_text_is_analysed(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("""powershell.file.script_block_text:("Set-MpPreference" or "Get-Clipboard")""");
        Assert.Equal(expected, run.Matches(json));
    }

    // Wildcards on text fields go through query_string (Kibana's is.ts): a trailing-star clause is an analysed prefix
    // query, other wildcard clauses match single lowercase tokens (StringFieldType.normalizedWildcardQuery), and
    // whitespace separates ORed clauses (query-dsl-query-string-query.html).
    [Theory]
    [InlineData("""{"message":"kernel segfault here"}""", true)]
    [InlineData("""{"message":"SegFault"}""", true)]
    [InlineData("""{"message":"fault line"}""", true)]
    [InlineData("""{"message":"nothing to see"}""", false)]
    public void Wildcards_on_text_fields_match_tokens(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("message:*FAULT");
        Assert.Equal(expected, run.Matches(json));
    }

    [Theory]
    [InlineData("""{"message":"Segmentation fault"}""", true)]
    [InlineData("""{"message":"seg"}""", true)]
    [InlineData("""{"message":"a seg_fault"}""", true)]
    [InlineData("""{"message":"leg fault"}""", false)]
    public void Trailing_star_on_text_fields_is_a_token_prefix(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("message:Seg*");
        Assert.Equal(expected, run.Matches(json));
    }

    // .caseless multi-fields: keyword with the lowercase normalizer (reference/normalizer.html), indexed from the
    // parent's value: there is no process.name.caseless key in _source.
    [Theory]
    [InlineData("""{"process":{"name":"CMD.EXE"}}""", true)]
    [InlineData("""{"process":{"name":"cmd.exe"}}""", true)]
    [InlineData("""{"process":{"name":"ÉCMD.EXE"}}""", false)]
    [InlineData("""{"process":{"name":{"caseless":"cmd.exe"}}}""", false)]
    public void Caseless_fields_read_the_parent_value_ignoring_case(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("process.name.caseless:cmd.exe");
        Assert.Equal(expected, run.Matches(json));
    }

    // The lowercase normalizer lowercases every letter (Lucene LowerCaseFilter: Character.toLowerCase), not only ASCII.
    [Theory]
    [InlineData("""{"process":{"name":"ÉDITEUR.EXE"}}""", true)]
    [InlineData("""{"process":{"name":"Éditeur.exe"}}""", true)]
    [InlineData("""{"process":{"name":"editeur.exe"}}""", false)]
    public void Caseless_wildcards_fold_unicode_letters(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("process.name.caseless:éditeur*");
        Assert.Equal(expected, run.Matches(json));
    }

    // ip fields: a term query accepts an address or a CIDR block, IPv4 or IPv6 (reference/mapping-types/ip.html).
    [Theory]
    [InlineData("""{"source":{"ip":"10.20.30.40"}}""", true)]
    [InlineData("""{"source":{"ip":"11.0.0.1"}}""", false)]
    [InlineData("""{"source":{"ip":"fe80::1"}}""", true)]
    [InlineData("""{"source":{"ip":"0:0:0:0:0:0:0:1"}}""", true)]
    [InlineData("""{"source":{"ip":"not an ip"}}""", false)]
    public void Ip_fields_match_addresses_and_cidr_blocks(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("""source.ip:(10.0.0.0/8 or "FE80::/10" or "::1")""");
        Assert.Equal(expected, run.Matches(json));
    }

    // Numeric fields coerce strings and truncate fractions for integer types (reference/mapping-params/coerce.html:
    // "Strings will be coerced to numbers. Floating points will be truncated for integer values").
    [Theory]
    [InlineData("""{"destination":{"port":4500}}""", true)]
    [InlineData("""{"destination":{"port":"4500"}}""", true)]
    [InlineData("""{"destination":{"port":4500.7}}""", true)]
    [InlineData("""{"destination":{"port":4501}}""", false)]
    [InlineData("""{"destination":{"port":"45OO"}}""", false)]
    public void Integer_fields_coerce_and_truncate(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("destination.port:4500");
        Assert.Equal(expected, run.Matches(json));
    }

    [Theory]
    [InlineData("""{"destination":{"port":5800}}""", true)]
    [InlineData("""{"destination":{"port":5810}}""", true)]
    [InlineData("""{"destination":{"port":"5805"}}""", true)]
    [InlineData("""{"destination":{"port":5811}}""", false)]
    // Two range queries are two queries: each may be satisfied by a different value of a multi-valued field.
    [InlineData("""{"destination":{"port":[1, 6000]}}""", true)]
    public void Numeric_ranges_compare_numbers(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("destination.port >= 5800 and destination.port <= 5810");
        Assert.Equal(expected, run.Matches(json));
    }

    // A decimal bound on an integer field rounds inward (range query on long: gte 2.5 means gte 3).
    [Theory]
    [InlineData("""{"process":{"args_count":3}}""", true)]
    [InlineData("""{"process":{"args_count":2}}""", false)]
    public void Decimal_bounds_on_integer_fields_round_inward(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("process.args_count >= 2.5");
        Assert.Equal(expected, run.Matches(json));
    }

    // boolean fields accept true/false, "true"/"false", and "" as false (reference/mapping-types/boolean.html).
    [Theory]
    [InlineData("""{"process":{"code_signature":{"trusted":false}}}""", true)]
    [InlineData("""{"process":{"code_signature":{"trusted":"false"}}}""", true)]
    [InlineData("""{"process":{"code_signature":{"trusted":""}}}""", true)]
    [InlineData("""{"process":{"code_signature":{"trusted":true}}}""", false)]
    [InlineData("""{"process":{"code_signature":{"trusted":"False"}}}""", false)]
    public void Boolean_fields_accept_booleans_and_their_strings(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("process.code_signature.trusted:false");
        Assert.Equal(expected, run.Matches(json));
    }

    // date fields: strict_date_optional_time||epoch_millis; a date without time on lte covers the whole day
    // (range query date-math rounding: lte rounds up, gte rounds down; query-dsl-range-query.html).
    [Theory]
    [InlineData("""{"file":{"created":"2024-03-01T23:59:59.999Z"}}""", true)]
    [InlineData("""{"file":{"created":"2024-03-02T00:00:00Z"}}""", false)]
    [InlineData("""{"file":{"created":"2024-02-15"}}""", true)]
    [InlineData("""{"file":{"created":1706745600000}}""", true)]
    [InlineData("""{"file":{"created":"2024-01-31T23:59:59+01:00"}}""", false)]
    public void Date_ranges_round_like_elasticsearch(string json, bool expected)
    {
        using var run = ElasticRuleFixture.CompileOk("""file.created >= "2024-02-01" and file.created <= "2024-03-01" """);
        Assert.Equal(expected, run.Matches(json));
    }

    // Date math is relative to "now", which RuleGen takes to be the event's time: the rule's timestamp_override
    // field, else @timestamp (common-options.html#date-math; the detection engine searches by that field).
    [Theory]
    [InlineData("""{"event":{"ingested":"2024-05-10T12:00:00Z"},"file":{"created":"2024-05-09T00:00:00Z"}}""", true)]
    [InlineData("""{"event":{"ingested":"2024-05-10T12:00:00Z"},"file":{"created":"2024-05-08T23:59:59Z"}}""", false)]
    [InlineData("""{"@timestamp":"2024-05-10T12:00:00Z","file":{"created":"2024-05-09T10:00:00Z"}}""", true)]
    [InlineData("""{"@timestamp":"2024-05-20T12:00:00Z","event":{"ingested":"2024-05-10T12:00:00Z"},"file":{"created":"2024-05-09T10:00:00Z"}}""", true)]
    public void Date_math_is_relative_to_the_event_time(string json, bool expected)
    {
        // now-1d/d on gte rounds down to the start of yesterday (of the event's day).
        using var run = ElasticRuleFixture.CompileOk("""file.created >= "now-1d/d" """, """timestamp_override = "event.ingested" """);
        Assert.Equal(expected, run.Matches(json));
    }

    [Fact]
    public void A_value_the_field_type_rejects_is_an_error()
    {
        using var run = ElasticRuleFixture.Compile("destination.port:https");
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0102");
        Assert.Contains("destination.port", error.GetMessage());
        Assert.Empty(run.RuleSet().Rules);
    }

    [Fact]
    public void A_wildcard_on_an_ip_field_is_an_error()
    {
        using var run = ElasticRuleFixture.Compile("source.ip:10.*");
        Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0103");
        Assert.Empty(run.RuleSet().Rules);
    }

    [Fact]
    public void Unknown_fields_are_keywords_with_one_note_per_field()
    {
        using var run = ElasticRuleFixture.CompileOk("my.custom.field:abc or my.custom.field:def or other.custom:x");
        var notes = run.GeneratorDiagnostics.Where(d => d.Id == "RG0100").Select(d => d.GetMessage()).ToList();
        Assert.Equal(2, notes.Count);
        Assert.Contains(notes, n => n.Contains("'my.custom.field'"));
        Assert.Contains(notes, n => n.Contains("'other.custom'"));
        Assert.True(run.Matches("""{"my":{"custom":{"field":"abc"}}}"""));
        Assert.False(run.Matches("""{"my":{"custom":{"field":"ABC"}}}"""));
    }

    [Fact]
    public void Users_declare_their_own_field_types_in_a_fieldtypes_file()
    {
        var declarations = "# my fields\nmy.addr\tip\nmy.name  keyword  lowercase\n";
        using var run = ElasticRuleFixture.CompileOk("my.addr:192.168.0.0/16 and my.name:admin", otherFiles: ("/rules/rulegen.fieldtypes.tsv", declarations));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "RG0100");
        Assert.True(run.Matches("""{"my":{"addr":"192.168.1.1","name":"ADMIN"}}"""));
        Assert.False(run.Matches("""{"my":{"addr":"10.0.0.1","name":"admin"}}"""));
    }

    [Fact]
    public void Every_declaration_of_the_RuleGenFieldTypes_property_applies_not_only_the_first()
    {
        // RuleGen.targets hands the property to the generator comma-separated: the compiler's options file would cut
        // a ';'-separated value after its first declaration.
        var rule = GeneratorHarness.ElasticRule("my.addr:192.168.0.0/16 and my.name:admin");
        using var run = GeneratorHarness.Run(new[] { ("/rules/test_rule.toml", rule) },
            new Dictionary<string, string> { ["build_property._RuleGenFieldTypeList"] = "my.addr ip,my.name keyword lowercase" });
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.True(run.Matches("""{"my":{"addr":"192.168.1.1","name":"ADMIN"}}"""));
        Assert.False(run.Matches("""{"my":{"addr":"10.0.0.1","name":"admin"}}"""));
        Assert.False(run.Matches("""{"my":{"addr":"192.168.1.1","name":"root"}}"""));
    }

    [Fact]
    public void A_declaration_overrides_the_built_in_type()
    {
        using var run = ElasticRuleFixture.CompileOk("""event.code:"4688" """, otherFiles: ("/x/override.fieldtypes.tsv", "event.code\tlong\n"));
        Assert.True(run.Matches("""{"event":{"code":4688.0}}"""));
    }

    [Fact]
    public void A_bad_declaration_is_an_error_at_its_line()
    {
        using var run = ElasticRuleFixture.Compile("event.code:1", otherFiles: ("/x/bad.fieldtypes.tsv", "a.b\tkeyword\nc.d\tstring\n"));
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "RG0101");
        Assert.Equal(1, error.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("'string'", error.GetMessage());
    }
}

using System.Globalization;
using Microsoft.CodeAnalysis;
using RuleGen.Generator.FieldTypes;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Elastic;

/// <summary>
/// A text field with a keyword multi-field (<c>RuleGenFieldType Include="file_name" Type="text"
/// Keyword="file_name.keyword"</c>, or <c>file_name text keyword=file_name.keyword</c> in a *.fieldtypes.tsv file):
/// KQL matches the text field through the standard analyzer and the multi-field exactly (both read file_name's
/// value); EQL, which Elasticsearch runs on a text field's keyword multi-field, compares the whole value. With
/// <c>RuleGenUndeclaredFields=dynamic</c>, undeclared fields are typed that way too, as dynamic mapping types strings.
/// </summary>
public sealed class MultiFieldDeclarationTests
{
    private const string Declaration = "file_name text  keyword=file_name.keyword";

    private static readonly (string Name, string Type, string Language, string Query)[] s_rules =
    {
        ("KqlText", "query", "kuery", "file_name:report"),
        ("KqlKeyword", "query", "kuery", "file_name.keyword:\"Quarterly Report.DOCX\""),
        ("EqlEqual", "eql", "eql", "file where file_name == \"Quarterly Report.DOCX\""),
        ("EqlColon", "eql", "eql", "file where file_name : \"*report.docx\""),
        ("EqlSubField", "eql", "eql", "file where file_name.keyword in (\"Quarterly Report.DOCX\", \"x\")"),
    };

    private static GeneratorRun Compile(Dictionary<string, string> options, params (string Name, string Type, string Language, string Query)[] rules)
    {
        var files = rules.Select((r, i) => ($"/rules/r{i}.toml",
            GeneratorHarness.ElasticRule(r.Query, r.Name, "00000000-0000-4000-8000-" + (i + 1).ToString("D12", CultureInfo.InvariantCulture), r.Type, r.Language)));
        return GeneratorHarness.Run(files, options);
    }

    private static string Event(string fileName) =>
        $$"""{"event":{"category":"file"},"file_name":{{System.Text.Json.JsonSerializer.Serialize(fileName)}}}""";

    [Theory]
    // UAX #29 keeps "Report.DOCX" one token ("report.docx"), so the analysed field has no token "report".
    [InlineData("KqlText", "Quarterly Report.DOCX", false)]
    [InlineData("KqlText", "Quarterly REPORT (final).docx", true)]
    [InlineData("KqlText", "quarterly-report final", true)]
    [InlineData("KqlText", "reports.docx", false)]
    [InlineData("KqlKeyword", "Quarterly Report.DOCX", true)]
    [InlineData("KqlKeyword", "quarterly report.docx", false)]
    [InlineData("EqlEqual", "Quarterly Report.DOCX", true)]
    [InlineData("EqlEqual", "quarterly report.docx", false)]
    [InlineData("EqlEqual", "Quarterly Report.DOCX old", false)]
    [InlineData("EqlColon", "Quarterly Report.DOCX", true)]
    [InlineData("EqlColon", "report.doc", false)]
    [InlineData("EqlSubField", "Quarterly Report.DOCX", true)]
    [InlineData("EqlSubField", "y", false)]
    public void A_declared_text_field_with_a_keyword_multi_field_is_matched_as_elasticsearch_does(string rule, string fileName, bool expected)
    {
        // The declaration as the RuleGenFieldType item passes it (its Normalizer empty).
        using var run = Compile(new() { ["build_property._RuleGenFieldTypeList"] = Declaration }, s_rules);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(run.CompileDiagnostics);
        Assert.Equal(expected, run.Matches(rule, Event(fileName)));
    }

    [Fact]
    public void A_declaration_file_says_the_same_as_the_msbuild_item()
    {
        var fromFile = FieldTypeOverrides.Parse(new[] { ("/rules/my.fieldtypes.tsv", "file_name\ttext\tkeyword=file_name.keyword\n") }, null);
        var fromItem = FieldTypeOverrides.Parse(Array.Empty<(string, string)>(), Declaration);
        Assert.Empty(fromFile.Diagnostics);
        Assert.Equal(fromFile.Declarations, fromItem.Declarations);
        Assert.Equal(new FieldType("text", KeywordField: "file_name.keyword"), Assert.Single(fromFile.Declarations).Type);
        var resolver = new FieldTypeResolver(fromFile);
        Assert.Equal(("file_name", "keyword"), (resolver.Resolve("file_name.keyword").Path, resolver.Resolve("file_name.keyword").Type.Name));
    }

    [Theory]
    [InlineData("my.ip ip  keyword=my.ip.keyword", "only a text field")]
    [InlineData("file_name text keyword=name.keyword", "named under its field")]
    [InlineData("file_name text keyword=file_name.", "named under its field")]
    [InlineData("file_name text sub=file_name.keyword", "may follow")]
    public void A_malformed_multi_field_declaration_is_rg0101(string declaration, string message)
    {
        var parsed = FieldTypeOverrides.Parse(Array.Empty<(string, string)>(), declaration);
        var d = Assert.Single(parsed.Diagnostics);
        Assert.Equal("RG0101", d.Id);
        Assert.Contains(message, d.Message);
        Assert.Empty(parsed.Declarations);
    }

    [Fact]
    public void An_item_without_keyword_metadata_declares_the_plain_type()
    {
        var parsed = FieldTypeOverrides.Parse(Array.Empty<(string, string)>(), "my.ip ip  keyword=");
        Assert.Empty(parsed.Diagnostics);
        Assert.Equal(new FieldType("ip"), Assert.Single(parsed.Declarations).Type);
    }

    [Fact]
    public void A_text_field_without_a_keyword_multi_field_is_still_refused_by_eql()
    {
        using var run = Compile(new() { ["build_property._RuleGenFieldTypeList"] = "file_name text" }, s_rules[2]);
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "RG0305" && d.GetMessage(CultureInfo.InvariantCulture).Contains("text field", StringComparison.Ordinal));
    }

    private static readonly (string Name, string Type, string Language, string Query)[] s_undeclared =
    {
        ("KqlUndeclared", "query", "kuery", "my_message:error"),
        ("KqlUndeclaredKeyword", "query", "kuery", "my_message.keyword:\"An ERROR here\""),
        ("KqlUndeclaredRange", "query", "kuery", "my_count >= 10"),
        ("EqlUndeclared", "eql", "eql", "file where my_message == \"An ERROR here\""),
    };

    private static string Undeclared(string message, int count = 0) =>
        $$"""{"event":{"category":"file"},"my_message":{{System.Text.Json.JsonSerializer.Serialize(message)}},"my_count":{{count}}}""";

    [Fact]
    public void Dynamic_mapping_for_undeclared_fields_makes_them_text_with_a_keyword_multi_field()
    {
        using var dynamic = Compile(new() { ["build_property.RuleGenUndeclaredFields"] = "dynamic" }, s_undeclared);
        Assert.DoesNotContain(dynamic.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        // No RG0100 (unknown type): the project said how undeclared fields are mapped.
        Assert.DoesNotContain(dynamic.GeneratorDiagnostics, d => d.Id == "RG0100");
        Assert.Empty(dynamic.CompileDiagnostics);
        Assert.True(dynamic.Matches("KqlUndeclared", Undeclared("An ERROR here")));
        Assert.False(dynamic.Matches("KqlUndeclared", Undeclared("errors only")));
        Assert.True(dynamic.Matches("KqlUndeclaredKeyword", Undeclared("An ERROR here")));
        Assert.False(dynamic.Matches("KqlUndeclaredKeyword", Undeclared("an error here")));
        Assert.True(dynamic.Matches("KqlUndeclaredRange", Undeclared("x", 12)));
        Assert.False(dynamic.Matches("KqlUndeclaredRange", Undeclared("x", 9)));
        Assert.True(dynamic.Matches("EqlUndeclared", Undeclared("An ERROR here")));
        Assert.False(dynamic.Matches("EqlUndeclared", Undeclared("an error here")));

        // The default: undeclared fields are keyword, so the KQL value must be the whole value.
        using var keyword = Compile(new(), s_undeclared);
        Assert.False(keyword.Matches("KqlUndeclared", Undeclared("An ERROR here")));
        Assert.True(keyword.Matches("KqlUndeclared", Undeclared("error")));
    }
}

using Microsoft.CodeAnalysis;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Eql;

/// <summary>
/// EQL rules read field types from the same place as KQL rules (FieldTypeResolver): the built-in table and the
/// user's declarations (*.fieldtypes.tsv, RuleGenFieldTypes), so a declared field behaves in EQL like a built-in
/// field of that type.
/// </summary>
public sealed class EqlFieldTypeDeclarationTests
{
    private static GeneratorRun Compile(string query, string? declarations = null)
    {
        var files = new List<(string, string)> { ("/rules/eql.toml", GeneratorHarness.ElasticRule(query, type: "eql", language: "eql")) };
        if (declarations is not null) files.Add(("/rules/my.fieldtypes.tsv", declarations));
        return GeneratorHarness.Run(files.ToArray());
    }

    private static string[] Errors(GeneratorRun run) =>
        run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToArray();

    [Fact]
    public void A_field_declared_text_is_refused_by_EQL_like_the_built_in_text_field_message()
    {
        // Elasticsearch EQL does not search text fields; an undeclared field is read like keyword and compiles.
        using var builtIn = Compile("network where message == \"hello\"");
        var expected = Assert.Single(Errors(builtIn));

        using var declared = Compile("network where my.msg == \"hello\"", "my.msg\ttext\n");
        Assert.Equal(expected, Assert.Single(Errors(declared)));

        using var undeclared = Compile("network where my.msg == \"hello\"");
        Assert.Empty(Errors(undeclared));
        Assert.True(undeclared.Matches("""{"event":{"category":"network"},"my":{"msg":"hello"}}"""));
    }
}

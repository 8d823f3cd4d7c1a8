namespace RuleGen.Tests.Sigma;

/// <summary>The condition language (rules spec §Condition): operators, precedence, parentheses, x of, them, lists.</summary>
public sealed class SigmaConditionTests : IClassFixture<SigmaConditionTests.Rules>
{
    private const string Searches =
        "    sel_a:\n        A: 'a'\n    sel_b:\n        B: 'b'\n    sel_c:\n        C: 'c'\n    filter_x:\n        X: 'x'\n    _hidden:\n        H: 'h'\n";

    public sealed class Rules : SigmaRules
    {
        public Rules() : base(new Dictionary<string, string>
        {
            ["And Binds Tighter Than Or"] = Searches + "    condition: sel_a or sel_b and sel_c",
            ["Parentheses"] = Searches + "    condition: (sel_a or sel_b) and sel_c",
            ["Not Binds Tighter Than And"] = Searches + "    condition: not sel_a and sel_b",
            ["Not Of Parentheses"] = Searches + "    condition: not (sel_a and sel_b)",
            ["One Of Pattern"] = Searches + "    condition: 1 of sel_*",
            ["Any Of Pattern"] = Searches + "    condition: any of sel_*",
            ["All Of Pattern"] = Searches + "    condition: all of sel_*",
            ["All Of Them Skips Underscore"] = Searches + "    condition: all of them",
            ["One Of Them"] = Searches + "    condition: 1 of them",
            ["Underscore Pattern"] = Searches + "    condition: 1 of _hid*",
            ["Selection And Not One Of Filters"] = Searches + "    condition: sel_a and not 1 of filter_*",
            ["Condition List"] = Searches + "    condition:\n        - sel_a and sel_b\n        - sel_c",
            ["Purely Negative"] = Searches + "    condition: not sel_a",
        })
        {
        }
    }

    private readonly Rules _rules;

    public SigmaConditionTests(Rules rules) => _rules = rules;

    [Theory]
    [InlineData("And Binds Tighter Than Or", """{"A":"a"}""", true)]
    [InlineData("And Binds Tighter Than Or", """{"B":"b"}""", false)]
    [InlineData("And Binds Tighter Than Or", """{"B":"b","C":"c"}""", true)]
    [InlineData("Parentheses", """{"A":"a"}""", false)]
    [InlineData("Parentheses", """{"A":"a","C":"c"}""", true)]
    [InlineData("Not Binds Tighter Than And", """{"B":"b"}""", true)]
    [InlineData("Not Binds Tighter Than And", """{"A":"a","B":"b"}""", false)]
    [InlineData("Not Of Parentheses", """{"A":"a"}""", true)]
    [InlineData("Not Of Parentheses", """{"A":"a","B":"b"}""", false)]
    [InlineData("One Of Pattern", """{"C":"c"}""", true)]
    [InlineData("One Of Pattern", """{"X":"x"}""", false)]
    [InlineData("Any Of Pattern", """{"B":"b"}""", true)]
    [InlineData("All Of Pattern", """{"A":"a","B":"b"}""", false)]
    [InlineData("All Of Pattern", """{"A":"a","B":"b","C":"c"}""", true)]
    [InlineData("All Of Them Skips Underscore", """{"A":"a","B":"b","C":"c","X":"x"}""", true)]
    [InlineData("All Of Them Skips Underscore", """{"A":"a","B":"b","C":"c"}""", false)]
    [InlineData("One Of Them", """{"X":"x"}""", true)]
    [InlineData("One Of Them", """{"H":"h"}""", false)]
    [InlineData("Underscore Pattern", """{"H":"h"}""", true)]
    [InlineData("Selection And Not One Of Filters", """{"A":"a"}""", true)]
    [InlineData("Selection And Not One Of Filters", """{"A":"a","X":"x"}""", false)]
    [InlineData("Selection And Not One Of Filters", """{"A":"a","X":null}""", true)]
    [InlineData("Condition List", """{"C":"c"}""", true)]
    [InlineData("Condition List", """{"A":"a"}""", false)]
    [InlineData("Condition List", """{"A":"a","B":"b"}""", true)]
    [InlineData("Purely Negative", """{"Z":"z"}""", true)]
    [InlineData("Purely Negative", """{"A":"A"}""", false)]
    public void Sigma_condition_semantics(string rule, string json, bool expected)
    {
        Assert.Equal(expected, _rules.Detects(rule, json));
    }
}

namespace RuleGen.Tests.Eql;

/// <summary>The constant-condition rules of <see cref="EqlConstantConditionTests"/>, compiled once.</summary>
public sealed class ConstantConditionFixture : IDisposable
{
    public ConstantConditionFixture() => Book = new EqlRuleBook(new (string, string)[]
    {
        ("where_false", "process where false"),
        ("where_true", "process where true"),
        ("any_true", "any where true"),
        ("any_false", "any where false"),
        ("not_true", "process where not true"),
        ("and_false", "process where process.name == \"a\" and false"),
        ("or_true", "process where process.name == \"a\" or true"),
        ("or_false", "process where false or process.name == \"a\""),
        ("nested", "process where (true and (false or process.name == \"a\")) and not (false and process.pid == 1)"),
        ("step_false", "sequence by host.id with maxspan=1m [process where false] [file where true]"),
        ("step_true", "sequence by host.id with maxspan=1m [process where true] [file where process.name == \"a\" or true]"),
    });

    public EqlRuleBook Book { get; }

    public void Dispose() => Book.Dispose();
}

/// <summary>
/// Constant conditions are folded before emission, so the generated code never tests a constant (<c>if (!false)
/// return false;</c> made the rest of the method unreachable: CS0162, which breaks a build with warnings as errors),
/// and the folded rules decide as the constants say.
/// </summary>
public sealed class EqlConstantConditionTests : IClassFixture<ConstantConditionFixture>
{
    private readonly EqlRuleBook _book;

    public EqlConstantConditionTests(ConstantConditionFixture fixture) => _book = fixture.Book;

    [Fact]
    public void Generated_code_of_constant_conditions_compiles_with_every_warning_wave_and_no_warning()
    {
        // The harness compiles at warning level 9999 (what AnalysisLevel=latest gives a consumer).
        Assert.Empty(_book.Run.CompileDiagnostics);
        foreach (var (hint, source) in _book.Run.Sources)
        {
            Assert.DoesNotContain("if (!false)", source);
            Assert.DoesNotContain("if (!true)", source);
            Assert.DoesNotContain("if (true)", source);
            Assert.DoesNotContain("if (false)", source);
        }
    }

    [Theory]
    [InlineData("where_false", "{\"event\":{\"category\":\"process\"}}", false)]
    [InlineData("where_true", "{\"event\":{\"category\":\"process\"}}", true)]
    [InlineData("where_true", "{\"event\":{\"category\":\"file\"}}", false)]
    [InlineData("any_true", "{\"x\":1}", true)]
    [InlineData("any_false", "{\"x\":1}", false)]
    [InlineData("not_true", "{\"event\":{\"category\":\"process\"}}", false)]
    [InlineData("and_false", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"a\"}}", false)]
    [InlineData("or_true", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"b\"}}", true)]
    [InlineData("or_false", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"a\"}}", true)]
    [InlineData("or_false", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"b\"}}", false)]
    [InlineData("nested", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"a\",\"pid\":1}}", true)]
    [InlineData("nested", "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"b\"}}", false)]
    public void Folded_constant_conditions_decide_as_the_constants_say(string rule, string json, bool expected) =>
        Assert.Equal(expected, _book.Matches(rule, json));

    [Fact]
    public void A_constant_false_sequence_step_matches_no_event_and_a_constant_true_step_every_event_of_its_category()
    {
        var stepFalse = _book.Rule("step_false");
        var stepTrue = _book.Rule("step_true");
        var process = System.Text.Encoding.UTF8.GetBytes("{\"event\":{\"category\":\"process\"},\"host\":{\"id\":\"h\"}}");
        var file = System.Text.Encoding.UTF8.GetBytes("{\"event\":{\"category\":\"file\"},\"host\":{\"id\":\"h\"}}");
        Assert.Equal(0UL, StepBits(stepFalse, process));
        Assert.Equal(2UL, StepBits(stepFalse, file));
        Assert.Equal(1UL, StepBits(stepTrue, process));
        Assert.Equal(2UL, StepBits(stepTrue, file));
    }

    private ulong StepBits(RuleGen.Runtime.CompiledRule rule, byte[] json)
    {
        var type = _book.Run.Assembly!.GetTypes().Single(t => t.GetProperty("Info")?.GetValue(null) is { } info && ReferenceEquals(info, rule.Info));
        var steps = type.GetMethod("MatchSteps", new[] { typeof(ReadOnlySpan<byte>) })!.CreateDelegate<StepsOf>();
        return steps(json);
    }

    private delegate ulong StepsOf(ReadOnlySpan<byte> utf8Json);
}

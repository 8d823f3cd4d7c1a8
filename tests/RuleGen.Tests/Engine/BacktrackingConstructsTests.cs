using System.Text.RegularExpressions;
using RuleGen.Generator;
using RuleGen.Generator.Languages.Eql;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;
using RuleGen.Generator.RuleFormats.Sigma;
using RuleGen.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RuleGen.Tests.Engine;

/// <summary>
/// The generator's syntactic reading of which patterns need backtracking (it targets netstandard2.0, where
/// RegexOptions.NonBacktracking cannot be asked) agrees with .NET's non-backtracking engine itself.
/// </summary>
public sealed class BacktrackingConstructsTests
{
    private readonly ITestOutputHelper _output;

    public BacktrackingConstructsTests(ITestOutputHelper output) => _output = output;

    /// <summary>What the engine says: null when it accepts the pattern, else its reason.</summary>
    private static string? EngineRefusal(string pattern, RegexOptions options = RegexOptions.None)
    {
        try
        {
            _ = new Regex(pattern, options | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            return null;
        }
        catch (NotSupportedException ex)
        {
            return ex.Message;
        }
    }

    public static TheoryData<string, string?> HandWritten => new()
    {
        // Linear: the non-backtracking engine runs them.
        { @"(a+)+$", null },
        { @"(a|aa)+$", null },
        { @"(.*a){20}", null },
        { @"\Acmd\.exe\z", null },
        { @"\bpowershell\b.*-enc", null },
        { @"(?i)invoke-(?:expression|webrequest)", null },
        { @"(?<name>a)(?'other'b)", null },
        { @"(?#a comment with (?= inside)x", null },
        { @"(?x) a # a comment with (?= inside", null },
        { @"[(?=]\(\?=", null },
        { @"[\1]\\1", null },
        { @"(a)\12", null }, // no group 12: an octal escape
        { @"\0", null },
        { @"\<script", null },
        { @"[a-z-[aeiou]](?:x)", null },
        { @"[]a]b", null },
        { @"a*?b+?c??d{2,3}?", null },
        { @".{1,5000}", null },
        { @"(a{100}){99}", null },
        { @"\p{L}{9000}", null },
        { @"[^\s\S]", null },
        // Backtracking only.
        { @"(a)\1", "a backreference" },
        { @"(?<x>a)\k<x>", "a backreference" },
        { @"(?<x>a)\k'x'", "a backreference" },
        { @"(?<x>a)\<x>", "a backreference" },
        { @"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10", "a backreference" },
        { @"(?<12>a)\12", "a backreference" },
        { @"a(?=b)", "a lookahead" },
        { @"a(?!b)", "a negative lookahead" },
        { @"(?<=a)b", "a lookbehind" },
        { @"(?<!\\)%\w+%", "a negative lookbehind" },
        { @"(?>a+)b", "an atomic group" },
        { @"(?(a)b|c)", "a conditional" },
        { @"(a)(?(1)b|c)", "a conditional" },
        { @"(?<o>a)(?<c-o>b)", "a balancing group" },
        { @"(?<o>a)(?<-o>b)", "a balancing group" },
        { @"\Ga", "a contiguous-match anchor" },
        { @"(?x)a\#(?=x)", "a lookahead" },
        { @"(?i:x(?=y))", "a lookahead" },
        { @"a{20000}", "counted repetitions that unfold beyond the non-backtracking engine's limit" },
        { @"(a{200}){100}", "counted repetitions that unfold beyond the non-backtracking engine's limit" },
        { @"(?:ab|c){5000}", "counted repetitions that unfold beyond the non-backtracking engine's limit" },
    };

    [Theory]
    [MemberData(nameof(HandWritten))]
    public void Scanner_names_the_construct_the_engine_refuses(string pattern, string? construct)
    {
        var found = BacktrackingConstructs.Find(pattern);
        Assert.Equal(construct, found?.Name);
        var refusal = EngineRefusal(pattern);
        Assert.True((refusal is null) == (found is null), $"{pattern}: scanner says {found?.ToString() ?? "linear"}, the engine says {refusal ?? "linear"}");
    }

    [Fact]
    public void Construct_text_quotes_the_group_from_the_pattern()
    {
        Assert.Equal("a negative lookbehind '(?<!\\\\)'", BacktrackingConstructs.Find(@"(?<!\\)%\w+%")!.ToString());
        Assert.Equal("a backreference '\\1'", BacktrackingConstructs.Find(@"(['""])x\1")!.ToString());
        Assert.EndsWith("...'", BacktrackingConstructs.Find("(?=" + new string('a', 100) + ")")!.ToString());
    }

    [Theory]
    [InlineData("#")]
    [InlineData("a#b|c")]
    [InlineData("@")]
    [InlineData("[a-z]+\\d{2,4}\"lit.eral\"\\~?")]
    [InlineData("(a|b)*c{3}.")]
    public void Lucene_translations_are_always_linear(string lucene)
    {
        foreach (var ignoreCase in new[] { false, true })
        {
            var pattern = LuceneRegex.Translate(lucene, ignoreCase, out var error);
            Assert.True(pattern is not null, error);
            Assert.Null(BacktrackingConstructs.Find(pattern!));
            Assert.Null(EngineRefusal(pattern!));
        }
    }

    [Fact]
    public void Lucene_empty_language_matches_nothing()
    {
        var pattern = LuceneRegex.Translate("a#", ignoreAsciiCase: false, out _)!;
        var regex = new Regex(pattern, RegexOptions.NonBacktracking);
        Assert.DoesNotMatch(regex, "a");
        Assert.DoesNotMatch(regex, "a#");
        Assert.DoesNotMatch(regex, "");
    }

    [SkippableFact]
    public void Scanner_agrees_with_the_engine_on_every_sigma_corpus_regex()
    {
        Skip.If(Repo.Shared is null, Repo.SharedMissing);
        var root = Path.Combine(Repo.Shared!, "corpus", "sigma");
        var configPath = Path.Combine(Repo.Root, "tests", "RuleGen.Conformance", "sigma-config.yml");
        var config = SigmaConfig.Parse(configPath, File.ReadAllText(configPath));
        var patterns = new List<(string File, RegexMatcher Regex)>();
        foreach (var file in Directory.GetFiles(root, "*.yml", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            if (!text.Contains("|re", StringComparison.Ordinal)) continue;
            foreach (var model in RuleGenGenerator.ParseRules(new RuleFileInput(file, Path.GetRelativePath(root, file), text, "flat"), config))
            {
                foreach (var regex in Regexes(model.Condition).Concat(Regexes(model.Gate))) patterns.Add((Path.GetRelativePath(root, file), regex));
            }
        }
        Assert.True(patterns.Count >= 200, $"only {patterns.Count} regexes found in the corpus");
        var disagreements = new List<string>();
        var backtracking = 0;
        foreach (var (file, regex) in patterns)
        {
            var options = (regex.Flags & RegexFlags.IgnoreCase) != 0 ? RegexOptions.IgnoreCase : RegexOptions.None;
            var found = BacktrackingConstructs.Find(regex.Pattern);
            var refusal = EngineRefusal(regex.Pattern, options);
            if (found is not null) backtracking++;
            if ((found is null) != (refusal is null)) disagreements.Add($"{file}: '{regex.Pattern}': scanner {found?.ToString() ?? "linear"}, engine {refusal ?? "linear"}");
        }
        _output.WriteLine($"{patterns.Count} corpus regexes, {backtracking} need backtracking");
        Assert.Empty(disagreements);
    }

    private static IEnumerable<RegexMatcher> Regexes(Predicate? predicate) => predicate switch
    {
        AndPredicate and => and.Operands.SelectMany(Regexes),
        OrPredicate or => or.Operands.SelectMany(Regexes),
        NotPredicate not => Regexes(not.Operand),
        NestedPredicate nested => Regexes(nested.Inner),
        FieldPredicate { Matcher: RegexMatcher r } => [r],
        AnyFieldPredicate { Matcher: RegexMatcher r } => [r],
        _ => [],
    };
}

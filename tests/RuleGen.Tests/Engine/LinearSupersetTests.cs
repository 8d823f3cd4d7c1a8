using System.Text.RegularExpressions;
using RuleGen.Generator.Planning;

namespace RuleGen.Tests.Engine;

/// <summary>
/// The pre-filter of a backtracking pattern (<see cref="LinearSuperset"/>): the linear engine runs it, and it matches
/// every text the pattern matches, so a text it refuses may skip the backtracking engine without changing a verdict.
/// </summary>
public sealed class LinearSupersetTests
{
    public static TheoryData<string, string?> Relaxations => new()
    {
        { @"(?<!x)(a+)+$", @"(?:)(a+)+$" },
        { @"(?<!\\)%\w+%", @"(?:)%\w+%" },
        { @"(?<![a-z])powershell(?!\.exe)", @"(?:)powershell(?:)" },
        { @"(['""]).{0,40}\1", @"(['""]).{0,40}(?:[\s\S]*)" },
        { @"(?<q>a)\k<q>", @"(?<q>a)(?:[\s\S]*)" },
        { @"(?<q>a)\k'q'", @"(?<q>a)(?:[\s\S]*)" },
        { @"(?<q>a)\<q>", @"(?<q>a)(?:[\s\S]*)" },
        { @"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10", @"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(?:[\s\S]*)" },
        { @"(\w)\1{3}", @"(\w)(?:[\s\S]*){3}" },
        { @"(?>a+)b", @"(?:a+)b" },
        { @"\Ga", @"(?:)a" },
        { @"(?=(a)(?<=b))x\1", @"(?:)x(?:[\s\S]*)" },
        { @"(?#(?=x)a(?=b)", @"(?#(?=x)a(?:)" },
        { @"[(?=]a(?=b)*", @"[(?=]a(?:)*" },
        { @"(?i:x(?=y))", @"(?i:x(?:))" },
        { @"(a{200}){100}", @"(a*)*" },
        { @"(?=x)a{20000}", @"(?:)a*" },
        // Not relaxed: the branches of a conditional or a balancing group depend on captures; extended mode's comments.
        { @"(?(a)b|c)", null },
        { @"(?<o>a)(?<c-o>b)", null },
        { @"(?x)a\#(?=x)", null },
    };

    [Theory]
    [MemberData(nameof(Relaxations))]
    public void A_backtracking_pattern_relaxes_to_a_linear_one(string pattern, string? expected)
    {
        Assert.NotNull(BacktrackingConstructs.Find(pattern));
        var relaxed = LinearSuperset.Of(pattern);
        Assert.Equal(expected, relaxed);
        if (relaxed is null) return;
        Assert.Null(BacktrackingConstructs.Find(relaxed));
        _ = new Regex(relaxed, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant); // the engine takes it
    }

    public static TheoryData<string> Patterns => new()
    {
        @"(?<!x)(a+)+$", @"(a+)+(?=!!)", @"(?<!\\)%\w+%", @"(?<![a-z])powershell(?!\.exe)", @"(['""]).{0,40}\1",
        @"(?=.*-nop)(?=.*bypass).*hidden", @"^(?!.*\.exe$).*\.(?:ps1|bat)$", @"(?<=\s)-e(nc)?\s", @"(\w)\1{3}", @"(?>a|ab)c",
        @"\Gab", @"(?<q>['""])(?:(?!\k<q>).)*\k<q>", @"(a)(?<=aa)b", @"(?!a)\w+!", @"x(?=(a+)+!)", @"x(a{200}){100}|ab(?=c)",
    };

    private static readonly string[] Tokens =
    [
        "a", "aa", "aaaa", "b", "c", "!", "!!", "x", "%", "%PATH%", "\\", "'", "\"", "powershell", ".exe", ".ps1", ".bat", " ", "-nop", "bypass",
        "hidden", "-enc", "-e", "ab", "ps1", "\t", "é", "Z",
    ];

    [Theory]
    [MemberData(nameof(Patterns))]
    public void The_relaxed_pattern_matches_every_text_the_pattern_matches(string pattern)
    {
        var relaxed = LinearSuperset.Of(pattern);
        Assert.NotNull(relaxed);
        var random = new Random(pattern.Length * 7919);
        var refused = 0;
        var matched = 0;
        foreach (var options in new[] { RegexOptions.CultureInvariant, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase })
        {
            var original = new Regex(pattern, options, TimeSpan.FromSeconds(10));
            var filter = new Regex(relaxed!, options | RegexOptions.NonBacktracking);
            for (var n = 0; n < 3_000; n++)
            {
                var text = string.Concat(Enumerable.Range(0, random.Next(12)).Select(_ => Tokens[random.Next(Tokens.Length)]));
                var matches = original.IsMatch(text);
                if (matches) matched++;
                if (!filter.IsMatch(text))
                {
                    refused++;
                    Assert.False(matches, $"'{pattern}' matches '{text}' but its pre-filter '{relaxed}' does not ({options})");
                }
            }
        }
        // Both outcomes were tried: texts that match and texts the pre-filter turns away.
        Assert.True(matched > 0 && refused > 0, $"'{pattern}': {matched} matches, {refused} refused by the pre-filter");
    }
}

using RuleGen.Generator.Planning;

namespace RuleGen.Tests.Engine;

/// <summary>The literal every match of a regular expression contains (a witness for the candidate index).</summary>
public sealed class RegexLiteralTests
{
    [Theory]
    [InlineData(@"ipconfig\s+/all", "ipconfig")]
    [InlineData(@"ping\s+-n.{6,64}echo EEEE\s?>\s?", "echo EEEE")]
    [InlineData(@"\\temp\\res\.ip", @"\temp\res.ip")]
    [InlineData(@"(?i)powershell(\.exe)?\s+-enc", "powershell")]
    [InlineData(@"abcdx?yz", "abcd")]
    [InlineData(@"^C:\\Users\\[^\\]+\\AppData", @"C:\Users\")]
    [InlineData(@"[a-z]{8}\.dll", ".dll")]
    [InlineData(@"foo(bar|baz)quux", "quux")]
    public void The_longest_required_run_of_literal_characters_is_found(string pattern, string expected)
    {
        Assert.Equal(expected, RegexLiterals.Longest(pattern));
    }

    [Theory]
    [InlineData(@"cmd\.exe|powershell\.exe")]
    [InlineData(@"\d+\.\d+")]
    [InlineData(@"(abc)")]
    [InlineData(@"\x41BCD")]
    [InlineData(@"[abc")]
    public void No_literal_when_none_is_required_or_the_pattern_is_not_understood(string pattern)
    {
        Assert.True(RegexLiterals.Longest(pattern) is null or { Length: <= 1 }, RegexLiterals.Longest(pattern));
    }

    [Fact]
    public void A_quantified_character_is_not_part_of_the_literal()
    {
        Assert.Equal("abc", RegexLiterals.Longest("abcd*ef"));
        Assert.Equal("abcd", RegexLiterals.Longest("xy+abcd"));
    }
}

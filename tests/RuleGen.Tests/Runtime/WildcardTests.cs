using System.Text;
using RuleGen.Runtime;

namespace RuleGen.Tests.Runtime;

/// <summary>
/// The wildcard matcher (greedy leftmost segments, linear in the text) gives the answers of a plain dynamic-programming
/// matcher over characters, on random patterns and texts with multi-byte characters, and stays fast on patterns that
/// made the old backtracking matcher exponential.
/// </summary>
public sealed class WildcardTests
{
    /// <summary>
    /// The reference: whole-text match over Unicode scalars by dynamic programming; '*' any run, '?' one scalar,
    /// '\' escapes; ASCII case folded when asked.
    /// </summary>
    private static bool Reference(string pattern, string text, bool ignoreCase)
    {
        var items = new List<(char Kind, Rune Rune)>();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length) { items.Add(('L', Rune.GetRuneAt(pattern, ++i))); if (char.IsHighSurrogate(pattern[i])) i++; }
            else if (pattern[i] == '*') items.Add(('*', default));
            else if (pattern[i] == '?') items.Add(('?', default));
            else { items.Add(('L', Rune.GetRuneAt(pattern, i))); if (char.IsHighSurrogate(pattern[i])) i++; }
        }
        var runes = text.EnumerateRunes().ToArray();
        Rune Fold(Rune r) => ignoreCase && r.Value is >= 'A' and <= 'Z' ? new Rune(r.Value | 0x20) : r;
        // can[i, j]: items[i..] match runes[j..]
        var can = new bool[items.Count + 1, runes.Length + 1];
        can[items.Count, runes.Length] = true;
        for (var i = items.Count - 1; i >= 0; i--)
        {
            for (var j = runes.Length; j >= 0; j--)
            {
                can[i, j] = items[i].Kind switch
                {
                    '*' => can[i + 1, j] || (j < runes.Length && can[i, j + 1]),
                    '?' => j < runes.Length && can[i + 1, j + 1],
                    _ => j < runes.Length && Fold(runes[j]) == Fold(items[i].Rune) && can[i + 1, j + 1],
                };
            }
        }
        return can[0, 0];
    }

    [Fact]
    public void Agrees_with_a_reference_matcher_on_random_patterns_and_texts()
    {
        // Few distinct characters, so that patterns and texts meet often; 'é' (2 bytes), '€' (3), '😀' (4).
        string[] alphabet = ["a", "b", "A", "é", "€", "😀"];
        var random = new Random(20261206);
        var checkedCount = 0;
        var matched = 0;
        for (var round = 0; round < 20_000; round++)
        {
            var pattern = new StringBuilder();
            var length = random.Next(0, 9);
            for (var i = 0; i < length; i++)
            {
                var roll = random.Next(10);
                pattern.Append(roll < 3 ? "*" : roll < 5 ? "?" : roll == 5 ? "\\" + alphabet[random.Next(alphabet.Length)] : alphabet[random.Next(alphabet.Length)]);
            }
            var text = new StringBuilder();
            var textLength = random.Next(0, 12);
            for (var i = 0; i < textLength; i++) text.Append(alphabet[random.Next(alphabet.Length)]);
            var ignoreCase = random.Next(2) == 0;
            var expected = Reference(pattern.ToString(), text.ToString(), ignoreCase);
            var actual = Wildcard.Parse(pattern.ToString(), ignoreCase).IsMatch(Encoding.UTF8.GetBytes(text.ToString()));
            Assert.True(expected == actual, $"pattern '{pattern}' text '{text}' ignoreCase {ignoreCase}: expected {expected}");
            checkedCount++;
            if (expected) matched++;
        }
        // Both verdicts are well represented.
        Assert.InRange(matched, checkedCount / 20, checkedCount - checkedCount / 20);
    }

    [Theory]
    [InlineData("*a*a*a*a*b", false)]
    [InlineData("*a*a*a*a*", true)]
    [InlineData("*a?a*a??a*!", true)]
    [InlineData("a*a*a*a*a*a*a*a*a*a*a*!", true)]
    [InlineData("*aa*aa*aa*aa*aa*aa*b*", false)]
    public void Many_stars_over_a_long_value_give_the_right_verdict(string pattern, bool expected)
    {
        // 50 KB of 'a' then '!': the old matcher tried every split point of every star here.
        var text = Encoding.UTF8.GetBytes(new string('a', 50_000) + "!");
        Assert.Equal(expected, Wildcard.Parse(pattern, ignoreCase: false).IsMatch(text));
        Assert.Equal(expected, Wildcard.Parse(pattern.ToUpperInvariant(), ignoreCase: true).IsMatch(text));
    }

    [Theory]
    [InlineData("é?€", "éx€", true)]
    [InlineData("?", "😀", true)]
    [InlineData("??", "😀", false)]
    [InlineData("*?", "😀", true)]
    [InlineData("?*?", "😀", false)]
    [InlineData("*€", "a€", true)]
    [InlineData("a*?b", "a😀b", true)]
    [InlineData("*?*?*", "é", false)]
    [InlineData("\\*x", "*x", true)]
    [InlineData("\\*x", "ax", false)]
    public void Question_mark_is_one_character_however_many_bytes(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Wildcard.Parse(pattern, ignoreCase: false).IsMatch(Encoding.UTF8.GetBytes(text)));
}

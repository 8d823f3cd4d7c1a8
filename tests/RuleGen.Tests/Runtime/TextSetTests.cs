using System.Text;
using RuleGen.Runtime;

namespace RuleGen.Tests.Runtime;

/// <summary>
/// Utf8TextSet has three ways to answer: the vectorised search of its ASCII texts (on ASCII text), the trie or
/// automaton (other text, or text too long to widen on the stack), and dense rows for busy trie nodes. Each must give
/// the answer of testing every value in turn, with ASCII case folding on both sides when the set ignores case.
/// </summary>
public sealed class TextSetTests
{
    private static readonly string[] Fragments =
    [
        "cmd.exe", "CMD", "\\system32\\", "powershell", "-enc", "а", "А", "é", "É", "ı", "K", "\u212A", "s", "ſ", "x", "..", "\\",
        "rundll32", "regsvr32", "mshta", ".dll", ".exe", "temp", "TEMP", "€", "日本", " ", "a", "ab", "abc", "abd", "abe", "abf", "abg",
    ];

    public static TheoryData<TextRelation, bool> Modes()
    {
        var data = new TheoryData<TextRelation, bool>();
        foreach (var relation in new[] { TextRelation.StartsWith, TextRelation.EndsWith, TextRelation.Contains })
        {
            data.Add(relation, true);
            data.Add(relation, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Agrees_with_testing_each_value(TextRelation relation, bool ignoreCase)
    {
        var random = new Random(20261128);
        for (var round = 0; round < 200; round++)
        {
            // Sets of 1 to 60 values: many share prefixes (dense rows), some are not ASCII, a few are long.
            var values = Enumerable.Range(0, random.Next(1, 60)).Select(_ => Compose(random, random.Next(1, 4))).Distinct().ToArray();
            var set = new Utf8TextSet(relation, ignoreCase, values);
            for (var t = 0; t < 50; t++)
            {
                var text = random.Next(10) == 0 ? Compose(random, 200) : Compose(random, random.Next(0, 6));
                var bytes = Encoding.UTF8.GetBytes(text);
                var expected = values.Any(v => Relates(bytes, Encoding.UTF8.GetBytes(v), relation, ignoreCase));
                Assert.True(expected == set.IsMatch(bytes),
                    $"{relation}, ignoreCase {ignoreCase}: \"{text}\" against [{string.Join(", ", values.Select(v => "\"" + v + "\""))}]: expected {expected}");
            }
        }
    }

    [Fact]
    public void A_set_without_ascii_values_never_matches_ascii_text_and_still_matches_its_own()
    {
        var set = new Utf8TextSet(TextRelation.Contains, true, "а", "е", "о");
        Assert.False(set.IsMatch("powershell -enc aeo"u8));
        Assert.True(set.IsMatch(Encoding.UTF8.GetBytes("powershеll")));
    }

    private static string Compose(Random random, int parts)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < parts; i++) sb.Append(Fragments[random.Next(Fragments.Length)]);
        return sb.ToString();
    }

    private static bool Relates(byte[] text, byte[] value, TextRelation relation, bool ignoreCase)
    {
        if (ignoreCase)
        {
            text = text.Select(Fold).ToArray();
            value = value.Select(Fold).ToArray();
        }
        var span = text.AsSpan();
        return relation switch
        {
            TextRelation.StartsWith => span.StartsWith(value),
            TextRelation.EndsWith => span.EndsWith(value),
            _ => span.IndexOf(value) >= 0,
        };
    }

    private static byte Fold(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}

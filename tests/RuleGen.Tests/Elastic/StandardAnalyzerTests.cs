using System.Globalization;
using System.Text;
using RuleGen.Runtime.Text;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Elastic;

/// <summary>The standard analyzer that text fields use: UAX #29 word boundaries, then lowercase.</summary>
public sealed class StandardAnalyzerTests
{
    // The example of Elasticsearch's standard analyzer documentation (analysis-standard-analyzer.html).
    [Fact]
    public void Analyzes_the_documentation_example_like_elasticsearch()
    {
        Assert.Equal(
            new[] { "the", "2", "quick", "brown", "foxes", "jumped", "over", "the", "lazy", "dog's", "bone" },
            StandardAnalyzer.Analyze("The 2 QUICK Brown-Foxes jumped over the lazy dog's bone."));
    }

    [Theory]
    [InlineData("[System.Reflection.Assembly]::Load($bytes)", "system.reflection.assembly|load|bytes")]
    [InlineData("Invoke-Mimikatz -DumpCreds", "invoke|mimikatz|dumpcreds")]
    [InlineData("sekurlsa::logonpasswords", "sekurlsa|logonpasswords")]
    [InlineData("__init__ foo_bar", "__init__|foo_bar")]
    [InlineData("3.14 1,000 v1.2", "3.14|1,000|v1.2")]
    // WB11/WB12 keep digits joined across a comma only between digits: "4,0" stays, "e,0" breaks.
    [InlineData("0x4e,0x54,0x4c", "0x4e|0x54,0x4c")]
    [InlineData("C:\\Windows\\System32\\cmd.exe", "c|windows|system32|cmd.exe")]
    [InlineData("ÉCOLE Straße", "école|straße")]
    [InlineData("東京タワー", "東|京|タワー")]
    [InlineData("___ --- ...", "")]
    public void Splits_on_word_boundaries_and_lowercases(string text, string tokens)
    {
        Assert.Equal(tokens.Length == 0 ? Array.Empty<string>() : tokens.Split('|'), StandardAnalyzer.Analyze(text));
    }

    [Fact]
    public void Tokens_longer_than_255_characters_are_split()
    {
        var tokens = StandardAnalyzer.Analyze(new string('a', 600));
        Assert.Equal(new[] { 255, 255, 90 }, tokens.Select(t => t.Length));
    }

    [Fact]
    public void Lowercases_with_unicode_simple_mappings()
    {
        Assert.Equal("istanbul", StandardAnalyzer.Lowercase("İSTANBUL"));   // U+0130 maps to i (UnicodeData simple mapping)
        Assert.Equal("ⱥ", StandardAnalyzer.Lowercase("Ⱥ"));                // 2 bytes to 3 bytes in UTF-8
        Assert.Equal("𐐨", StandardAnalyzer.Lowercase("𐐀"));               // supplementary plane (Deseret)
    }

    /// <summary>
    /// Unicode's own word-boundary test cases (auxiliary/WordBreakTest.txt of the Unicode Character Database): every
    /// segment that holds a word character must be one token. Read from the Debian package unicode-data when it is
    /// installed; cases with Complex_Context characters are left out (Lucene keeps those runs whole, UAX #29 does not).
    /// </summary>
    [SkippableFact]
    public void Agrees_with_unicode_word_break_tests()
    {
        const string path = "/usr/share/unicode/auxiliary/WordBreakTest.txt";
        Skip.IfNot(File.Exists(path), "WordBreakTest.txt is not installed (apt-get install unicode-data)");
        var checkedCases = 0;
        var failures = new List<string>();
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            var expected = new List<string>();
            var current = new StringBuilder();
            var text = new StringBuilder();
            var skip = false;
            foreach (var item in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (item == "÷")
                {
                    if (current.Length > 0) expected.Add(current.ToString());
                    current.Clear();
                    continue;
                }
                if (item == "×") continue;
                var cp = int.Parse(item, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if ((UnicodeTables.Class(cp) & UnicodeTables.ComplexContext) != 0 || cp is >= 0xD800 and <= 0xDFFF) skip = true;
                var s = char.ConvertFromUtf32(cp);
                current.Append(s);
                text.Append(s);
            }
            if (skip) continue;
            var words = expected.Where(IsWordSegment).ToList();
            var utf8 = Encoding.UTF8.GetBytes(text.ToString());
            var tokenizer = new StandardTokenizer(utf8);
            var actual = new List<string>();
            while (tokenizer.Next(out var start, out var length)) actual.Add(Encoding.UTF8.GetString(utf8, start, length));
            checkedCases++;
            if (!words.SequenceEqual(actual)) failures.Add(raw);
        }
        Assert.True(checkedCases > 1500, $"only {checkedCases} cases read");
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCases} cases differ, e.g.:\n" + string.Join("\n", failures.Take(10)));
    }

    private static bool IsWordSegment(string segment)
    {
        foreach (var rune in segment.EnumerateRunes())
        {
            var c = UnicodeTables.Class(rune.Value);
            if ((c & (UnicodeTables.Ideographic | UnicodeTables.ComplexContext | UnicodeTables.ExtendedPictographic)) != 0) return true;
            if ((WordBreak)(c & UnicodeTables.WordBreakMask) is WordBreak.ALetter or WordBreak.HebrewLetter or WordBreak.Numeric
                or WordBreak.Katakana or WordBreak.RegionalIndicator) return true;
        }
        return false;
    }
}

using RuleGen.Runtime;

namespace RuleGen.Tests.Sigma;

/// <summary>The runtime paths Sigma adds (text sets, date parts, keys with spaces, regexes, sets) allocate nothing per event.</summary>
public sealed class SigmaAllocationTests
{
    [Fact]
    public void Sigma_matchers_allocate_nothing_per_event()
    {
        using var rules = new SigmaRules(new Dictionary<string, string>
        {
            ["Everything"] = "    selection:\n        CommandLine|contains:\n            - 'a1'\n            - 'b2'\n            - 'c3'\n            - 'd4'\n" +
                "        Image|endswith:\n            - '.exe'\n            - '.dll'\n            - '.sys'\n            - '.scr'\n" +
                "        UtcTime|hour|gte: 1\n        ThreatName|re: 'x+'\n        EventID:\n            - 1\n            - 2\n            - 3\n" +
                "        DestinationIp|cidr: '10.0.0.0/8'\n    condition: selection",
        });
        var json = System.Text.Encoding.UTF8.GetBytes(
            """{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"CommandLine":"zzz d4 zzz","Image":"C:\\x.SCR","UtcTime":"2025-12-06 21:11:02.632","Threat Name":"xxx","DestinationIp":"10.1.1.1","Other Key":"v"}""");
        var set = rules.Run.RuleSet();
        var matches = new int[4];
        Assert.True(set.TryEvaluate(json, matches, out var count) && count == 1);
        for (var i = 0; i < 100; i++) set.TryEvaluate(json, matches, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) set.TryEvaluate(json, matches, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(TextRelation.Contains, "xxabcxx", true)]
    [InlineData(TextRelation.Contains, "xxABxCxx", false)]
    [InlineData(TextRelation.Contains, "aab", false)]
    [InlineData(TextRelation.Contains, "zzbcdzz", true)]
    [InlineData(TextRelation.StartsWith, "ABCdef", true)]
    [InlineData(TextRelation.StartsWith, "xabc", false)]
    [InlineData(TextRelation.EndsWith, "xxxBCD", true)]
    [InlineData(TextRelation.EndsWith, "bcdx", false)]
    public void Text_sets_find_any_of_their_texts_folding_ascii_case(TextRelation relation, string text, bool expected)
    {
        var set = new Utf8TextSet(relation, true, "abc", "bcd", "c", "zz");
        var words = relation == TextRelation.Contains ? new Utf8TextSet(relation, true, "abc", "bcd") : set;
        Assert.Equal(expected, words.IsMatch(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}

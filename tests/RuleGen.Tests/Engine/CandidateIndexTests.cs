using System.Text;
using RuleGen.Generator.Model;
using RuleGen.Generator.Planning;
using RuleGen.Runtime;
using RuleGen.Tests.Infrastructure;
using ValueKinds = RuleGen.Generator.Model.ValueKinds;

namespace RuleGen.Tests.Engine;

/// <summary>
/// The candidate index: witnesses chosen per rule, and a rule set that evaluates only the candidates yet matches
/// exactly what evaluating every rule matches.
/// </summary>
public sealed class CandidateIndexTests
{
    private static readonly FieldRef Image = FieldRef.Of("process.executable");
    private static readonly FieldRef Command = FieldRef.Of("process.command_line");
    private static readonly FieldRef User = FieldRef.Of("user.name");

    /// <summary>The witnesses the detection requires, cheapest first.</summary>
    private static IReadOnlyList<Witness> WitnessesOf(Predicate condition)
    {
        var entry = new RuleSetEntry("R", "r.toml", "R", RuleFields.Of(condition)) { Condition = condition };
        var shared = new[] { Command, Image, User };
        return Witnesses.Plan(new[] { entry }, shared, -1)[0].Detection;
    }

    /// <summary>The cheapest witness the detection requires; null when it requires none.</summary>
    private static Witness? WitnessOf(Predicate condition) => WitnessesOf(condition) is { Count: > 0 } all ? all[0] : null;

    private static FieldPredicate Test(FieldRef field, StringOperation op, string value) =>
        new(field, new StringMatcher(op, value, CaseMode.IgnoreAsciiCase, ValueKinds.String));

    [Fact]
    public void An_and_requires_its_two_rarest_operands_witnesses_and_inside_an_or_its_rarest_one()
    {
        var and = new AndPredicate(EquatableArray.Create<Predicate>(
            Test(User, StringOperation.Contains, "admin"),
            Test(Image, StringOperation.EndsWith, ".exe"),
            Test(Command, StringOperation.Contains, "-EncodedCommand")));
        Assert.Equal(new[] { new WitnessAtom(0, WitnessKind.Contains, "-encodedcommand"), new WitnessAtom(1, WitnessKind.EndsWith, ".exe") },
            WitnessesOf(and).Select(w => Assert.Single(w.Atoms)));

        var or = new OrPredicate(EquatableArray.Create<Predicate>(and, Test(User, StringOperation.Equals, "root")));
        Assert.Equal(new[] { new WitnessAtom(0, WitnessKind.Contains, "-encodedcommand"), new WitnessAtom(2, WitnessKind.Equals, "root") },
            Assert.Single(WitnessesOf(or)).Atoms);

        // An operand that cannot match makes the rule one that is never evaluated.
        Assert.Empty(Assert.Single(WitnessesOf(new AndPredicate(EquatableArray.Create<Predicate>(and, ConstantPredicate.False)))).Atoms);
    }

    [Fact]
    public void An_or_needs_a_witness_from_every_operand()
    {
        var witness = WitnessOf(new OrPredicate(EquatableArray.Create<Predicate>(
            Test(Image, StringOperation.EndsWith, "\\rundll32.exe"),
            Test(Command, StringOperation.StartsWith, "ab"))));
        Assert.Equal(new[] { new WitnessAtom(1, WitnessKind.EndsWith, "\\rundll32.exe"), new WitnessAtom(0, WitnessKind.StartsWith, "ab") }, witness!.Atoms);

        Assert.Null(WitnessOf(new OrPredicate(EquatableArray.Create<Predicate>(
            Test(Image, StringOperation.EndsWith, "\\rundll32.exe"),
            new NotPredicate(Test(User, StringOperation.Equals, "system"))))));
    }

    [Fact]
    public void A_list_of_substrings_or_suffixes_gives_one_literal_per_value_and_for_a_value_too_short_to_search_its_rarest_byte()
    {
        var list = new FieldPredicate(Command, new StringListMatcher(StringOperation.Contains,
            EquatableArray.Create("-EncodedCommand", "FromBase64String"), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(new[] { new WitnessAtom(0, WitnessKind.Contains, "-encodedcommand"), new WitnessAtom(0, WitnessKind.Contains, "frombase64string") },
            WitnessOf(list)!.Atoms);

        var suffixes = new FieldPredicate(Image, new StringListMatcher(StringOperation.EndsWith,
            EquatableArray.Create("\\cmd.exe", ".js"), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(new[] { new WitnessAtom(1, WitnessKind.EndsWith, "\\cmd.exe"), new WitnessAtom(1, WitnessKind.EndsWith, ".js") },
            WitnessOf(suffixes)!.Atoms);

        // "c^m" is too short to search through grams: its rarest byte stands for it. " /c" has no rare byte: the
        // list then requires only the field's presence.
        var short_ = new FieldPredicate(Command, new StringListMatcher(StringOperation.Contains,
            EquatableArray.Create("-EncodedCommand", "c^m"), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(new[] { new WitnessAtom(0, WitnessKind.Contains, "-encodedcommand"), new WitnessAtom(0, WitnessKind.ContainsByte, "^") },
            WitnessOf(short_)!.Atoms);
        var common = new FieldPredicate(Command, new StringListMatcher(StringOperation.Contains,
            EquatableArray.Create("-EncodedCommand", " /c"), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(new[] { Witnesses.Present(0) }, WitnessOf(common)!.Atoms);
    }

    [Fact]
    public void A_substring_shorter_than_a_gram_needs_its_rarest_byte_and_a_long_list_sharing_a_rare_byte_needs_only_that()
    {
        Assert.Equal(new[] { new WitnessAtom(0, WitnessKind.ContainsByte, "^") }, WitnessOf(Test(Command, StringOperation.Contains, "c^m"))!.Atoms);
        // Non-ASCII characters: their lead byte (Cyrillic A and B share 0xD0: one literal).
        var cyrillic = new FieldPredicate(Command, new StringListMatcher(StringOperation.Contains,
            EquatableArray.Create("\u0410", "\u0412", "~1\\"), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(new[] { new WitnessAtom(0, WitnessKind.ContainsByte, "\u00D0"), new WitnessAtom(0, WitnessKind.ContainsByte, "~") }, WitnessOf(cyrillic)!.Atoms);
        // Letters, spaces and a path's punctuation are in every command line: the field's presence is as good.
        Assert.Equal(new[] { Witnesses.Present(0) }, WitnessOf(Test(Command, StringOperation.Contains, "a\\ "))!.Atoms);
        // Fifty emoji, four bytes each, searchable as grams: their common lead byte is the cheaper witness.
        var emoji = Enumerable.Range(0x1F600, 50).Select(char.ConvertFromUtf32).ToArray();
        var list = new FieldPredicate(Command, new StringListMatcher(StringOperation.Contains, EquatableArray.Create(emoji), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(new[] { new WitnessAtom(0, WitnessKind.ContainsByte, "\u00F0") }, WitnessOf(list)!.Atoms);
        // One of them is searched as itself.
        Assert.Equal(emoji[0], Assert.Single(WitnessOf(Test(Command, StringOperation.Contains, emoji[0]))!.Atoms).Literal);
        // A wildcard without a part long enough to search.
        var wildcard = new FieldPredicate(Command, new WildcardMatcher(WildcardPattern.Create([WildcardPart.AnyRun, new(WildcardPartKind.Literal, "^|"), WildcardPart.AnyRun, new(WildcardPartKind.Literal, "x"), WildcardPart.AnyRun]), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(WitnessKind.ContainsByte, Assert.Single(WitnessOf(wildcard)!.Atoms).Kind);
    }

    [Fact]
    public void A_test_without_literals_falls_back_to_the_fields_presence_and_a_not_gives_nothing()
    {
        var witness = WitnessOf(new FieldPredicate(Command, new RegexMatcher("[a-z]+[0-9]", RegexFlags.None, ValueKinds.String)));
        Assert.Equal(new[] { Witnesses.Present(0) }, witness!.Atoms);
        Assert.Null(WitnessOf(new NotPredicate(Test(User, StringOperation.Equals, "system"))));
        Assert.Empty(WitnessOf(ConstantPredicate.False)!.Atoms);
    }

    public static TheoryData<string, string> Queries => new()
    {
        { "exact", "user.name:(SYSTEM or root)" },
        { "suffix", "process.executable:*\\\\rundll32.exe and not user.name:admin" },
        { "contains", "process.command_line:*javascript*" },
        { "short prefix", "process.command_line:ab*" },
        { "short suffix", "process.executable:*.py" },
        { "presence", "process.pid >= 4" },
        { "wildcard", "process.command_line:*-e*JAB*" },
        { "none", "not user.name:admin" },
        { "keyword", "javascript" },
    };

    /// <summary>Events that hit, miss and nearly hit each rule's witness, in several cases and shapes.</summary>
    private static readonly string[] Events =
    [
        """{"user":{"name":"SYSTEM"}}""",
        """{"user":{"name":"system"}}""",
        """{"user":{"name":["bob","root"]}}""",
        """{"process":{"executable":"C:\\Windows\\System32\\rundll32.exe"}}""",
        """{"process":{"executable":"C:\\Windows\\System32\\RUNDLL32.EXE","command_line":"rundll32 javascript:alert"}}""",
        """{"process":{"executable":"C:\\Windows\\System32\\rundll32.exe","command_line":"x"},"user":{"name":"admin"}}""",
        """{"process.command_line":"abc JavaScript", "process.executable":"/usr/bin/run.py"}""",
        """{"process":{"command_line":"AB","executable":"a.PY"}}""",
        """{"process":{"command_line":"powershell -e JABzAD0A","pid":4}}""",
        """{"process":{"command_line":"powershell -E jab","pid":"3"}}""",
        """{"process":{"pid":null}}""",
        """{"message":"javascript everywhere"}""",
        """{"message":["x","javascript"]}""",
        """{}""",
    ];

    [Fact]
    public void Every_kind_of_witness_selects_the_rules_that_match_and_the_set_agrees_with_evaluating_every_rule()
    {
        var files = Queries.Select((q, i) => ($"/rules/{i}.toml", GeneratorHarness.ElasticRule((string)q[1], (string)q[0], $"00000000-0000-4000-8000-{i:D12}"))).ToList();
        using var run = GeneratorHarness.Run(files, null);
        var set = Assert.IsAssignableFrom<IIndexedRuleSet>(run.RuleSet());
        Assert.Equal(Queries.Count(), set.Rules.Count);
        // Only the rule with no positive test is always evaluated.
        Assert.Equal(new[] { "none" }, set.Index.AlwaysEvaluated.Select(r => set.Rules[r].Info.Name));

        var indexed = new int[16];
        var every = new int[16];
        var candidates = new int[16];
        var matchedAtAll = new HashSet<string>();
        foreach (var json in Events)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            Assert.True(set.TryEvaluate(bytes, indexed, out var a));
            Assert.True(set.TryEvaluateEveryRule(bytes, every, out var b, MatchScope.Full));
            Assert.True(indexed[..a].SequenceEqual(every[..b]), $"{json}: index [{string.Join(",", indexed[..a])}], every rule [{string.Join(",", every[..b])}]");
            var c = set.CollectCandidates(bytes, MatchScope.Full, candidates);
            Assert.True(indexed[..a].All(m => candidates[..c].Contains(m)), $"{json}: a match that is not a candidate");
            foreach (var m in indexed[..a]) matchedAtAll.Add(set.Rules[m].Info.Name);
        }
        // The events exercise every rule (so the agreement above is not vacuous).
        Assert.Equal(Queries.Select(q => (string)q[0]).Order(), matchedAtAll.Order());
    }

    [Fact]
    public void Substrings_shorter_than_a_gram_select_their_rules_by_a_byte_and_the_set_agrees_with_evaluating_every_rule()
    {
        using var rules = new Sigma.SigmaRules(new Dictionary<string, string>
        {
            ["Caret"] = "    selection:\n        CommandLine|contains: '^^'\n    condition: selection",
            ["Homoglyph"] = "    selection:\n        CommandLine|contains:\n            - \"\\u0410\"\n            - \"\\u0412\"\n    condition: selection",
            ["Short Name"] = "    selection:\n        CommandLine|contains: '~1\\'\n    condition: selection",
        });
        var set = Assert.IsAssignableFrom<IIndexedRuleSet>(rules.Run.RuleSet());
        Assert.Empty(set.Index.AlwaysEvaluatedDetectionOnly);
        var cases = new (string Json, string[] Candidates, string[] Matches)[]
        {
            ("""{"CommandLine":"cmd /c whoami"}""", [], []),
            ("""{"CommandLine":"c^^md"}""", ["Caret"], ["Caret"]),
            ("""{"CommandLine":"c^md"}""", ["Caret"], []),
            ("""{"CommandLine":"АВС"}""", ["Homoglyph"], ["Homoglyph"]),
            ("""{"CommandLine":"\u0412"}""", ["Homoglyph"], ["Homoglyph"]),
            // Lowercase Cyrillic a shares the lead byte, and Sigma folds ASCII letters only: a candidate, not a match.
            ("""{"CommandLine":"а"}""", ["Homoglyph"], []),
            ("""{"CommandLine":"C:\\PROGRA~1\\x.exe"}""", ["Short Name"], ["Short Name"]),
            ("""{"CommandLine":"café ~2"}""", ["Short Name"], []),
        };
        var matches = new int[4];
        var every = new int[4];
        var candidates = new int[4];
        string[] Names(IEnumerable<int> r) => r.Select(i => set.Rules[i].Info.Name).Order().ToArray();
        foreach (var (json, expectedCandidates, expectedMatches) in cases)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            Assert.Equal(expectedCandidates, Names(candidates.Take(set.CollectCandidates(bytes, MatchScope.DetectionOnly, candidates))));
            Assert.True(set.TryEvaluate(bytes, matches, out var count, MatchScope.DetectionOnly));
            Assert.True(set.TryEvaluateEveryRule(bytes, every, out var everyCount, MatchScope.DetectionOnly));
            Assert.Equal(expectedMatches, Names(matches.Take(count)));
            Assert.Equal(expectedMatches, Names(every.Take(everyCount)));
        }
    }

    [Fact]
    public void A_rule_whose_and_has_two_witnesses_is_a_candidate_only_on_events_that_hold_both()
    {
        using var rules = new Sigma.SigmaRules(new Dictionary<string, string>
        {
            ["Both"] = "    selection:\n        Image|endswith: '\\reg.exe'\n        TargetFilename|endswith: '.zip'\n    condition: selection",
        });
        var set = Assert.IsAssignableFrom<IIndexedRuleSet>(rules.Run.RuleSet());
        Assert.Equal(1, set.Index.SeveralWitnessesDetectionOnly);
        Assert.Equal(1, set.Index.SeveralWitnesses);
        var candidates = new int[2];
        foreach (var (json, selected, matches) in new[]
        {
            ("""{"Image":"C:\\Windows\\reg.exe","TargetFilename":"C:\\x.zip"}""", true, true),
            ("""{"Image":"C:\\Windows\\REG.EXE","TargetFilename":"C:\\x.ZIP"}""", true, true),
            ("""{"Image":"C:\\Windows\\reg.exe"}""", false, false),
            ("""{"TargetFilename":"C:\\x.zip"}""", false, false),
            ("""{"Image":"C:\\Windows\\reg.exe","TargetFilename":"C:\\x.txt"}""", false, false),
        })
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            Assert.Equal(selected ? 1 : 0, set.CollectCandidates(bytes, MatchScope.DetectionOnly, candidates));
            Assert.Equal(matches, rules.Detects("Both", json));
        }
    }

    [Fact]
    public void A_literal_that_many_rules_need_selects_them_as_well_as_a_rare_one()
    {
        // 70 rules (more than the index walks one by one) share event.category:process as their second witness.
        var files = Enumerable.Range(0, 70).Select(i => ($"/rules/{i}.toml", GeneratorHarness.ElasticRule(
            $"event.category:process and process.name:tool{i}.exe", $"Tool {i}", $"00000000-0000-4000-8000-{i:D12}"))).ToList();
        using var run = GeneratorHarness.Run(files, null);
        var set = (IIndexedRuleSet)run.RuleSet();
        Assert.Equal(70, set.Index.SeveralWitnesses);
        var candidates = new int[70];
        var matches = new int[70];
        foreach (var (json, expected) in new[]
        {
            ("""{"event":{"category":"process"},"process":{"name":"tool5.exe"}}""", new[] { "Tool 5" }),
            ("""{"event":{"category":["network","process"]},"process":{"name":["tool7.exe","tool69.exe"]}}""", new[] { "Tool 69", "Tool 7" }),
            ("""{"event":{"category":"network"},"process":{"name":"tool5.exe"}}""", []),
            ("""{"process":{"name":"tool5.exe"}}""", []),
            ("""{"event":{"category":"process"}}""", []),
        })
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            var count = set.CollectCandidates(bytes, MatchScope.Full, candidates);
            Assert.Equal(expected, candidates.Take(count).Select(r => set.Rules[r].Info.Name).Order());
            Assert.True(set.TryEvaluate(bytes, matches, out var matched));
            Assert.Equal(expected, matches.Take(matched).Select(r => set.Rules[r].Info.Name).Order());
        }
    }

    [Theory]
    [InlineData("=0:1:a&=1:1:b&=2:1:c&=3:1:d&=4:1:e")]
    [InlineData("=0:1:a&")]
    [InlineData("&=0:1:a")]
    [InlineData("!0:1:a")]
    public void A_malformed_witness_text_is_refused_when_the_index_is_built(string witness)
    {
        Assert.Throws<FormatException>(() => new CandidateIndex(1, [witness], [null]));
        Assert.Throws<FormatException>(() => new CandidateIndex(1, [null], [witness]));
    }

    [Fact]
    public void An_event_without_any_witness_evaluates_only_the_rules_without_one()
    {
        var files = Queries.Select((q, i) => ($"/rules/{i}.toml", GeneratorHarness.ElasticRule((string)q[1], (string)q[0], $"00000000-0000-4000-8000-{i:D12}"))).ToList();
        using var run = GeneratorHarness.Run(files, null);
        var set = (IIndexedRuleSet)run.RuleSet();
        var candidates = new int[16];
        var count = set.CollectCandidates("""{"host":{"name":"quiet"}}"""u8, MatchScope.Full, candidates);
        Assert.Equal(new[] { "none" }, candidates[..count].Select(r => set.Rules[r].Info.Name));
    }
}

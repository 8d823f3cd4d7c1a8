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

    private static Witness? WitnessOf(Predicate condition)
    {
        var entry = new RuleSetEntry("R", "r.toml", "R", RuleFields.Of(condition)) { Condition = condition };
        var shared = new[] { Command, Image, User };
        return Witnesses.Plan(new[] { entry }, shared, -1)[0].Detection;
    }

    private static FieldPredicate Test(FieldRef field, StringOperation op, string value) =>
        new(field, new StringMatcher(op, value, CaseMode.IgnoreAsciiCase, ValueKinds.String));

    [Fact]
    public void An_and_takes_the_rarest_operands_literals()
    {
        var witness = WitnessOf(new AndPredicate(EquatableArray.Create<Predicate>(
            Test(Image, StringOperation.EndsWith, ".exe"),
            Test(Command, StringOperation.Contains, "-EncodedCommand"))));
        var atom = Assert.Single(witness!.Atoms);
        Assert.Equal(new WitnessAtom(0, WitnessKind.Contains, "-encodedcommand"), atom);
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
    public void A_list_of_substrings_or_suffixes_gives_one_literal_per_value_unless_one_is_too_short_to_search()
    {
        var list = new FieldPredicate(Command, new StringListMatcher(StringOperation.Contains,
            EquatableArray.Create("-EncodedCommand", "FromBase64String"), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(new[] { new WitnessAtom(0, WitnessKind.Contains, "-encodedcommand"), new WitnessAtom(0, WitnessKind.Contains, "frombase64string") },
            WitnessOf(list)!.Atoms);

        var suffixes = new FieldPredicate(Image, new StringListMatcher(StringOperation.EndsWith,
            EquatableArray.Create("\\cmd.exe", ".js"), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(new[] { new WitnessAtom(1, WitnessKind.EndsWith, "\\cmd.exe"), new WitnessAtom(1, WitnessKind.EndsWith, ".js") },
            WitnessOf(suffixes)!.Atoms);

        // " /c" is too short to search: the field's presence is all the list requires.
        var short_ = new FieldPredicate(Command, new StringListMatcher(StringOperation.Contains,
            EquatableArray.Create("-EncodedCommand", " /c"), CaseMode.IgnoreAsciiCase, ValueKinds.String));
        Assert.Equal(new[] { Witnesses.Present(0) }, WitnessOf(short_)!.Atoms);
    }

    [Fact]
    public void A_short_substring_falls_back_to_the_fields_presence_and_a_not_gives_nothing()
    {
        var witness = WitnessOf(Test(Command, StringOperation.Contains, " /c"));
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

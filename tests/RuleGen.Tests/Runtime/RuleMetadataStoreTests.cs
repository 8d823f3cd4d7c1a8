using System.Text;
using RuleGen.Generator.Emit;
using RuleGen.Generator.Model;
using RuleGen.Runtime;

namespace RuleGen.Tests.Runtime;

/// <summary>
/// The rules' metadata travels compressed, a block of rules at a time (<see cref="MetadataStoreEmitter"/>), and the
/// runtime's <see cref="RuleMetadataStore"/> inflates a rule's block when its <c>Info</c> is first read. Every rule of
/// every block must come back as its own JSON says, and a store must decode nothing before it is asked.
/// </summary>
public sealed class RuleMetadataStoreTests
{
    private static RuleEmitInput Rule(int i) => new(
        new RuleModel($"/rules/r{i}.toml", RuleFormat.Elastic, new RuleMetadata
        {
            Format = "elastic", Id = $"id-{i}", Name = $"Rule {i}", Description = $"Line one of {i}\nline two é \u2028", Type = "query",
            Language = "kuery", Query = $"process.name:p{i}.exe", Severity = "low", RiskScore = i,
            Tags = EquatableArray.Create("Domain: Endpoint", $"tag {i}"),
        }, null, EquatableArray<DiagnosticInfo>.Empty),
        $"Rule{i}", "Ns", $"rules/r{i}.toml");

    private static (RuleMetadataStore Store, int[] Inflated) Store(int count)
    {
        var rules = Enumerable.Range(0, count).Select(Rule).ToEquatableArray();
        var blocks = MetadataStoreEmitter.Blocks(rules).Select(MetadataStoreEmitter.Compress).ToList();
        var inflated = new int[blocks.Count];
        var names = string.Join("\n", blocks.SelectMany(b => b.TypeNames));
        var texts = blocks.Select(b => Encoding.ASCII.GetBytes(b.Base64)).ToArray();
        return (new RuleMetadataStore(MetadataStoreEmitter.RulesPerBlock, names, block =>
        {
            Interlocked.Increment(ref inflated[block]);
            return texts[block];
        }), inflated);
    }

    [Fact]
    public void Every_rule_of_every_block_comes_back()
    {
        var (store, _) = Store(40); // blocks of 16, 16 and 8
        Assert.Equal(40, store.Count);
        for (var i = 39; i >= 0; i--)
        {
            var info = store.Info($"Rule{i}");
            Assert.Equal(($"id-{i}", $"Rule {i}", $"Line one of {i}\nline two é \u2028", i), (info.Id, info.Name, info.Description, info.RiskScore));
            Assert.Equal(["Domain: Endpoint", $"tag {i}"], info.Tags);
            Assert.Same(info, store.Info(i));
        }
    }

    [Fact]
    public void Nothing_is_inflated_before_it_is_asked_and_a_rule_is_decoded_once()
    {
        var (store, inflated) = Store(40);
        Assert.All(inflated, n => Assert.Equal(0, n));
        var first = store.Info("Rule17");
        Assert.Equal(new[] { 0, 1, 0 }, inflated);
        Assert.Same(first, store.Info("Rule17"));
        Assert.Equal(new[] { 0, 1, 0 }, inflated);
    }

    [Fact]
    public void Reading_a_blocks_rules_in_order_inflates_it_once()
    {
        var (store, inflated) = Store(40);
        for (var i = 16; i < 32; i++) Assert.Equal($"id-{i}", store.Info($"Rule{i}").Id);
        Assert.Equal(new[] { 0, 1, 0 }, inflated);
        // Another block, then back: inflated again (the store keeps the last block only).
        store.Info("Rule0");
        store.Info("Rule15");
        Assert.Equal(new[] { 1, 1, 0 }, inflated);
    }

    [Fact]
    public void Threads_racing_on_a_first_read_all_see_one_result()
    {
        var (store, _) = Store(20);
        var seen = new RuleInfo[8];
        Parallel.For(0, seen.Length, t => seen[t] = store.Info("Rule19"));
        Assert.All(seen, info => Assert.Same(seen[0], info));
    }

    [Fact]
    public void An_unknown_name_says_so()
    {
        var (store, _) = Store(3);
        var error = Assert.Throws<KeyNotFoundException>(() => store.Info("Nope"));
        Assert.Contains("Nope", error.Message);
    }

    [Fact]
    public void A_block_that_is_not_base64_is_a_format_error()
    {
        var store = new RuleMetadataStore(16, "A", _ => "not base64!"u8);
        Assert.Throws<FormatException>(() => store.Info("A"));
    }
}

using System.Text;
using RuleGen.Runtime;

namespace RuleGen.Tests.Eql;

/// <summary>Single-event EQL rules, functions and expressions included, allocate nothing per event once warm.</summary>
public sealed class EqlAllocationTests : IClassFixture<EqlSemanticsFixture>
{
    private readonly EqlRuleBook _book;

    public EqlAllocationTests(EqlSemanticsFixture fixture) => _book = fixture.Book;

    private static readonly string[] Events =
    {
        "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"cmd.exe\",\"executable\":\"C:\\\\Windows\\\\cmd.exe\",\"args\":[\"cmd.exe\",\"/c\",\"-enc\"],\"args_count\":3,\"command_line\":\"start regsvr32.exe\",\"title\":\"0x1f\"}}",
        "{\"event\":{\"category\":\"network\"},\"source\":{\"ip\":\"::ffff:10.0.0.1\"},\"host\":{\"ip\":[\"10.0.0.1\",\"fe80::1\"]},\"destination\":{\"port\":\"443\",\"ip\":\"192.168.1.1\"}}",
        "{\"event\":{\"category\":\"file\"},\"file\":{\"path\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\"},\"url\":{\"domain\":\"subdomain.example.com\"}}",
    };

    [Fact]
    public void Evaluating_every_eql_rule_allocates_nothing_per_event()
    {
        var bytes = Events.Select(e => Encoding.UTF8.GetBytes(e)).ToArray();
        var matches = new int[_book.Set.Rules.Count + 1];
        var total = 0;
        for (var warm = 0; warm < 50; warm++)
        {
            foreach (var e in bytes) total += _book.Set.Evaluate(e, matches);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            foreach (var e in bytes) total += _book.Set.Evaluate(e, matches);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(total > 0, "some rules should have matched");
        Assert.Equal(0, allocated);
    }
}

using System.Text;
using RuleGen.Tests.Infrastructure;

namespace RuleGen.Tests.Elastic;

/// <summary>The field-type matchers allocate nothing per event once warmed up (hot-path rule of the project).</summary>
public sealed class TypedMatcherAllocationTests
{
    [Fact]
    public void Typed_matchers_allocate_nothing_per_event()
    {
        using var run = ElasticRuleFixture.CompileOk("""
            powershell.file.script_block_text:("Invoke-Mimikatz" or "DumpCreds" or "sekurlsa::logonpasswords") and
            powershell.file.script_block_text:*katz* and message:segfault* and process.name.caseless:(powershell.exe or pwsh.exe) and
            destination.port >= 1024 and source.ip:10.0.0.0/8 and process.code_signature.trusted:false and
            file.created >= "now-1d/d"
            """, """timestamp_override = "event.ingested" """);
        var json = Encoding.UTF8.GetBytes("""
            {"event":{"ingested":"2024-05-10T12:00:00Z"},"powershell":{"file":{"script_block_text":"function X { Invoke-Mimikatz -DumpCreds; mimikatz }"}},
             "message":"kernel: Segfault at 0","process":{"name":"PowerShell.EXE","code_signature":{"trusted":""}},
             "destination":{"port":"4444"},"source":{"ip":"10.1.2.3"},"file":{"created":"2024-05-09T08:00:00Z"}}
            """.Replace("\n", ""));
        var set = run.RuleSet();
        var matches = new int[4];
        Assert.True(set.TryEvaluate(json, matches, out var count) && count == 1, "the event should match");
        for (var i = 0; i < 100; i++) set.TryEvaluate(json, matches, out _);
        var (least, figures) = ThreadAllocations.Least(() =>
        {
            for (var i = 0; i < 1000; i++) set.TryEvaluate(json, matches, out _);
        });
        Assert.True(least == 0, $"1,000 evaluations allocated {figures}");
    }
}

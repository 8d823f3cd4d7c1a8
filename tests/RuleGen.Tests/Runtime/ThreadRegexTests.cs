using System.Text;
using System.Text.RegularExpressions;
using RuleGen.Runtime;

namespace RuleGen.Tests.Runtime;

/// <summary>
/// Rules' regexes are per thread: threads that match the same rule's regex at the same time (the host's parallel
/// scan) each use their own instance and allocate nothing once warmed up, where one shared Regex would create and drop
/// a matching engine whenever two threads meet in it.
/// </summary>
public sealed class ThreadRegexTests
{
    [Fact]
    public void Threads_matching_at_once_allocate_nothing_after_warm_up()
    {
        var regex = new ThreadRegex("(cmd|powershell)\\.exe\\s+-(enc|e)\\b", RegexOptions.CultureInvariant | RegexOptions.Compiled | RegexOptions.IgnoreCase);
        var texts = new[] { "C:\\Windows\\cmd.exe -e AAAA", "powershell.exe -enc ZQBj", "notepad.exe x", "CMD.EXE -ENC" }
            .Select(Encoding.UTF8.GetBytes).ToArray();
        const int Threads = 4;
        var allocated = new long[Threads];
        var matched = new long[Threads];
        using var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            foreach (var text in texts) RegexText.IsMatch(regex, text);
            start.SignalAndWait();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 20_000; i++)
            {
                if (RegexText.IsMatch(regex, texts[i % texts.Length])) matched[t]++;
            }
            allocated[t] = GC.GetAllocatedBytesForCurrentThread() - before;
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.All(matched, m => Assert.Equal(15_000, m));
        Assert.All(allocated, a => Assert.Equal(0, a));
    }

    [Fact]
    public void Each_thread_has_its_own_instance_and_keeps_it()
    {
        var regex = new ThreadRegex("a+", RegexOptions.None);
        var mine = regex.Current;
        Assert.Same(mine, regex.Current);
        Regex? other = null;
        var thread = new Thread(() => other = regex.Current);
        thread.Start();
        thread.Join();
        Assert.NotNull(other);
        Assert.NotSame(mine, other);
    }
}

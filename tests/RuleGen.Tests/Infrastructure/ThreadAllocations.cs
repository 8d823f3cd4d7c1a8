namespace RuleGen.Tests.Infrastructure;

/// <summary>
/// Bytes the current thread allocates while running a piece of work. The runtime's own counter is known to report a
/// spurious few kilobytes now and then when other threads allocate and collect at the same time (dotnet/runtime
/// #63487, #74388; our full suite runs test classes in parallel). A real per-event allocation shows in every
/// measurement, a spurious one in one: the work is measured up to <c>attempts</c> times and the least is returned,
/// with every figure for the failure message.
/// </summary>
public static class ThreadAllocations
{
    public static (long Least, string Figures) Least(Action work, int attempts = 3)
    {
        var figures = new List<long>();
        for (var i = 0; i < attempts; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            work();
            figures.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            if (figures[^1] == 0) break;
        }
        return (figures.Min(), string.Join(", ", figures) + " bytes");
    }
}

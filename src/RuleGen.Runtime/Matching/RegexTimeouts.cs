using System.Collections.Concurrent;

namespace RuleGen.Runtime;

/// <summary>
/// How many regex matches ran out of <see cref="RegexText.MatchTimeout"/>, per rule, since the process started. Each
/// such match counted as no match. Read by <c>rulegen scan</c>'s summary, and the API for metrics: counters only grow,
/// so a reader takes a <see cref="Snapshot"/> and subtracts an earlier one.
/// </summary>
/// <remarks>
/// Only patterns that need backtracking (the generator warns about them, RG0223) can time out. Counting costs
/// nothing on a match that finishes: a rule's counter is created at its first timeout.
/// </remarks>
public static class RegexTimeouts
{
    private sealed class Counter
    {
        public long Value;
    }

    private static readonly ConcurrentDictionary<string, Counter> s_byRule = new(StringComparer.Ordinal);
    private static long s_total;

    /// <summary>Timeouts of every rule.</summary>
    public static long Total => Interlocked.Read(ref s_total);

    /// <summary>Timeouts of one rule (by the id its generated code passes to <see cref="ThreadRegex"/>).</summary>
    public static long Of(string rule) => s_byRule.TryGetValue(rule, out var counter) ? Interlocked.Read(ref counter.Value) : 0;

    /// <summary>Every rule with a timeout, and its count, ordered by rule id.</summary>
    public static IReadOnlyList<KeyValuePair<string, long>> Snapshot() =>
        s_byRule.Select(entry => new KeyValuePair<string, long>(entry.Key, Interlocked.Read(ref entry.Value.Value)))
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>Counts one timeout of <paramref name="rule"/>'s regex.</summary>
    public static void Count(string rule)
    {
        Interlocked.Increment(ref s_byRule.GetOrAdd(rule, static _ => new Counter()).Value);
        Interlocked.Increment(ref s_total);
    }
}

using System.Collections.Concurrent;
using RuleGen.Runtime;

namespace RuleGen.Host.Scanning;

/// <summary>
/// The scan in two stages. Stage (a), parallel and stateless: each batch of lines is evaluated by the rule set into
/// match lists, on <c>threads</c> workers. Stage (b), sequential and in input order: the caller's <c>write</c> sees
/// every batch in the order of the inputs and their lines (alerts, malformed-line reports, the summary; and the
/// place for rule kinds that keep state across events). With one thread everything runs inline on the caller's
/// thread: read a batch, evaluate it, write it.
/// </summary>
public static class ScanPipeline
{
    /// <summary>Bytes per batch for files; pipes hand out what each read brings.</summary>
    public const int BatchBytes = 1 << 20;

    /// <summary>Batches in flight per worker (read, being evaluated, or waiting to be written).</summary>
    private const int BatchesPerWorker = 4;

    /// <summary>
    /// One opened input: the stream, whether to hand out lines as each read brings them, where in the input the
    /// stream starts (a resumed scan starts after its checkpoint's line), and whether it is an EVTX file (its records are
    /// the lines; a checkpoint's offset is then the start of a chunk).
    /// </summary>
    public readonly record struct OpenedInput(Stream Stream, bool Interactive, long FirstLine = 1, long StartOffset = 0, InputFormat Format = InputFormat.Ndjson);

    /// <summary>The batches of one opened input.</summary>
    private static IBatchSource Source(OpenedInput opened, int maxLineBytes) => opened.Format == InputFormat.Evtx
        ? new EvtxBatchReader(opened.Stream, opened.Interactive, maxLineBytes, opened.FirstLine, opened.StartOffset)
        : new BatchReader(opened.Stream, opened.Interactive, maxLineBytes, opened.FirstLine, opened.StartOffset);

    /// <summary>How one input is opened; null when the whole input is to be skipped (a checkpoint covers it).</summary>
    public delegate OpenedInput? Opener(int input);

    /// <param name="inputs">How many inputs; each is opened in turn with <paramref name="open"/>.</param>
    /// <param name="open">Opens input i; an exception it throws becomes a batch with <see cref="LineBatch.OpenFailed"/>.</param>
    /// <param name="threads">Stage (a) workers; 1 runs everything on the calling thread.</param>
    /// <param name="maxLineBytes">The line limit (<see cref="BatchReader"/>).</param>
    /// <param name="ruleSet">The rules.</param>
    /// <param name="write">Stage (b): called on the calling thread with each batch, in input order.</param>
    /// <param name="idle">Called on the calling thread before stage (b) waits (for input or for stage a): flush output here.</param>
    public static void Run(int inputs, Opener open, int threads, int maxLineBytes, IRuleSet ruleSet, Action<LineBatch> write, Action idle)
    {
        if (threads <= 1) RunInline(inputs, open, maxLineBytes, ruleSet, write, idle);
        else RunParallel(inputs, open, threads, maxLineBytes, ruleSet, write, idle);
    }

    /// <summary>Stage (a) for one batch: the verdict of every line.</summary>
    public static void Evaluate(LineBatch batch, IRuleSet ruleSet)
    {
        var rules = Math.Max(1, ruleSet.Rules.Count);
        batch.MatchCount = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.IsOverlong(i))
            {
                batch.Verdicts[i] = LineBatch.Overlong;
                continue;
            }
            if (batch.IsCorrupt(i))
            {
                batch.Verdicts[i] = LineBatch.Corrupt;
                continue;
            }
            var line = batch.Line(i);
            if (line.IndexOfAnyExcept(" \t\r"u8) < 0)
            {
                batch.Verdicts[i] = LineBatch.Blank;
                continue;
            }
            if (batch.Matches.Length - batch.MatchCount < rules)
                Array.Resize(ref batch.Matches, Math.Max(batch.Matches.Length * 2, batch.MatchCount + rules));
            if (ruleSet.TryEvaluate(line, batch.Matches.AsSpan(batch.MatchCount), out var count))
            {
                batch.Verdicts[i] = count;
                batch.MatchStarts[i] = batch.MatchCount;
                batch.MatchCount += count;
            }
            else
            {
                batch.Verdicts[i] = LineBatch.Malformed;
            }
        }
    }

    private static void RunInline(int inputs, Opener open, int maxLineBytes, IRuleSet ruleSet, Action<LineBatch> write, Action idle)
    {
        var batch = new LineBatch(BatchBytes);
        long sequence = 0;
        for (var input = 0; input < inputs; input++)
        {
            if (!TryOpen(open, input, batch, out var opened, out var skipped))
            {
                if (skipped) continue;
                batch.Sequence = sequence++;
                write(batch);
                continue;
            }
            using (opened.Stream)
            {
                var reader = Source(opened, maxLineBytes);
                while (reader.Fill(batch, idle))
                {
                    batch.Input = input;
                    batch.Sequence = sequence++;
                    Evaluate(batch, ruleSet);
                    write(batch);
                    if (batch.EndOfInput) break;
                }
            }
        }
    }

    private static void RunParallel(int inputs, Opener open, int threads, int maxLineBytes, IRuleSet ruleSet, Action<LineBatch> write, Action idle)
    {
        var capacity = threads * BatchesPerWorker;
        // Not disposed: after an output failure the reader may still be blocked in a read (stdin) and touch them.
        var free = new BlockingCollection<LineBatch>(capacity);
        var work = new BlockingCollection<LineBatch>();
        var ordered = new BlockingCollection<LineBatch>();
        var stop = new CancellationTokenSource();
        static ManualResetEventSlim Done(LineBatch b) => b.Evaluated;
        for (var i = 0; i < capacity; i++) free.Add(new LineBatch(BatchBytes));
        Exception? failure = null;

        var reader = new Thread(() =>
        {
            try
            {
                long sequence = 0;
                for (var input = 0; input < inputs && !stop.IsCancellationRequested; input++)
                {
                    var batch = free.Take(stop.Token);
                    if (!TryOpen(open, input, batch, out var opened, out var skipped))
                    {
                        if (skipped)
                        {
                            free.Add(batch);
                            continue;
                        }
                        batch.Sequence = sequence++;
                        Done(batch).Set();
                        ordered.Add(batch);
                        continue;
                    }
                    using (opened.Stream)
                    {
                        var lines = Source(opened, maxLineBytes);
                        while (true)
                        {
                            if (!lines.Fill(batch))
                            {
                                free.Add(batch);
                                break;
                            }
                            batch.Input = input;
                            batch.Sequence = sequence++;
                            Done(batch).Reset();
                            ordered.Add(batch);
                            work.Add(batch);
                            if (batch.EndOfInput) break;
                            batch = free.Take(stop.Token);
                        }
                    }
                }
            }
            catch (Exception ex) when (stop.IsCancellationRequested)
            {
                // Stopped (after an output failure): whatever happens now does not matter.
                _ = ex;
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
            finally
            {
                ordered.CompleteAdding();
                work.CompleteAdding();
            }
        }) { Name = "rulegen reader", IsBackground = true };

        var workers = new Thread[threads];
        for (var w = 0; w < threads; w++)
        {
            workers[w] = new Thread(() =>
            {
                try
                {
                    foreach (var batch in work.GetConsumingEnumerable(stop.Token))
                    {
                        try
                        {
                            Evaluate(batch, ruleSet);
                        }
                        catch (Exception ex)
                        {
                            failure ??= ex;
                            stop.Cancel();
                        }
                        finally
                        {
                            Done(batch).Set();
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }) { Name = "rulegen worker " + w, IsBackground = true };
        }

        reader.Start();
        foreach (var worker in workers) worker.Start();
        var completed = false;
        try
        {
            while (true)
            {
                if (!ordered.TryTake(out var batch))
                {
                    idle();
                    if (!ordered.TryTake(out batch, Timeout.Infinite)) break;
                }
                var signal = Done(batch);
                if (!signal.IsSet)
                {
                    idle();
                    signal.Wait();
                }
                if (failure is not null) break;
                write(batch);
                free.Add(batch);
            }
            completed = failure is null;
        }
        finally
        {
            if (!completed)
            {
                // An output failure (or a bug): stop reading and evaluating. A reader blocked in a read of stdin is
                // left behind (a background thread); the process ends soon after.
                stop.Cancel();
                reader.Join(TimeSpan.FromSeconds(1));
            }
            else
            {
                reader.Join();
            }
            foreach (var worker in workers) worker.Join();
        }
        if (failure is not null) throw new AggregateException("The scan failed.", failure);
    }

    /// <summary>Opens input <paramref name="input"/>; false when it failed (the batch says why) or is skipped.</summary>
    private static bool TryOpen(Opener open, int input, LineBatch batch, out OpenedInput opened, out bool skipped)
    {
        batch.Reset();
        batch.Input = input;
        batch.FirstLineNumber = 1;
        skipped = false;
        try
        {
            var result = open(input);
            opened = result ?? default;
            skipped = result is null;
            return !skipped;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            batch.OpenFailed = true;
            batch.ReadError = ex;
            batch.EndOfInput = true;
            opened = default;
            return false;
        }
    }
}

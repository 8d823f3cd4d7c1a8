using System.Runtime.InteropServices;

namespace RuleGen.Host;

/// <summary>
/// What the host reads and writes: the process's standard streams in <c>rulegen</c> itself, memory streams in tests.
/// </summary>
/// <param name="Stdin">Events for the input <c>-</c>.</param>
/// <param name="Stdout">Alerts (unless <c>--output</c>), the rule listing, help.</param>
/// <param name="Stderr">Messages, the live progress and the summary.</param>
/// <param name="StderrIsTerminal">Whether a person watches stderr: only then is the live progress shown.</param>
/// <param name="Time">The clock (alert timestamps, elapsed time, rates).</param>
public sealed record HostConsole(Stream Stdin, Stream Stdout, TextWriter Stderr, bool StderrIsTerminal, TimeProvider Time)
{
    /// <summary>Set when the scan is to stop cleanly (Ctrl-C or SIGTERM in <c>rulegen</c>): see <see cref="ExitCodes.Stopped"/>.</summary>
    public CancellationToken Stop { get; init; }

    /// <summary>The terminal's width for the live progress (null: as Spectre.Console finds it; tests fix it).</summary>
    public int? TerminalWidth { get; init; }

    private static readonly CancellationTokenSource s_stop = new();
    private static PosixSignalRegistration[]? s_signals;

    /// <summary>
    /// The process's own console. SIGINT (Ctrl-C) and SIGTERM no longer end the process at once: they set
    /// <see cref="Stop"/>, and the scan stops between two batches, flushes its output and prints a partial summary.
    /// </summary>
    public static HostConsole FromProcess()
    {
        s_signals ??=
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
        return new HostConsole(
            Console.OpenStandardInput(),
            Console.OpenStandardOutput(),
            Console.Error,
            !Console.IsErrorRedirected,
            TimeProvider.System) { Stop = s_stop.Token };
    }

    private static int s_stoppable;

    /// <summary>
    /// While the result is not disposed, SIGINT and SIGTERM set <see cref="Stop"/> instead of ending the process (a scan
    /// holds it; other commands end at once, as before).
    /// </summary>
    public static IDisposable Stoppable()
    {
        Interlocked.Increment(ref s_stoppable);
        return new StoppableScope();
    }

    private sealed class StoppableScope : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref s_stoppable);
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        if (Volatile.Read(ref s_stoppable) == 0) return;
        context.Cancel = true;
        s_stop.Cancel();
    }
}

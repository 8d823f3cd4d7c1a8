namespace RuleGen.Host;

/// <summary>
/// What the host reads and writes: the process's standard streams in <c>rulegen</c> itself, memory streams in tests.
/// </summary>
/// <param name="Stdin">Events for the input <c>-</c>.</param>
/// <param name="Stdout">Alerts (unless <c>--output</c>), the rule listing, help.</param>
/// <param name="Stderr">Messages, the progress bar and the summary.</param>
/// <param name="StderrIsTerminal">Whether a person watches stderr: only then is a progress bar drawn.</param>
/// <param name="Time">The clock (alert timestamps, elapsed time, rates).</param>
public sealed record HostConsole(Stream Stdin, Stream Stdout, TextWriter Stderr, bool StderrIsTerminal, TimeProvider Time)
{
    /// <summary>The process's own console.</summary>
    public static HostConsole FromProcess() => new(
        Console.OpenStandardInput(),
        Console.OpenStandardOutput(),
        Console.Error,
        !Console.IsErrorRedirected,
        TimeProvider.System);
}

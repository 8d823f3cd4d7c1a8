using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RuleGen.Host.Serve;

/// <summary>
/// Stopwatch sampling of where <c>rulegen serve</c>'s time goes, per phase, summed over the partitions of an
/// instance. Off unless the environment sets <c>RULEGEN_SERVE_PROFILE=1</c>: then each phase reads the clock around
/// itself, and the instance prints the totals to stderr when it stops. With it off, <see cref="Enabled"/> is a
/// constant to the JIT and the timing code is dropped.
/// </summary>
/// <remarks>
/// The phases are wall time on the worker's own path: <see cref="Phase.Wait"/> is the time spent waiting for the
/// next messages (the NATS client's receive work runs on its own threads and shows in the process's CPU, not here).
/// </remarks>
public static class ServeProfile
{
    public enum Phase
    {
        /// <summary>Waiting for messages from the consumer (nothing ready).</summary>
        Wait,
        /// <summary>Per message: the metadata (stream sequence) and the headers (input and line).</summary>
        Message,
        /// <summary>The compiled rule set's verdicts (TryEvaluate, and the sequence steps' pass).</summary>
        Rules,
        /// <summary>The detection engine and the EQL sequences' state.</summary>
        Engine,
        /// <summary>Alerts: serialized and handed to the client to publish.</summary>
        Publish,
        /// <summary>Waiting for JetStream's acknowledgements of the alerts (before a checkpoint).</summary>
        AlertAcks,
        /// <summary>The state serialized into checkpoint bytes.</summary>
        Save,
        /// <summary>The checkpoint written to the key-value bucket.</summary>
        CheckpointWrite,
        /// <summary>The acknowledgement of the checkpointed range (AckAll on its last message).</summary>
        Ack,
    }

    public static readonly bool Enabled = Environment.GetEnvironmentVariable("RULEGEN_SERVE_PROFILE") == "1";

    private static readonly long[] Ticks = new long[Enum.GetValues<Phase>().Length];

    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Adds the time since <paramref name="start"/> to the phase; returns now, the next phase's start.</summary>
    public static long Add(Phase phase, long start)
    {
        if (!Enabled) return 0;
        var now = Stopwatch.GetTimestamp();
        Interlocked.Add(ref Ticks[(int)phase], now - start);
        return now;
    }

    /// <summary>The totals, one line, in seconds.</summary>
    public static string Report()
    {
        var text = new StringBuilder("profile (s):");
        foreach (var phase in Enum.GetValues<Phase>())
            text.Append(CultureInfo.InvariantCulture, $" {phase}={Interlocked.Read(ref Ticks[(int)phase]) / (double)Stopwatch.Frequency:F3}");
        return text.ToString();
    }
}

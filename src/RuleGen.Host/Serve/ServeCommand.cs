using System.Runtime.InteropServices;
using NATS.Client.Core;
using NATS.Client.JetStream;
using RuleGen.Runtime;

namespace RuleGen.Host.Serve;

/// <summary>
/// <c>rulegen serve</c>: connects, makes sure the streams and buckets exist, and runs one <see cref="ServeInstance"/>
/// until SIGTERM or SIGINT, which stop it gracefully: every owned partition is checkpointed, its events acknowledged
/// and its lease given up, so another instance takes it over at once.
/// </summary>
public static class ServeCommand
{
    public static int Run(string[] args, HostConsole console, IRuleSet ruleSet)
    {
        var parsed = ServeOptions.TryParse(args, console.Stderr, out var options);
        if (parsed is null)
        {
            console.Stderr.Write(ServeOptions.Usage + NatsConnectOptions.Usage + "\nRule filters:\n" + RuleSelection.Usage + "\n");
            return ExitCodes.Success;
        }
        if (parsed == false) return ExitCodes.UsageError;
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            return RunAsync(options!, console, ruleSet, stop.Token).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is NatsException or NatsJSException or TimeoutException)
        {
            console.Stderr.WriteLine($"rulegen: serve: {options!.Connection}: {ex.Message}");
            return ExitCodes.InputOutputError;
        }
    }

    public static async Task<int> RunAsync(ServeOptions options, HostConsole console, IRuleSet ruleSet, CancellationToken stop, ServeMetrics? metrics = null)
    {
        var ownMetrics = metrics is null;
        metrics ??= new ServeMetrics();
        try
        {
            if (options.Metrics is { } endpoint)
            {
                try
                {
                    metrics.Start(endpoint);
                }
                catch (Exception ex) when (ex is System.Net.HttpListenerException or InvalidOperationException)
                {
                    console.Stderr.WriteLine($"rulegen: serve: cannot serve metrics on {endpoint}: {ex.Message}");
                    return ExitCodes.InputOutputError;
                }
            }
            await using var instance = await ServeInstance.ConnectAsync(options, console.Stderr, ruleSet, metrics);
            await instance.RunAsync(stop);
            return ExitCodes.Success;
        }
        finally
        {
            if (ownMetrics) metrics.Dispose();
        }
    }
}

using System.Runtime.InteropServices;

namespace ActorTrain.Nodes.Cli;

/// <summary>
/// Ctrl-C and SIGTERM for every command: the first signal cancels the running command's token (it stops, a node
/// leaves its cluster, and the command exits 130 saying "interrupted"); a second one terminates at once.
/// Replaces System.CommandLine's own handler, which cancelled a token source it had already disposed when a command
/// returned before the handler ran, and the process died of an unhandled ObjectDisposedException (measured with
/// Ctrl-C on `node --role ps` and `node --role worker`).
/// </summary>
internal static class Interrupts
{
    private static readonly CancellationTokenSource Source = new();
    private static readonly PosixSignalRegistration[] Registrations =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
    ];

    private static int _signals;

    /// <summary>Cancelled by the first SIGINT or SIGTERM this process receives.</summary>
    public static CancellationToken Token => Registrations.Length > 0 ? Source.Token : CancellationToken.None;

    private static void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) > 1) return; // the default action: terminate
        context.Cancel = true;
        Source.Cancel();
    }
}

using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Tap;
using Akka.Actor;

namespace ActorTrain.Actors.Hosting;

/// <summary>Role tap on a node: attacks the current run's worker updates until the run finishes and the tap has drained.</summary>
public static class TapNode
{
    /// <param name="spec">The run when this node also hosts its parameter server; null: the tap asks the server.</param>
    /// <param name="progress">Called with the tap's report about every <paramref name="interval"/>.</param>
    /// <returns>The final report, or null when the node left the cluster first.</returns>
    public static async Task<TapReport?> RunAsync(ActorSystem system, TapSettings settings, RunSpec? spec, TimeSpan interval,
        Action<TapReport> progress, CancellationToken cancellation)
    {
        var tap = ClusterRoles.StartTap(system, settings, ClusterRoles.ParameterServerProxy(system), spec);
        var lastShown = DateTime.UtcNow;
        while (!system.WhenTerminated.IsCompleted)
        {
            await Task.WhenAny(Task.Delay(TimeSpan.FromMilliseconds(250), cancellation), system.WhenTerminated);
            cancellation.ThrowIfCancellationRequested();
            if (system.WhenTerminated.IsCompleted) break;
            var report = await tap.Ask<TapReport>(GetTapReport.Instance, TimeSpan.FromSeconds(30), cancellation);
            if (report.RunFinished && report.Drained) return report;
            if (DateTime.UtcNow - lastShown < interval) continue;
            lastShown = DateTime.UtcNow;
            progress(report);
        }
        return null;
    }
}

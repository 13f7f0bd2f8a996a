using ActorTrain.Actors.Workers;
using Akka.Actor;

namespace ActorTrain.Actors.Hosting;

/// <summary>Role worker on a node: one worker actor per entry of its device list, training until the run finishes.</summary>
public static class WorkerNode
{
    /// <param name="devices">The device of each worker (cpu, cuda:N), in worker order (w0, w1, …).</param>
    /// <returns>True when every worker saw the run finish; false when the node was removed from the cluster first.</returns>
    public static async Task<bool> RunAsync(
        ActorSystem system, IReadOnlyList<string> devices, string fashionMnistDirectory, CancellationToken cancellation, int threadsPerWorker = 0,
        string? fortunesDirectory = null, Tensors.Compression.UpdateTransformOptions? transforms = null)
    {
        var address = Akka.Cluster.Cluster.Get(system).SelfAddress;
        var interval = system.Settings.Config.GetTimeSpan("actortrain.worker.register-interval", TimeSpan.FromSeconds(1));
        var remaining = devices.Count;
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proxy = ClusterRoles.ParameterServerProxy(system);
        for (var i = 0; i < devices.Count; i++)
        {
            var settings = new WorkerSettings($"{address.Host}:{address.Port}/w{i}", devices[i], fashionMnistDirectory, interval,
                _ => { if (Interlocked.Decrement(ref remaining) == 0) finished.TrySetResult(); },
                error => finished.TrySetException(error), threadsPerWorker, fortunesDirectory, transforms);
            ClusterRoles.StartWorker(system, settings, proxy);
        }
        await using var stop = cancellation.Register(() => finished.TrySetCanceled(cancellation));
        var first = await Task.WhenAny(finished.Task, system.WhenTerminated);
        if (first == system.WhenTerminated) return false;
        try
        {
            await finished.Task; // rethrows a worker's failure or the cancellation
        }
        catch
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
            throw;
        }
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        return true;
    }
}

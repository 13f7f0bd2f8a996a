using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Tap;
using ActorTrain.Actors.Workers;
using Akka.Actor;
using Akka.Configuration;

namespace ActorTrain.Actors.Hosting;

/// <summary>
/// `actortrain run`: a real one-node Akka cluster (remoting on 127.0.0.1, roles ps and worker) in this process,
/// with the parameter server singleton and K workers. Messages between them stay in memory.
/// </summary>
public static class EmbeddedCluster
{
    public static async Task<RunOutcome> RunAsync(
        ParameterServerSetup setup, int workers, string device, string fashionMnistDirectory, Config? user = null,
        string? logLevel = null, CancellationToken cancellation = default, int threadsPerWorker = 0, string? fortunesDirectory = null,
        TapSettings? tap = null, Tensors.Compression.UpdateTransformOptions? transforms = null)
    {
        if (workers < 1) throw new ArgumentException($"--workers {workers}: must be at least 1.");
        string[] roles = tap is null
            ? [ClusterRoles.ParameterServerRole, ClusterRoles.WorkerRole]
            : [ClusterRoles.ParameterServerRole, ClusterRoles.WorkerRole, ClusterRoles.TapRole];
        var node = new NodeAddress("127.0.0.1", 0, [], roles);
        // The singleton lives in this process; the proxy's "not found yet" warning at shutdown would only confuse.
        var quiet = ConfigurationFactory.ParseString("akka.cluster.singleton-proxy.log-singleton-identification-failure = off");
        var system = await ClusterNode.StartAsync(node, user is null ? quiet : quiet.WithFallback(user), logLevel, TimeSpan.FromSeconds(30), cancellation);
        try
        {
            var outcome = new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            ClusterRoles.StartParameterServer(system, setup with { MinWorkers = workers, OnFinished = o => outcome.TrySetResult(o), OnFailed = e => outcome.TrySetException(e) });
            var proxy = ClusterRoles.ParameterServerProxy(system);
            var tapActor = tap is null ? null : ClusterRoles.StartTap(system, tap, proxy, setup.Spec);
            var interval = system.Settings.Config.GetTimeSpan("actortrain.worker.register-interval", TimeSpan.FromSeconds(1));
            for (var i = 0; i < workers; i++)
                ClusterRoles.StartWorker(system, new WorkerSettings($"local/w{i}", device, fashionMnistDirectory, interval, OnFailed: e => outcome.TrySetException(e),
                    Threads: threadsPerWorker, FortunesDirectory: fortunesDirectory, Transforms: transforms), proxy); // port-free ids: seeded runs reproduce
            await using var registration = cancellation.Register(() => outcome.TrySetCanceled(cancellation));
            var result = await outcome.Task;
            return tapActor is null ? result : result with { Tap = await TapDrain.WaitAsync(tapActor, TimeSpan.FromMinutes(2), cancellation) };
        }
        finally
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ActorSystemTerminateReason.Instance);
        }
    }

    /// <summary>Forms a new cluster of one and waits until this member is up.</summary>
    public static async Task JoinSelf(ActorSystem system, CancellationToken cancellation)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellation);
    }
}

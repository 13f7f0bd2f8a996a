using ActorTrain.Actors.Security;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

namespace ActorTrain.Actors.Hosting;

/// <summary>Starts an ActorTrain cluster member and waits until it is up.</summary>
public static class ClusterNode
{
    /// <summary>
    /// Turns "HOST:PORT" into a seed address (akka.tcp://actortrain@HOST:PORT, or akka.ssl.tcp:// with TLS); a full
    /// address is kept.
    /// </summary>
    public static string SeedAddress(string text, bool tls = false)
    {
        if (text.StartsWith("akka.tcp://", StringComparison.Ordinal) || text.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal)) return text;
        var scheme = tls ? "akka.ssl.tcp" : "akka.tcp";
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"--seed {text}: write HOST:PORT (e.g. 10.0.0.5:4053) or {scheme}://{ClusterConfig.SystemName}@HOST:PORT.");
        return $"{scheme}://{ClusterConfig.SystemName}@{text}";
    }

    /// <param name="joinTimeout">How long to wait for the seed nodes before giving up.</param>
    /// <param name="security">TLS and the cluster secret; null: neither.</param>
    public static async Task<ActorSystem> StartAsync(NodeAddress node, Config? user, string? logLevel, TimeSpan joinTimeout, CancellationToken cancellation,
        ClusterSecurity? security = null)
    {
        security = (security ?? ClusterSecurity.None).Validate();
        ActorSystemSetup setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(ClusterConfig.Build(node, user, logLevel, security.Tls)));
        if (security.Certificate is not null) setup = setup.And(ClusterTls.Setup(security.Certificate));
        var system = ActorSystem.Create(ClusterConfig.SystemName, setup);
        // Before the cluster extension joins the seeds: a new member is challenged as soon as it is up.
        if (security.Secret is not null) ClusterAuthentication.For(system).Start(security.Secret, security.AuthenticationTimeout);
        system.ActorOf(Props.Create<QuarantineWatch>(), "quarantine-watch");
        var cluster = Akka.Cluster.Cluster.Get(system);
        // Before joining: other members' mediators gossip to this node at once, and their messages need the
        // extension's serializer (otherwise "Could not find any internal Akka.NET serializer with Id [9]").
        Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        var seeds = system.Settings.Config.GetStringList("akka.cluster.seed-nodes", []);
        if (seeds.Count == 0) cluster.Join(cluster.SelfAddress);
        try
        {
            await up.Task.WaitAsync(joinTimeout, cancellation);
        }
        catch (Exception e)
        {
            await system.Terminate();
            if (e is TimeoutException)
                throw new InvalidOperationException(
                    $"Could not join the cluster through {string.Join(", ", seeds)} within {joinTimeout.TotalSeconds:F0} s: " +
                    "is the seed node running, and reachable at that address and port?");
            throw;
        }
        ClusterRoles.StartTransport(system, security);
        return system;
    }
}

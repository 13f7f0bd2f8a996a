using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Transport;
using ActorTrain.Actors.Workers;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;

namespace ActorTrain.Actors.Hosting;

/// <summary>Starts the actors of each role on a node.</summary>
public static class ClusterRoles
{
    public const string ParameterServerRole = "ps";
    public const string WorkerRole = "worker";
    public const string TapRole = "tap";

    /// <summary>Hosts the split server of a split-learning run; on a node it comes with role ps (the singleton's role).</summary>
    public const string SplitServerRole = "split-server";
    private const string SingletonName = "parameter-server";

    /// <summary>Every node: the data plane (with the cluster's TLS and secret) and the inbox that reassembles chunked tensor messages and fetches blobs.</summary>
    public static void StartTransport(ActorSystem system, Security.ClusterSecurity? security = null)
    {
        Transport.DataPlane.DataPlane.For(system).Start(security ?? Security.ClusterSecurity.None);
        TensorTransport.For(system).StartInbox();
    }

    /// <summary>
    /// Role ps: the parameter server as a cluster singleton (it lives on the oldest ps node), under a backoff
    /// supervisor that restarts it while its journal fails; meanwhile senders are told <see cref="Protocol.ServerUnavailable"/>.
    /// A split-learning run (<see cref="Protocol.RunSpec.Split"/>) gets the split server in its place.
    /// </summary>
    public static IActorRef StartParameterServer(ActorSystem system, ParameterServerSetup setup) =>
        system.ActorOf(ClusterSingletonManager.Props(
                RestartBackoff.From(system.Settings.Config).Supervise(
                    (setup.Spec.Split is null ? ParameterServerActor.Props(setup) : Split.SplitServerActor.Props(setup)).WithDispatcher(ComputeDispatcher.Id),
                    "ps", Protocol.ServerUnavailable.Instance),
                PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system).WithRole(ParameterServerRole).WithSingletonName("server")),
            SingletonName);

    /// <summary>A proxy that always points at the current parameter server, wherever it runs.</summary>
    public static IActorRef ParameterServerProxy(ActorSystem system) =>
        system.ActorOf(ClusterSingletonProxy.Props($"/user/{SingletonName}",
            ClusterSingletonProxySettings.Create(system).WithRole(ParameterServerRole).WithSingletonName("server")),
            $"{SingletonName}-proxy-{Guid.NewGuid():N}");

    /// <summary>Role tap: label revelation on the current run's worker updates.</summary>
    /// <param name="spec">The run, when known; null: the tap asks the parameter server.</param>
    public static IActorRef StartTap(ActorSystem system, Tap.TapSettings settings, IActorRef proxy, Protocol.RunSpec? spec = null) =>
        system.ActorOf(Tap.TapActor.Props(proxy, settings, spec), "tap");

    /// <summary>Role worker: one worker actor.</summary>
    public static IActorRef StartWorker(ActorSystem system, WorkerSettings settings, IActorRef proxy) =>
        system.ActorOf(WorkerActor.Props(settings, proxy), "worker-" + settings.WorkerId.Split('/')[^1]);
}

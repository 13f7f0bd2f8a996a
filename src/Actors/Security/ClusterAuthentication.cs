using System.Collections.Concurrent;
using Akka.Actor;

namespace ActorTrain.Actors.Security;

/// <summary>
/// Which cluster members this node has seen prove the cluster secret. Without a secret every sender is admitted.
/// Written by this node's <see cref="ClusterGatekeeper"/>; read by actors that serve only members of the cluster
/// (the parameter server).
/// </summary>
public sealed class ClusterAuthentication : IExtension
{
    private readonly ExtendedActorSystem _system;
    private readonly ConcurrentDictionary<Address, bool> _authenticated = new();

    public ClusterAuthentication(ExtendedActorSystem system) => _system = system;

    /// <summary>True once <see cref="Start"/> ran: senders on other nodes must have proved the secret.</summary>
    public bool Required { get; private set; }

    public static ClusterAuthentication For(ActorSystem system) => system.WithExtension<ClusterAuthentication, ClusterAuthenticationProvider>();

    /// <summary>Starts this node's gatekeeper (before the node joins, so it can answer challenges at once).</summary>
    public void Start(byte[] secret, TimeSpan timeout)
    {
        if (Required) throw new InvalidOperationException("The gatekeeper is already running.");
        _system.ActorOf(ClusterGatekeeper.Props(secret, timeout), ClusterGatekeeper.Name);
        Required = true;
    }

    /// <summary>Whether <paramref name="sender"/> may be served: on this node, or on a member that proved the secret.</summary>
    public bool Admits(IActorRef sender) => !Required || sender.Path.Address.HasLocalScope || IsAuthenticated(sender.Path.Address);

    public bool IsAuthenticated(Address address) => _authenticated.ContainsKey(address) ||
                                                     address == Akka.Cluster.Cluster.Get(_system).SelfAddress;

    internal void Admit(Address address) => _authenticated[address] = true;

    internal void Revoke(Address address) => _authenticated.TryRemove(address, out _);
}

public sealed class ClusterAuthenticationProvider : ExtensionIdProvider<ClusterAuthentication>
{
    public override ClusterAuthentication CreateExtension(ExtendedActorSystem system) => new(system);
}

using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Security;

/// <summary>
/// What the parameter server and the split server ask before serving a sender: has its node proved the cluster
/// secret (always yes when no secret is configured, and for senders in this process)? Says so once per node when not.
/// </summary>
public sealed class SecretGate(ActorSystem system, ILoggingAdapter log)
{
    private readonly ClusterAuthentication _authentication = ClusterAuthentication.For(system);
    private readonly HashSet<Address> _refused = new();

    public bool Admits(IActorRef sender)
    {
        if (_authentication.Admits(sender)) return true;
        if (_refused.Add(sender.Path.Address))
            log.Warning("Not serving {0}: its node has not proved the cluster secret (yet).", sender.Path.Address);
        return false;
    }
}

using Akka.Actor;
using Akka.Event;
using Akka.Remote;

namespace ActorTrain.Actors.Hosting;

/// <summary>
/// Ends a node that the cluster has quarantined. A node paused past the split-brain resolver's decision (SIGSTOP, a
/// frozen VM) is downed and removed meanwhile; when it runs again the others refuse it ("The remote system has
/// quarantined this system"), but Akka.NET 1.5 leaves it running alone. Measured: such a worker process was still
/// running a minute after SIGCONT. This actor runs the node's coordinated shutdown instead, so the process exits.
/// </summary>
public sealed class QuarantineWatch : ReceiveActor
{
    public QuarantineWatch()
    {
        var log = Context.GetLogger();
        Receive<ThisActorSystemQuarantinedEvent>(e =>
        {
            log.Error("{0} has quarantined this node (it was removed from the cluster, e.g. while paused): shutting down.", e.RemoteAddress);
            CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClusterDowningReason.Instance);
        });
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ThisActorSystemQuarantinedEvent));
}

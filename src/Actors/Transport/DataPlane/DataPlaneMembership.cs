using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>Releases the blobs offered to a node, and the connections to it, when it leaves the cluster (downed or left).</summary>
internal sealed class DataPlaneMembership : ReceiveActor
{
    public DataPlaneMembership(DataPlane dataPlane)
    {
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            var released = dataPlane.ReleasePeer(removed.Member.Address);
            if (released > 0) Context.GetLogger().Info("Data plane: released {0} blob(s) offered to {1}, which left the cluster.", released, removed.Member.Address);
        });
    }

    protected override void PreStart() => Cluster.Get(Context.System).Subscribe(Self, typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);
}

using ActorTrain.Actors.Hosting;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.Transport;

/// <summary>Two cluster-provider actor systems on loopback, each with its tensor transport: the test kit's and <see cref="Remote"/>.</summary>
public abstract class LoopbackPairTestKit : TestKit
{
    protected LoopbackPairTestKit(string? systemName = null) : base(TestSpecs.Cluster(), systemName)
    {
        Remote = ActorSystem.Create("actortrain", TestSpecs.Cluster());
        ClusterRoles.StartTransport(Sys);
        ClusterRoles.StartTransport(Remote);
    }

    protected ActorSystem Remote { get; }

    protected override void AfterAll()
    {
        Remote.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    /// <summary>The probe (created in <see cref="Remote"/>) as this system reaches it: over the network.</summary>
    protected async Task<IActorRef> ResolveFromHere(Akka.TestKit.TestProbe probe)
    {
        var address = Akka.Cluster.Cluster.Get(Remote).SelfAddress;
        return await Sys.ActorSelection(new RootActorPath(address) / probe.Ref.Path.Elements).ResolveOne(TimeSpan.FromSeconds(10));
    }
}

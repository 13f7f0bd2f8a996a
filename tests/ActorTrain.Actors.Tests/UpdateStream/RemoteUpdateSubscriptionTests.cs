using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.UpdateStream;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.UpdateStream;

/// <summary>
/// A subscriber on another node receives every accepted update with its tensors, even when the update is larger
/// than Akka.Remote's frame (2 MB here against a 1 MiB frame), plus the metadata on the run's topic.
/// </summary>
public sealed class RemoteUpdateSubscriptionTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly SyntheticClassification Wide = new(Classes: 10, InputSize: 1024, TrainSamples: 100, TestSamples: 20, Seed: 2);
    private readonly ActorSystem _tapNode;

    public RemoteUpdateSubscriptionTests() : base(TestSpecs.Cluster(), ClusterConfig.SystemName)
    {
        EmbeddedCluster.JoinSelf(Sys, CancellationToken.None).Wait(Wait);
        _tapNode = ActorSystem.Create("actortrain", TestSpecs.Cluster());
        var joined = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(_tapNode).RegisterOnMemberUp(() => joined.TrySetResult());
        Akka.Cluster.Cluster.Get(_tapNode).Join(Akka.Cluster.Cluster.Get(Sys).SelfAddress);
        Assert.True(joined.Task.Wait(Wait), "the second node did not join the cluster");
        ClusterRoles.StartTransport(Sys);
        ClusterRoles.StartTransport(_tapNode);
    }

    protected override void AfterAll()
    {
        _tapNode.Terminate().Wait(Wait);
        base.AfterAll();
    }

    [Fact]
    public async Task Subscriber_OnAnotherNode_GetsLargeUpdatesAndTheirMetadata()
    {
        var spec = TestSpecs.Spec() with { Synthetic = Wide, Hidden = [512] };
        LayeredModel Build() => new ModelSpec("mlp", [Wide.InputSize], Wide.Classes, spec.Hidden).Build(spec.Seed);
        using var data = Wide.Generate();
        var setup = new ParameterServerSetup(spec, () => new ParameterStore(Build(), new SgdOptimizer(0.1, 0)), data.Test,
            data.Train.Count, 1, Steps: 50, 1, MinWorkers: 1, TimeSpan.FromSeconds(30), 2, long.MaxValue, null, _ => { });
        var server = Sys.ActorOf(ParameterServerActor.Props(setup), "ps");

        var seen = CreateTestProbe(_tapNode);
        var remoteServer = await _tapNode.ActorSelection(new RootActorPath(Akka.Cluster.Cluster.Get(Sys).SelfAddress) / "user" / "ps")
            .ResolveOne(Wait);
        var subscriber = _tapNode.ActorOf(BoundedSubscriber.ForRun(spec.RunId, remoteServer,
            Props.Create(() => new RecordingConsumer(seen.Ref, Task.CompletedTask)), capacity: 16));
        await AwaitConditionAsync(async () => (await server.Ask<ServerStatus>(new GetServerStatus(), Wait)).UpdateSubscribers == 1, Wait);
        var worker = CreateTestProbe();
        worker.Send(server, new RegisterWorker("w0", "cpu"));
        worker.ExpectMsg<Welcome>(Wait);
        worker.Send(server, new WorkerReady(spec.RunId, "w0"));
        var order = worker.ExpectMsg<StepOrder>(Wait);
        Assert.True(order.Weights.ByteCount > 2_000_000, $"{order.Weights.ByteCount} bytes");
        var values = Enumerable.Range(0, order.Weights.Values.Length).Select(i => (i % 1000) * 1e-6f).ToArray();

        // DistributedPubSub spreads the subscriber's topic registration by gossip (about a second), so the first
        // steps' metadata may miss it; the tensors, sent to the subscriber directly, never do.
        var received = new List<object>();
        for (var v = 0; v < 40 && !(received.OfType<WorkerUpdate>().Any() && received.OfType<UpdateAccepted>().Any()); v++)
        {
            worker.Send(server, new WorkerUpdate(spec.RunId, v, "w0", 8, 0.5, UpdateKind.Gradient, order.Weights with { Values = values }));
            Assert.Equal(v + 1, worker.ExpectMsg<StepOrder>(Wait).Version);
            received.AddRange(seen.ReceiveWhile(TimeSpan.FromMilliseconds(300), m => m));
        }
        Assert.Equal(0, received.OfType<WorkerUpdate>().First().Version); // the first update, through the transport
        var update = received.OfType<WorkerUpdate>().First();
        Assert.Equal(values, update.Tensors.Values);
        Assert.Equal(("w0", 0L), (update.WorkerId, update.Version));
        Assert.Equal(order.Weights.Names, received.OfType<UpdateAccepted>().First().ParameterNames);
    }
}

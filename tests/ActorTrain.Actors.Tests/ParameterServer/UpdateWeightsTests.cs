using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.ParameterServer;

/// <summary>
/// The parameter server's update stream for the online gradient inversion: a subscriber that asked for weights gets
/// the updates it asks for with the weights their worker computed them on (and the recorded inputs), a notice for the
/// others; every other subscriber gets every update without either. Test probes play the workers and subscribers;
/// every message is serialized, as if remote.
/// </summary>
public sealed class UpdateWeightsTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly ParameterLayout _layout;

    public UpdateWeightsTests() : base(TestSpecs.Cluster(serializeEverything: true))
    {
        EmbeddedCluster.JoinSelf(Sys, CancellationToken.None).Wait(Wait);
        using var model = TestSpecs.BuildModel(TestSpecs.Spec());
        _layout = ParameterLayout.Of(model);
    }

    private WorkerUpdate Update(string worker, long version, float[]? inputs = null) =>
        new("test-run", version, worker, 8, 0.7, UpdateKind.Gradient,
            TensorSet.FromLayout(_layout, Enumerable.Range(0, _layout.TotalLength).Select(i => 0.01f * (i % 7 - 3)).ToArray()), [1, 2], Inputs: inputs);

    private IActorRef Start(RunSpec spec, params (TestProbe Probe, string Id)[] workers)
    {
        var server = Sys.ActorOf(ParameterServerActor.Props(TestSpecs.Setup(spec, steps: 100) with { MinWorkers = workers.Length }));
        foreach (var (probe, id) in workers)
        {
            probe.Send(server, new RegisterWorker(id, "cpu"));
            probe.ExpectMsg<Welcome>(Wait);
        }
        return server;
    }

    /// <param name="demand">With weights: the updates it asks for at once.</param>
    private TestProbe Subscribe(IActorRef server, bool withWeights, int demand = 0)
    {
        var subscriber = CreateTestProbe();
        subscriber.Send(server, new SubscribeUpdates("test-run", withWeights));
        subscriber.ExpectMsg<UpdatesSubscribed>(Wait);
        if (demand > 0) subscriber.Send(server, new UpdateDemand("test-run", demand));
        return subscriber;
    }

    [Fact]
    public void Sync_SubscriberAskingForSomeTensors_GetsOnlyThoseValues_OthersTheWholeUpdate()
    {
        var worker = CreateTestProbe();
        var server = Start(TestSpecs.Spec(globalBatch: 8), (worker, "w0"));
        var plain = Subscribe(server, withWeights: false);
        var projection = CreateTestProbe();
        projection.Send(server, new SubscribeUpdates("test-run", Tensors: ["projection.weight", "projection.bias", "no.such"]));
        projection.ExpectMsg<UpdatesSubscribed>(Wait);
        worker.Send(server, new WorkerReady("test-run", "w0"));
        worker.ExpectMsg<StepOrder>(Wait);
        var sent = Update("w0", 0, inputs: [1f]);
        worker.Send(server, sent);

        var whole = plain.ExpectMsg<WorkerUpdate>(Wait);
        Assert.Equal(sent.Tensors.Values, whole.Tensors.Values);
        var part = projection.ExpectMsg<WorkerUpdate>(Wait);
        Assert.Equal(["projection.weight", "projection.bias"], part.Tensors.Names); // in the update's order; unknown names left out
        var weight = _layout["projection.weight"];
        var bias = _layout["projection.bias"];
        Assert.Equal(sent.Tensors.Values.AsSpan(weight.Offset, weight.Length).ToArray().Concat(sent.Tensors.Values.AsSpan(bias.Offset, bias.Length).ToArray()),
            part.Tensors.Values);
        Assert.Equal([weight.Shape, bias.Shape], part.Tensors.Shapes);
        Assert.Equal(new long[] { 1, 2 }, part.Labels);
        Assert.Null(part.Inputs);
        Assert.Null(part.Weights);
    }

    [Fact]
    public void Sync_WeightsSubscriber_GetsTheWeightsOfTheOrder_AndTheInputs_PlainSubscriberNeither()
    {
        var worker = CreateTestProbe();
        var server = Start(TestSpecs.Spec(globalBatch: 8), (worker, "w0"));
        var (plain, weighted) = (Subscribe(server, withWeights: false), Subscribe(server, withWeights: true, demand: 2));
        worker.Send(server, new WorkerReady("test-run", "w0"));
        var inputs = new[] { 0.5f, -1.25f, 2f };

        foreach (var version in new long[] { 0, 1 })
        {
            var order = worker.ExpectMsg<StepOrder>(Wait);
            Assert.Equal(version, order.Version);
            worker.Send(server, Update("w0", version, inputs));

            var withWeights = weighted.ExpectMsg<WorkerUpdate>(Wait);
            Assert.Equal(version, withWeights.Version);
            Assert.Equal(order.Weights.Values, withWeights.Weights); // bit for bit: the weights of the version the worker computed on
            Assert.Equal(inputs, withWeights.Inputs);
            Assert.Equal(new long[] { 1, 2 }, withWeights.Labels);
            var without = plain.ExpectMsg<WorkerUpdate>(Wait);
            Assert.Null(without.Weights);
            Assert.Null(without.Inputs); // evaluation data never reaches an attack-facing subscriber
            Assert.Equal(new long[] { 1, 2 }, without.Labels);
        }

        // Its two updates taken, the weights subscriber is told of the third instead; the plain one gets it as ever.
        Assert.Equal(2, worker.ExpectMsg<StepOrder>(Wait).Version);
        worker.Send(server, Update("w0", 2, inputs));
        Assert.Equal(new UpdateWithheld("test-run", 2, "w0"), weighted.ExpectMsg<UpdateWithheld>(Wait));
        Assert.Equal(2, plain.ExpectMsg<WorkerUpdate>(Wait).Version);
        weighted.Send(server, new UpdateDemand("test-run", 1));
        Assert.Equal(3, worker.ExpectMsg<StepOrder>(Wait).Version);
        worker.Send(server, Update("w0", 3, inputs));
        Assert.NotNull(weighted.ExpectMsg<WorkerUpdate>(Wait).Weights);
    }

    [Fact]
    public void Async_UpdateOfASupersededVersion_ComesWithThatVersionsWeights_WithinTheStalenessBound()
    {
        var (fast, slow) = (CreateTestProbe(), CreateTestProbe());
        var server = Start(TestSpecs.Spec("async", globalBatch: 8), (fast, "fast"), (slow, "slow")); // max-staleness 2
        var weighted = Subscribe(server, withWeights: true, demand: 4);
        fast.Send(server, new WorkerReady("test-run", "fast"));
        slow.Send(server, new WorkerReady("test-run", "slow"));
        var orders = new Dictionary<long, float[]> { [0] = fast.ExpectMsg<StepOrder>(Wait).Weights.Values };
        Assert.Equal(0, slow.ExpectMsg<StepOrder>(Wait).Version);

        // The fast worker moves the weights to version 2 while the slow one still computes on version 0.
        for (var v = 0; v < 2; v++)
        {
            fast.Send(server, Update("fast", v));
            Assert.Equal(v, weighted.ExpectMsg<WorkerUpdate>(Wait).Version);
            var next = fast.ExpectMsg<StepOrder>(Wait);
            orders[next.Version] = next.Weights.Values;
        }
        Assert.NotEqual(orders[0], orders[2]);
        slow.Send(server, Update("slow", 0)); // lag 2: accepted

        var stale = weighted.ExpectMsg<WorkerUpdate>(Wait);
        Assert.Equal(("slow", 0L), (stale.WorkerId, stale.Version));
        Assert.Equal(orders[0], stale.Weights);

        fast.Send(server, Update("fast", 2));
        Assert.Equal(orders[2], weighted.ExpectMsg<WorkerUpdate>(Wait).Weights);
    }
}

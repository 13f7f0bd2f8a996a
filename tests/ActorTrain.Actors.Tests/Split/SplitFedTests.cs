using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Split;
using ActorTrain.Actors.Workers;
using ActorTrain.Tensors.Split;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.Split;

/// <summary>SplitFed: the split server averaging two clients' segments, and a real client taking the average.</summary>
public sealed class SplitFedTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const int SegmentLength = 16 * 32 + 32; // TestSpecs' MLP up to act1: hidden1.weight (32 × 16) and hidden1.bias

    public SplitFedTests() : base(TestSpecs.Cluster())
    {
    }

    private static RunSpec Spec(int averageEvery, TimeSpan timeout) =>
        TestSpecs.Spec(globalBatch: 8) with { Split = new SplitSpec("act1", AverageEvery: averageEvery, AverageTimeout: timeout) };

    /// <summary>Two probes register and become ready as clients "a" and "b"; both get SplitStart.</summary>
    private (TestProbe A, TestProbe B, IActorRef Server) StartServer(RunSpec spec)
    {
        var server = Sys.ActorOf(SplitServerActor.Props(TestSpecs.Setup(spec, steps: 1000) with { MinWorkers = 2 }));
        var probes = new[] { CreateTestProbe(), CreateTestProbe() };
        foreach (var (probe, id) in probes.Zip(["a", "b"]))
        {
            probe.Send(server, new RegisterWorker(id, "cpu"));
            probe.ExpectMsg<Welcome>(Wait);
            probe.Send(server, new WorkerReady(spec.RunId, id));
        }
        foreach (var probe in probes) Assert.Equal(["a", "b"], probe.ExpectMsg<SplitStart>(Wait).Members);
        return (probes[0], probes[1], server);
    }

    /// <summary>One client batch of 4 samples at the cut (32 activations each), answered with ∂L/∂Z.</summary>
    private static void Step(TestProbe client, string id, IActorRef server, RunSpec spec, long step)
    {
        var activations = Enumerable.Range(0, 4 * 32).Select(i => (float)Math.Sin(i + step)).ToArray();
        client.Send(server, new SplitTensors(spec.RunId, id, step, SplitPayload.Activations, new TensorSet(["activations"], [[4, 32]], activations), [1, 2, 3, 4]));
        Assert.Equal(SplitPayload.ActivationGradient, client.ExpectMsg<SplitTensors>(Wait).Kind);
    }

    private static float[] Segment(int seed) => Enumerable.Range(0, SegmentLength).Select(i => (float)((i * 7 + seed) % 13 - 6) * 0.1f).ToArray();

    private static SegmentWeights Report(RunSpec spec, string id, long round, long samples, float[] weights) =>
        new(spec.RunId, id, round, SegmentWeightsKind.Report, samples, new TensorSet(["hidden1.weight", "hidden1.bias"], [[32, 16], [32]], weights));

    [Fact]
    public void Round_TwoClients_BothGetTheSampleWeightedMeanOfWhatTheySent()
    {
        var spec = Spec(averageEvery: 2, TimeSpan.FromSeconds(20));
        var (a, b, server) = StartServer(spec);
        Step(a, "a", server, spec, 0);
        Step(b, "b", server, spec, 0); // the second server step: round 1 starts

        Assert.Equal(1, a.ExpectMsg<SplitFedCollect>(Wait).Round);
        Assert.Equal(1, b.ExpectMsg<SplitFedCollect>(Wait).Round);
        float[] fromA = Segment(1), fromB = Segment(5);
        a.Send(server, Report(spec, "a", 1, samples: 12, fromA));
        b.Send(server, Report(spec, "b", 1, samples: 4, fromB));

        var averageA = a.ExpectMsg<SegmentWeights>(Wait);
        var averageB = b.ExpectMsg<SegmentWeights>(Wait);
        Assert.Equal((SegmentWeightsKind.Average, 1L), (averageA.Kind, averageA.Round));
        Assert.Equal(averageA.Weights.Values, averageB.Weights.Values); // both clients continue from the same segment
        Assert.Equal(["hidden1.weight", "hidden1.bias"], averageA.Weights.Names);
        for (var i = 0; i < SegmentLength; i++)
            Assert.Equal((12.0 * fromA[i] + 4.0 * fromB[i]) / 16, averageA.Weights.Values[i], 1e-6); // fp32 weights 0.75, 0.25
    }

    [Fact]
    public void Round_ASilentClient_IsLeftOutAfterTheTimeout_AndStillGetsTheAverage()
    {
        var spec = Spec(averageEvery: 1, TimeSpan.FromSeconds(1));
        var (a, b, server) = StartServer(spec);
        Step(a, "a", server, spec, 0);
        a.ExpectMsg<SplitFedCollect>(Wait);
        b.ExpectMsg<SplitFedCollect>(Wait); // b never answers
        var fromA = Segment(3);

        a.Send(server, Report(spec, "a", 1, samples: 4, fromA));

        Assert.Equal(fromA, a.ExpectMsg<SegmentWeights>(Wait).Weights.Values); // the mean of one segment is that segment
        Assert.Equal(fromA, b.ExpectMsg<SegmentWeights>(Wait).Weights.Values);
        Step(a, "a", server, spec, 1); // training goes on: the next step is answered and starts round 2
        Assert.Equal(2, a.ExpectMsg<SplitFedCollect>(Wait).Round);
    }

    /// <summary>A real client, with this test as its split server.</summary>
    private IActorRef StartClient(RunSpec spec, long round)
    {
        var worker = Sys.ActorOf(WorkerActor.Props(new WorkerSettings("w0", "cpu", "unused", TimeSpan.FromSeconds(1)), TestActor));
        ExpectMsg<RegisterWorker>(Wait);
        IgnoreMessages<RegisterWorker>(); // it registers every second until SplitStart; a slow Welcome may see a second one
        worker.Tell(new Welcome(spec), TestActor);
        ExpectMsg<WorkerReady>(Wait);
        worker.Tell(new SplitStart(spec.RunId, ["w0"], 8, round), TestActor);
        return worker;
    }

    private void Answer(IActorRef worker, RunSpec spec, SplitTensors activations) =>
        worker.Tell(new SplitTensors(spec.RunId, "w0", activations.Step, SplitPayload.ActivationGradient,
            activations.Tensors with { Values = new float[activations.Tensors.Values.Length] }), TestActor);

    [Fact]
    public void Client_ReplacesItsSegmentWithTheAverage_AndReportsItBackUnchanged()
    {
        var spec = Spec(averageEvery: 1, TimeSpan.FromSeconds(5));
        var worker = StartClient(spec, round: 0);
        var first = ExpectMsg<SplitTensors>(Wait);
        worker.Tell(new SplitFedCollect(spec.RunId, 1), TestActor); // while its batch is in flight
        Answer(worker, spec, first);

        var report = ExpectMsg<SegmentWeights>(Wait); // after the batch, not a second batch
        Assert.Equal((SegmentWeightsKind.Report, 1L, 8L), (report.Kind, report.Round, report.Samples));
        var average = Segment(9);
        worker.Tell(new SegmentWeights(spec.RunId, "", 1, SegmentWeightsKind.Average, 0, report.Weights with { Values = average }), TestActor);
        var second = ExpectMsg<SplitTensors>(Wait); // it goes on once it holds the average
        worker.Tell(new SplitFedCollect(spec.RunId, 2), TestActor);
        Answer(worker, spec, second); // a zero gradient: with plain SGD (momentum 0) the segment stays the average

        var readBack = ExpectMsg<SegmentWeights>(Wait);
        Assert.Equal(2, readBack.Round);
        Assert.Equal(8, readBack.Samples); // one batch since the average
        Assert.Equal(average, readBack.Weights.Values);
        worker.Tell(new RunFinished(spec.RunId, 2), TestActor);
    }

    [Fact]
    public void Client_JoiningAfterARound_TakesTheAverageBeforeItsFirstBatch()
    {
        var spec = Spec(averageEvery: 1, TimeSpan.FromSeconds(5));
        var worker = StartClient(spec, round: 3); // SplitStart says round 3 was averaged: it must wait for that average
        var zeros = new float[SegmentLength];

        worker.Tell(new SegmentWeights(spec.RunId, "", 3, SegmentWeightsKind.Average, 0,
            new TensorSet(["hidden1.weight", "hidden1.bias"], [[32, 16], [32]], zeros)), TestActor);

        // With an all-zero segment, ReLU(0·x + 0) = 0: had it stepped with its initial weights, Z would not be all zero.
        var first = ExpectMsg<SplitTensors>(Wait);
        Assert.Equal(SplitPayload.Activations, first.Kind);
        Assert.All(first.Tensors.Values, z => Assert.Equal(0f, z));
        worker.Tell(new RunFinished(spec.RunId, 0), TestActor);
    }
}

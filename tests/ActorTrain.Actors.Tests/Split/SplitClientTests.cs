using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Workers;
using ActorTrain.Tensors.Split;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using static TorchSharp.torch;

namespace ActorTrain.Actors.Tests.Split;

/// <summary>A worker in a split run, with this test as its split server: what reaches the server, and what does not.</summary>
public sealed class SplitClientTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public SplitClientTests() : base(TestSpecs.Cluster())
    {
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)] // NoPeek on: the defense actor sits between the client and the server
    public void Client_SendsActivationsAndLabels_NeverItsInputs(double alpha)
    {
        var spec = TestSpecs.Spec(globalBatch: 8) with { Split = new SplitSpec("act1", alpha) };
        using var data = TestSpecs.Data.Generate();
        using var server = new SplitServer(TestSpecs.BuildModel(spec), "act1", [TestSpecs.Data.InputSize], new SgdOptimizer(0.1, 0));
        var inputs = data.Train.Inputs.data<float>().ToArray();
        var rows = Enumerable.Range(0, data.Train.Count).Select(i => inputs.AsSpan(i * 16, 16).ToArray()).ToArray();
        var worker = Sys.ActorOf(WorkerActor.Props(new WorkerSettings("w0", "cpu", "unused", TimeSpan.FromSeconds(1)), TestActor));

        ExpectMsg<RegisterWorker>(Wait);
        IgnoreMessages<RegisterWorker>(); // it registers every second until SplitStart; a slow Welcome may see a second one
        worker.Tell(new Welcome(spec), TestActor);
        ExpectMsg<WorkerReady>(Wait);
        worker.Tell(new SplitStart(spec.RunId, ["w0"], 8), TestActor);
        var received = new List<object>();
        for (var step = 0; step < 5; step++)
        {
            var activations = ExpectMsg<SplitTensors>(Wait);
            received.Add(activations);
            Assert.Equal(SplitPayload.Activations, activations.Kind);
            Assert.Equal(["activations"], activations.Tensors.Names);
            Assert.Equal([8L, 32], activations.Tensors.Shapes[0]); // the hidden layer's 32 values per sample, not the 16 inputs
            Assert.Equal(8, activations.Labels!.Length);
            var answer = server.Step(activations.Tensors.Values, activations.Labels);
            worker.Tell(new SplitTensors(spec.RunId, "w0", activations.Step, SplitPayload.ActivationGradient,
                activations.Tensors with { Values = answer.ActivationGradient }, Loss: answer.Loss), TestActor);
        }
        ExpectMsg<SplitTensors>(Wait); // the sixth batch: the client goes on by itself
        worker.Tell(new RunFinished(spec.RunId, 5), TestActor);

        foreach (var message in received.Cast<SplitTensors>())
            for (var i = 0; i < 8; i++)
            {
                var prefix = message.Tensors.Values.AsSpan(i * 32, 16).ToArray();
                Assert.DoesNotContain(rows, row => prefix.SequenceEqual(row)); // no input row travels, not even as a prefix
            }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Client_RecordingInputs_SendsThemToTheTapThatAskedNeverToTheServer(bool recordInputs)
    {
        var spec = TestSpecs.Spec(globalBatch: 8) with { Split = new SplitSpec("act1"), RecordInputs = recordInputs };
        using var data = TestSpecs.Data.Generate();
        using var server = new SplitServer(TestSpecs.BuildModel(spec), "act1", [TestSpecs.Data.InputSize], new SgdOptimizer(0.1, 0));
        var inputs = data.Train.Inputs.data<float>().ToArray();
        var rows = Enumerable.Range(0, data.Train.Count).Select(i => inputs.AsSpan(i * 16, 16).ToArray()).ToArray();
        var tap = CreateTestProbe();
        var worker = Sys.ActorOf(WorkerActor.Props(new WorkerSettings("w0", "cpu", "unused", TimeSpan.FromSeconds(1)), TestActor));
        ExpectMsg<RegisterWorker>(Wait);
        IgnoreMessages<RegisterWorker>(); // it registers every second until SplitStart; a slow Welcome may see a second one
        worker.Tell(new Welcome(spec), TestActor);
        ExpectMsg<WorkerReady>(Wait);

        worker.Tell(new SubscribeInputs(spec.RunId), tap.Ref); // as the inversion tap asks on its topic
        worker.Tell(new SplitStart(spec.RunId, ["w0"], 8), TestActor);
        for (var step = 0; step < 3; step++)
        {
            var activations = ExpectMsg<SplitTensors>(Wait); // the server gets activations only
            Assert.Equal(SplitPayload.Activations, activations.Kind);
            for (var i = 0; i < 8; i++)
                Assert.DoesNotContain(rows, row => activations.Tensors.Values.AsSpan(i * 32, 16).SequenceEqual(row));
            if (recordInputs)
            {
                var recorded = tap.ExpectMsg<SplitTensors>(Wait);
                Assert.Equal((SplitPayload.Inputs, activations.Step, "w0"), (recorded.Kind, recorded.Step, recorded.WorkerId));
                Assert.Equal([8L, 16], recorded.Tensors.Shapes[0]);
                for (var i = 0; i < 8; i++) // the batch's true input rows, exactly
                    Assert.Contains(rows, row => recorded.Tensors.Values.AsSpan(i * 16, 16).SequenceEqual(row));
            }
            var answer = server.Step(activations.Tensors.Values, activations.Labels!);
            worker.Tell(new SplitTensors(spec.RunId, "w0", activations.Step, SplitPayload.ActivationGradient,
                activations.Tensors with { Values = answer.ActivationGradient }, Loss: answer.Loss), TestActor);
        }
        ExpectMsg<SplitTensors>(Wait);
        worker.Tell(new RunFinished(spec.RunId, 3), TestActor);

        if (!recordInputs) tap.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // without --record-inputs nothing goes to the tap
    }

    [Fact]
    public void EvaluationRequest_IsAnsweredWithTheClientSegmentsWeights()
    {
        var spec = TestSpecs.Spec() with { Split = new SplitSpec("act1") };
        var worker = Sys.ActorOf(WorkerActor.Props(new WorkerSettings("w0", "cpu", "unused", TimeSpan.FromSeconds(1)), TestActor));
        ExpectMsg<RegisterWorker>(Wait);
        IgnoreMessages<RegisterWorker>(); // it registers every second until SplitStart; a slow Welcome may see a second one
        worker.Tell(new Welcome(spec), TestActor);
        ExpectMsg<WorkerReady>(Wait);

        worker.Tell(new SplitEvaluate(spec.RunId), TestActor);

        var weights = ExpectMsg<SplitTensors>(Wait);
        Assert.Equal(SplitPayload.ClientWeights, weights.Kind);
        Assert.Equal(["hidden1.weight", "hidden1.bias"], weights.Tensors.Names); // the client segment only
        Assert.Equal(16 * 32 + 32, weights.Tensors.Values.Length);
    }
}

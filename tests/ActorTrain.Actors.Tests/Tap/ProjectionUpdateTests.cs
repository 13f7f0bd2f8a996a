using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Recording;
using ActorTrain.Actors.Tap;

namespace ActorTrain.Actors.Tests.Tap;

public sealed class ProjectionUpdateTests
{
    private static readonly string[] Names = ["hidden1.weight", "projection.weight", "projection.bias"];
    private static readonly long[][] Shapes = [[2], [3, 2], [3]];

    // hidden1.weight = [9, 9]; projection.weight = [[1, 2], [3, 4], [5, 6]]; projection.bias = [0.5, -1, 0.5]
    private static readonly float[] Values = [9, 9, 1, 2, 3, 4, 5, 6, 0.5f, -1, 0.5f];

    [Fact]
    public void From_Gradient_TakesTheProjectionWeightAndBiasAsTheyAre()
    {
        var update = new WorkerUpdate("r", 3, "w0", 8, 1.0, UpdateKind.Gradient, new TensorSet(Names, Shapes, Values));

        var projection = ProjectionUpdate.From(update, TestSpecs.Spec(), "projection");

        Assert.Equal((3, 2, 8, 3L, "w0"), (projection.Classes, projection.Features, projection.Samples, projection.Version, projection.WorkerId));
        Assert.Equal([1f, 2, 3, 4, 5, 6], projection.Weight);
        Assert.Equal([0.5f, -1, 0.5f], projection.Bias!);
        Assert.False(projection.FromDelta);
    }

    [Fact]
    public void From_LocalSgdDelta_FlipsTheSignAndRescalesTheBiasToAMeanGradient()
    {
        // Plain SGD, lr 0.5, 4 local steps: a constant gradient g moves the weights by −0.5·4·g.
        var spec = TestSpecs.Spec(mode: "local-sgd", lr: 0.5, momentum: 0, localSteps: 4);
        var delta = Values.Select(v => -2f * v).ToArray();
        var update = new WorkerUpdate("r", 1, "w0", 32, 1.0, UpdateKind.WeightDelta, new TensorSet(Names, Shapes, delta));

        var projection = ProjectionUpdate.From(update, spec, "projection");

        Assert.Equal([2f, 4, 6, 8, 10, 12], projection.Weight); // sign restored; the set does not depend on the scale
        Assert.Equal([0.5f, -1, 0.5f], projection.Bias!); // the mean gradient itself
        Assert.True(projection.FromDelta);
    }

    [Theory]
    [InlineData(0.0, 4, 4.0)]
    [InlineData(0.5, 1, 1.0)]
    [InlineData(0.5, 2, 2.5)] // 1 + (1 + 0.5)
    [InlineData(0.9, 3, 1 + 1.9 + 2.71)]
    public void MomentumSteps_IsTheHeavyBallMultiplierOfAConstantGradient(double momentum, int steps, double expected) =>
        Assert.Equal(expected, ProjectionUpdate.MomentumSteps(momentum, steps), 12);

    [Fact]
    public void From_RecordingWithoutTheProjection_SaysToCaptureIt()
    {
        var captured = new UpdateCaptured("r", 1, "w0", 8, 1, ["hidden1.weight"], [[2]], false, new byte[8]);

        var error = Assert.Throws<ArgumentException>(() => ProjectionUpdate.From(captured, TestSpecs.Spec(), "projection"));

        Assert.Contains("--capture projection", error.Message);
    }

    [Fact]
    public void From_RecordedHalfPrecision_WidensToFloat()
    {
        var payload = new byte[2 * 9];
        var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(payload.AsSpan());
        for (var i = 0; i < 9; i++) halves[i] = (Half)Values[i + 2];
        var captured = new UpdateCaptured("r", 1, "w0", 8, 1, Names[1..], Shapes[1..], true, payload);

        var projection = ProjectionUpdate.From(captured, TestSpecs.Spec(), "projection");

        Assert.Equal([1f, 2, 3, 4, 5, 6], projection.Weight);
        Assert.Equal([0.5f, -1, 0.5f], projection.Bias!);
    }
}

using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Tests.Training;

namespace ActorTrain.Tensors.Tests.Attacks;

[Collection(GarbageCollectionPressure.Name)]
public sealed class GradientInversionGarbageCollectionTests
{
    /// <summary>
    /// The inversion loop under constant garbage collection, as ScalarLifetimeTests does for the optimizers: a Scalar
    /// made implicitly (TorchSharp's square() is pow(2)) was freed during the native call in a bench run. Can only
    /// fail, never prove.
    /// </summary>
    [Fact]
    public async Task Invert_UnderConstantGarbageCollection_NeverReadsAFreedScalar()
    {
        using var model = new ModelSpec("cnn", GradientInversionTests.Shape, 4, [16]).Build(seed: 26);
        using var truth = GradientInversionTests.Images(2, seed: 27);
        var target = GradientInversionTests.Gradient(model, truth, [1, 3]);
        var options = new GradientInversionOptions { Iterations = 400, Patience = 400, InputBounds = (0, 1), Seed = 28 };
        await ConstantGarbageCollection.During(() =>
        {
            using var unknown = GradientInversion.Invert(model, target, 2, GradientInversionTests.Shape, null, options);
            using var known = GradientInversion.Invert(model, target, 2, GradientInversionTests.Shape, [1, 3], options with { Distance = GradientDistance.L2 });
            Assert.True(double.IsFinite(unknown.Distance) && double.IsFinite(known.Distance));
        });
    }
}

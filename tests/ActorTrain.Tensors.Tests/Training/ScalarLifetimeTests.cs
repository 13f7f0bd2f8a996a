using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Training;

/// <summary>
/// TorchSharp's Scalar frees its native value in a finalizer, and a Scalar made implicitly from a double for one call
/// is unreachable as soon as its handle is read: a garbage collection during the native call can free it while libtorch
/// reads it ("Expected false to be true" from c10::Scalar::toFloat; seen as a parameter server restart under load).
/// The optimizers make their Scalars explicitly and hold them until the step ends (a DisposeScope did not help: a
/// soak run still failed in SGD's mul_). This test steps them as the parameter server does while another thread
/// collects garbage and runs finalizers without pause. It can only fail, never prove: the race needs a collection
/// inside a native call; before the fix it failed in one of two runs (Adam, 5,000 steps).
/// </summary>
[Collection(GarbageCollectionPressure.Name)]
public sealed class ScalarLifetimeTests
{
    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public async Task OptimizerSteps_UnderConstantGarbageCollection_NeverReadAFreedScalar(string kind)
    {
        IGradientOptimizer optimizer = kind == "sgd" ? new SgdOptimizer(0.01, momentum: 0.9, weightDecay: 1e-4) : new AdamOptimizer(0.001, WeightDecay: 1e-4);
        using var parameter = ones(200_000);
        var parameters = new[] { ("p", parameter) };
        await ConstantGarbageCollection.During(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                using var gradient = full(200_000, 0.001f);
                optimizer.Step(parameters, new Dictionary<string, Tensor> { ["p"] = gradient });
            }
        });
        Assert.All(parameter.data<float>().ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}

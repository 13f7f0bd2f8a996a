using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Training;

public sealed class GradientStepTests
{
    [Fact]
    public void Compute_LinearModel_MatchesSoftmaxCrossEntropyFormula()
    {
        // For logits = xWᵀ + b and mean cross-entropy: ∂L/∂W = (softmax(logits) − onehot(y))ᵀ x / N, ∂L/∂b = column mean.
        using var model = new LayeredModel("linear", [("projection", nn.Linear(6, 4))], "projection", []);
        var x = randn(5, 6, dtype: ScalarType.Float64).to_type(ScalarType.Float32);
        var y = tensor(new long[] { 0, 3, 1, 1, 2 });

        using var result = GradientStep.Compute(model, x, y);

        var w = model.named_parameters().Single(p => p.name == "projection.weight").parameter.detach();
        var b = model.named_parameters().Single(p => p.name == "projection.bias").parameter.detach();
        var xd = x.to_type(ScalarType.Float64);
        var probabilities = (xd.matmul(w.to_type(ScalarType.Float64).t()) + b.to_type(ScalarType.Float64)).softmax(1);
        var error = probabilities - nn.functional.one_hot(y, 4).to_type(ScalarType.Float64);
        var expectedW = error.t().matmul(xd) / 5;
        var expectedB = error.mean([0]);

        // fp32 forward/backward against a float64 formula: 1e-5 absolute.
        Assert.True(result.Gradients["projection.weight"].to_type(ScalarType.Float64).allclose(expectedW, rtol: 0, atol: 1e-5));
        Assert.True(result.Gradients["projection.bias"].to_type(ScalarType.Float64).allclose(expectedB, rtol: 0, atol: 1e-5));
        Assert.Equal(5, result.BatchSize);
        Assert.Null(model.parameters().First().grad);
    }

    [Fact]
    public void Compute_NaNInput_IsReportedNotPropagated()
    {
        using var model = new ModelSpec("mlp", [3], 2, [4]).Build(1);
        var x = tensor(new[] { 1f, float.NaN, 0f }).reshape(1, 3);
        var error = Assert.Throws<NonFiniteValueException>(() => GradientStep.Compute(model, x, tensor(new long[] { 1 })));
        Assert.Contains("--lr", error.Message);
    }
}

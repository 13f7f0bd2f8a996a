using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Tests.Training;
using ActorTrain.Tensors.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Attacks;

/// <summary>
/// Gradient inversion on tiny seeded models and generated 14 × 14 images (smooth blobs in [0, 1]), so the tests need no
/// download: the dummy gradient against the workers' own gradient code and a closed form, the objective's
/// second-order gradient against finite differences, and end-to-end recovery.
/// </summary>
public sealed class GradientInversionTests
{
    internal static readonly long[] Shape = [1, 14, 14];

    [Fact]
    public void DummyGradient_HardLabels_MatchesTheWorkersGradientStep()
    {
        using var model = new ModelSpec("cnn", Shape, 4, [16]).Build(seed: 3);
        using var inputs = Images(3, seed: 5);
        using var labels = tensor(new long[] { 2, 0, 2 });
        using var worker = GradientStep.Compute(model, inputs, labels); // .backward(), as a worker computes its update

        var parameters = model.parameters().Select(p => (Tensor)p).ToArray();
        var names = model.named_parameters().Select(p => p.name).ToArray();
        var dummy = GradientInversion.DummyGradient(model, parameters, inputs, labels, null, createGraph: false);

        for (var i = 0; i < names.Length; i++)
            Assert.True(dummy[i].allclose(worker.Gradients[names[i]], rtol: 1e-5, atol: 1e-7), $"{names[i]} differs");
    }

    [Fact]
    public void DummyGradient_SoftLabels_MatchesTheClosedFormOfALinearLayer()
    {
        // One linear layer z = W x + b: ∇W = (1/N) Σ_i (softmax(z_i) − p_i) x_iᵀ, ∇b = (1/N) Σ_i (softmax(z_i) − p_i),
        // with p_i = softmax(ỹ_i) the soft label.
        using var model = new ModelSpec("mlp", Shape, 5, []).Build(seed: 4);
        using var inputs = Images(4, seed: 6);
        using var labelLogits = randn([4, 5], generator: new Generator(7));
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

        var dummy = GradientInversion.DummyGradient(model, [parameters["projection.weight"], parameters["projection.bias"]],
            inputs, null, labelLogits, createGraph: false);

        using var x = inputs.reshape(4, -1);
        using var residual = (x.matmul(parameters["projection.weight"].T) + parameters["projection.bias"]).softmax(1) - labelLogits.softmax(1);
        Assert.True(dummy[0].allclose(residual.T.matmul(x) / 4, rtol: 1e-5, atol: 1e-7), "weight gradient differs from the closed form");
        Assert.True(dummy[1].allclose(residual.mean([0]), rtol: 1e-5, atol: 1e-7), "bias gradient differs from the closed form");
    }

    [Theory]
    [InlineData(GradientDistance.Cosine, true)]
    [InlineData(GradientDistance.L2, false)]
    public void Objective_SecondOrderGradient_MatchesCentralDifferences(GradientDistance kind, bool softLabels)
    {
        // float64 throughout; ReLU kinks are measure-zero, and a step of 1e-6 crosses none at these seeded points.
        using var model = new ModelSpec("mlp", Shape, 4, [8]).Build(seed: 8);
        model.to(ScalarType.Float64);
        var parameters = model.parameters().Select(p => (Tensor)p).ToArray();
        using var truth = Images(2, seed: 9).to_type(ScalarType.Float64);
        using var trueLabels = tensor(new long[] { 1, 3 });
        var targets = GradientInversion.DummyGradient(model, parameters, truth, trueLabels, null, createGraph: false);
        using var start = randn([2, .. Shape], ScalarType.Float64, generator: new Generator(10));
        using var logits = softLabels ? randn([2, 4], ScalarType.Float64, generator: new Generator(11)) : null;
        var labels = softLabels ? null : trueLabels;

        double Objective(Tensor x)
        {
            using var scope = NewDisposeScope();
            return GradientInversion.Distance(GradientInversion.DummyGradient(model, parameters, x, labels, logits, createGraph: true), targets, kind)
                .item<double>();
        }

        using var dummy = start.clone().requires_grad_();
        var objective = GradientInversion.Distance(GradientInversion.DummyGradient(model, parameters, dummy, labels, logits, createGraph: true), targets, kind);
        var analytic = autograd.grad([objective], [dummy])[0].reshape(-1);
        const double h = 1e-6;
        foreach (var index in new[] { 0, 17, 98, 150, 250, 391 })
        {
            using var plus = start.clone();
            using var minus = start.clone();
            plus.view(-1)[index] += h;
            minus.view(-1)[index] -= h;
            var numeric = (Objective(plus) - Objective(minus)) / (2 * h);
            Assert.Equal(numeric, analytic[index].item<double>(), 1e-6);
        }
    }

    [Fact]
    public void Invert_BatchOfOneWithTrueLabel_RecoversTheInputAbove30Db()
    {
        using var model = new ModelSpec("mlp", Shape, 4, [32]).Build(seed: 12);
        using var truth = Images(1, seed: 13);
        var target = Gradient(model, truth, [2]);
        var options = new GradientInversionOptions { Iterations = 400, InputBounds = (0, 1), Seed = 14 };

        using var result = GradientInversion.Invert(model, target, 1, Shape, [2], options);
        var score = GradientInversionScoring.Score(result.Inputs, truth, result.Labels, [2]);

        Assert.True(score.Image.Psnr > 30, $"PSNR {score.Image.Psnr:F1} dB ≤ 30 ({score}, distance {result.Distance:G3})");
        Assert.Equal(1.0, score.LabelAccuracy);
    }

    [Fact]
    public void Invert_ConvergedMatch_StopsByThePatienceRule()
    {
        using var model = new ModelSpec("mlp", Shape, 4, [32]).Build(seed: 12);
        using var truth = Images(1, seed: 13);
        var target = Gradient(model, truth, [2]);
        var options = new GradientInversionOptions { Iterations = 5000, Patience = 50, InputBounds = (0, 1), Seed = 14 };

        using var result = GradientInversion.Invert(model, target, 1, Shape, [2], options);

        Assert.Equal(1, result.StoppedEarly);
        Assert.True(result.Iterations < 5000, $"{result.Iterations} steps");
        Assert.True(result.Distance < 1e-4, $"distance {result.Distance:G3}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Invert_UnknownLabelBatchOfOne_FindsTheLabel(long label)
    {
        using var model = new ModelSpec("mlp", Shape, 4, [32]).Build(seed: 15);
        using var truth = Images(1, seed: 16 + label);
        var target = Gradient(model, truth, [label]);
        var options = new GradientInversionOptions { Iterations = 200, InputBounds = (0, 1), Seed = 17 };

        using var result = GradientInversion.Invert(model, target, 1, Shape, labels: null, options);

        Assert.Equal([label], result.Labels);
    }

    [Fact]
    public void RevealLabels_DistinctLabelsBelowTheWidth_GivesTheTrueMultiset()
    {
        using var model = new ModelSpec("mlp", Shape, 10, [32]).Build(seed: 18);
        using var truth = Images(4, seed: 19);
        var target = Gradient(model, truth, [7, 1, 4, 1]);

        Assert.Equal([1L, 1, 4, 7], GradientInversion.RevealLabels(model, target, 4));
    }

    [Fact]
    public void Invert_SameSeed_GivesTheSameReconstruction()
    {
        using var model = new ModelSpec("mlp", Shape, 4, [16]).Build(seed: 20);
        using var truth = Images(2, seed: 21);
        var target = Gradient(model, truth, [0, 1]);
        var options = new GradientInversionOptions { Iterations = 30, Restarts = 2, Seed = 22 };

        using var first = GradientInversion.Invert(model, target, 2, Shape, null, options);
        using var second = GradientInversion.Invert(model, target, 2, Shape, null, options);

        Assert.True(first.Inputs.eq(second.Inputs).all().item<bool>());
        Assert.Equal(first.Labels, second.Labels);
    }

    [Fact]
    public void Invert_TargetMissingAParameter_NamesIt()
    {
        using var model = new ModelSpec("mlp", Shape, 4, [16]).Build(seed: 23);
        using var truth = Images(1, seed: 24);
        var target = Gradient(model, truth, [0]);
        target.Remove("hidden1.bias");

        var error = Assert.Throws<ArgumentException>(() => GradientInversion.Invert(model, target, 1, Shape, [0]));
        Assert.Contains("hidden1.bias", error.Message);
    }

    [Fact]
    public void Score_ShuffledReconstructions_ArePairedBackExactly()
    {
        using var truth = Images(5, seed: 25);
        using var shuffled = truth.index_select(0, tensor(new long[] { 3, 0, 4, 1, 2 }));

        var score = GradientInversionScoring.Score(shuffled, truth, [1, 1, 2, 3, 4], [4, 1, 2, 2, 1]);

        Assert.Equal(0, score.Image.Mse);
        Assert.Equal(1, score.Image.Ssim, 1e-9);
        Assert.Equal(0.8, score.LabelAccuracy, 1e-12); // {1,1,2,4} of {1,1,2,2,4}
    }

    /// <summary>Smooth images in [0, 1]: a sum of three seeded Gaussian blobs per image, scaled to peak 1.</summary>
    internal static Tensor Images(int count, long seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var grid = arange(14, dtype: ScalarType.Float32);
        var (rows, columns) = (grid.reshape(14, 1), grid.reshape(1, 14));
        var images = zeros(count, 1, 14, 14);
        for (var i = 0; i < count; i++)
            for (var blob = 0; blob < 3; blob++)
            {
                var centre = rand([2], generator: generator) * 14;
                var width = 1.5 + rand([1], generator: generator) * 3;
                var bump = (-((rows - centre[0]).square() + (columns - centre[1]).square()) / (2 * width.square())).exp();
                images[i, 0] += bump;
            }
        return (images / images.amax([2, 3], keepdim: true)).MoveToOuterDisposeScope();
    }

    internal static Dictionary<string, Tensor> Gradient(LayeredModel model, Tensor inputs, long[] labels)
    {
        using var labelTensor = tensor(labels);
        return GradientStep.Compute(model, inputs, labelTensor).Gradients;
    }
}

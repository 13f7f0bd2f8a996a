using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Attacks;

/// <summary>
/// The inversion attacker on real Fashion-MNIST (Debian package dataset-fashion-mnist): the auxiliary set is the first
/// training images, the held-out set 500 training images far from them (50,000 on), so the two are disjoint.
/// </summary>
public sealed class InversionAttackTests : IClassFixture<InversionAttackTests.FashionImages>
{
    private readonly FashionImages _images;

    public InversionAttackTests(FashionImages images) => _images = images;

    [Fact]
    public void Train_InvertibleLinearMap_ReconstructsWithHighSsim()
    {
        // Z = X·Q with Q orthogonal (seeded): invertible, so the ideal decoder is linear; a linear decoder suffices.
        var (q, _) = linalg.qr(randn([784, 784], dtype: ScalarType.Float64, generator: new Generator(7)));
        using var map = q.to_type(ScalarType.Float32);
        var auxiliary = _images.Auxiliary[..4000];
        var options = new InversionOptions([], Epochs: 10, LearningRate: 5e-3, Seed: 3);

        using var decoder = InversionAttack.Train(auxiliary.reshape(4000, -1).matmul(map), auxiliary, options);
        var result = InversionAttack.Evaluate(decoder, _images.HeldOut.reshape(500, -1).matmul(map), _images.HeldOut);

        Assert.True(result.Score.Ssim > 0.8, $"SSIM {result.Score.Ssim:F3} ≤ 0.8 ({result.Score})");
        Assert.Equal(_images.HeldOut.shape, result.Reconstructions.shape);
        Assert.Equal(10 * Math.Log10(1 / result.Score.Mse), result.Score.Psnr, 1e-9);
    }

    [Fact]
    public void Train_NoiseActivations_ScoreNearTheMeanImageBaseline()
    {
        var auxiliary = _images.Auxiliary[..2000];
        var options = new InversionOptions([], Epochs: 5, LearningRate: 5e-3, Seed: 4);

        using var decoder = InversionAttack.Train(randn([2000, 64], generator: new Generator(5)), auxiliary, options);
        var result = InversionAttack.Evaluate(decoder, randn([500, 64], generator: new Generator(6)), _images.HeldOut);
        var baseline = InversionAttack.MeanImageBaseline(auxiliary, _images.HeldOut);

        Assert.True(Math.Abs(result.Score.Ssim - baseline.Ssim) < 0.04, $"noise SSIM {result.Score.Ssim:F3} vs mean image {baseline.Ssim:F3}");
        Assert.True(baseline.Ssim < 0.3, $"mean-image SSIM {baseline.Ssim:F3}");
    }

    [Fact]
    public void Train_SameSeed_GivesTheSameDecoder()
    {
        var auxiliary = _images.Auxiliary[..256];
        using var activations = auxiliary.reshape(256, -1)[.., ..100].mul(3);
        var options = new InversionOptions([32], Epochs: 2, Seed: 9);

        using var first = InversionAttack.Train(activations, auxiliary, options);
        using var second = InversionAttack.Train(activations, auxiliary, options);

        Assert.True(first.Reconstruct(activations).eq(second.Reconstruct(activations)).all().item<bool>());
    }

    [Fact]
    public void Train_NormalisedInputs_AreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => InversionAttack.Train(randn(8, 4), randn(8, 1, 28, 28), new InversionOptions()));
        Assert.Contains("[0, 1]", error.Message);
    }

    /// <summary>Fashion-MNIST training images in [0, 1], loaded once for the class.</summary>
    public sealed class FashionImages : IDisposable
    {
        public FashionImages()
        {
            using var train = FashionMnist.LoadSplit(FashionMnist.ResolveDirectory(null, null), "train");
            Auxiliary = FashionMnist.ToUnitRange(train.Inputs[..4000]);
            HeldOut = FashionMnist.ToUnitRange(train.Inputs[50_000..50_500]);
        }

        public Tensor Auxiliary { get; }

        public Tensor HeldOut { get; }

        public void Dispose()
        {
            Auxiliary.Dispose();
            HeldOut.Dispose();
        }
    }
}

using ActorTrain.Tensors.Attacks;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Attacks;

public sealed class ClassPointsTests
{
    /// <summary>
    /// The range finder (min(C, d) = 300 &gt; 256) against LAPACK's full SVD of the same matrix, computed here: singular
    /// values agree to 1e-9·σ₁ and the class points' Gram matrix Q Qᵀ = P_S Σ_S² P_Sᵀ (free of the singular
    /// vectors' signs) to 1e-9·σ₁². Seed 21, rank 30.
    /// </summary>
    [Fact]
    public void Compute_RangeFinder_MatchesFullSvd()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(21);
        var update = randn(300, 30, float64, generator: generator).matmul(randn(30, 400, float64, generator: generator));

        var points = ClassPoints.Compute(update, 30);

        var (u, s, _) = linalg.svd(update, fullMatrices: false);
        var sigma = s.data<double>().ToArray();
        for (var k = 0; k < 30; k++) Assert.Equal(sigma[k], points.SingularValues[k], 1e-9 * sigma[0]);
        var reference = u.narrow(1, 0, 30).mul(s.narrow(0, 0, 30));
        var mine = tensor(points.Points, [300, 30]);
        var difference = mine.matmul(mine.T).sub(reference.matmul(reference.T)).abs().max().item<double>();
        Assert.True(difference <= 1e-9 * sigma[0] * sigma[0], $"Gram difference {difference}");
        Assert.Equal(30, points.NumericalRank);
    }

    [Fact]
    public void Compute_NoSamples_GapRuleSkipsNoiseAboveTheThreshold()
    {
        // σ = 5, 4, 3, 2, 1 and then a floor of 1e-3 (above the rank threshold 40·2⁻²³·5 ≈ 2.4e-5): numerically full rank,
        // but the largest gap is after the fifth value.
        using var scope = NewDisposeScope();
        using var generator = new Generator(22);
        var (left, _) = linalg.qr(randn(60, 40, float64, generator: generator));
        var (right, _) = linalg.qr(randn(40, 40, float64, generator: generator));
        var sigma = Enumerable.Range(0, 40).Select(k => k < 5 ? 5.0 - k : 1e-3 * (1 + 0.01 * k)).ToArray();
        var update = left.mul(tensor(sigma)).matmul(right.T);

        var points = ClassPoints.Compute(update, samples: null);

        Assert.Equal(40, points.NumericalRank);
        Assert.Equal(RankRule.SpectrumGap, points.Rule);
        Assert.Equal(5, points.Rank);
        Assert.Equal(1.0 / (1e-3 * 1.39), points.Gap, 1e-6); // σ₆ is the largest floor value, k = 39
    }

    [Fact]
    public void Compute_SamplesAboveRank_AreCappedAndSaySo()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(23);
        var update = randn(50, 7, float64, generator: generator).matmul(randn(7, 20, float64, generator: generator));

        var points = ClassPoints.Compute(update, 12);

        Assert.Equal(7, points.Rank);
        Assert.Equal(RankRule.CallerCappedAtNumericalRank, points.Rule);
        Assert.Equal(50 * 7, points.Points.Length);
    }
}

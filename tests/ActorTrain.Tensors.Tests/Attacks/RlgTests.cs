using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Tensors.Tests.Attacks;

/// <summary>The attack end to end on synthetic updates whose labels are known (<see cref="SyntheticProjectionGradient"/>).</summary>
public sealed class RlgTests
{
    [Theory]
    [InlineData(1000, 256, 100, 1, 1)]
    [InlineData(1000, 256, 100, 1, 2)]
    [InlineData(1000, 2048, 100, 1, 3)]
    [InlineData(1000, 512, 20, 5, 4)] // 5 local steps: S = 100
    [InlineData(100, 256, 50, 1, 5)]
    [InlineData(50, 128, 10, 1, 6)]
    public void RevealLabels_FewerSamplesThanFeaturesAndClasses_RevealsExactlyTheLabels(int classes, int features, int batch, int steps, int seed)
    {
        var sample = new SyntheticProjectionGradient(classes, features, batch, steps, Seed: seed).Generate();

        var result = RlgAttack.RevealLabels(sample.Update, classes, features, MatrixOrientation.ClassesByFeatures, sample.Samples);

        Assert.Equal(sample.LabelSet, result.Labels); // precision = recall = 1
        Assert.Equal(sample.Samples, result.RankUsed);
        Assert.Equal(RankRule.Caller, result.RankRule);
        Assert.Equal(0, result.Stats!.LpFallbacks); // every class decided by a certificate
    }

    [Fact]
    public void RevealLabels_SamplesAtLeastFeatures_RecallCollapses()
    {
        // Documented failure (S = 100 ≥ d = 64): the update has rank d, the class points no longer separate. Measured recall: 0.
        var sample = new SyntheticProjectionGradient(1000, 64, 100, Seed: 11).Generate();

        var result = RlgAttack.RevealLabels(sample.Update, 1000, 64, MatrixOrientation.ClassesByFeatures, 100);

        Assert.Equal(RankRule.CallerCappedAtNumericalRank, result.RankRule);
        Assert.Equal(64, result.RankUsed);
        Assert.True(Recall(result, sample) < 0.1, $"recall {Recall(result, sample)}");
    }

    [Fact]
    public void RevealLabels_SamplesAtLeastClasses_PrecisionFalls()
    {
        // Documented failure (S = 128 ≥ C = 100): rank ≤ C − 1 and every point is separable. Measured precision 0.71–0.74.
        var sample = new SyntheticProjectionGradient(100, 512, 128, Seed: 12).Generate();

        var result = RlgAttack.RevealLabels(sample.Update, 100, 512, MatrixOrientation.ClassesByFeatures, 128);

        Assert.Equal(99, result.RankUsed);
        Assert.Equal(1.0, Recall(result, sample));
        Assert.True(Precision(result, sample) < 0.85, $"precision {Precision(result, sample)}");
    }

    [Fact]
    public void RevealLabels_NoSampleCount_SpectrumGapFindsIt()
    {
        var sample = new SyntheticProjectionGradient(1000, 256, 100, Seed: 13).Generate();

        var result = RlgAttack.RevealLabels(sample.Update, 1000, 256, MatrixOrientation.ClassesByFeatures);

        Assert.Equal(RankRule.SpectrumGap, result.RankRule);
        Assert.Equal(100, result.RankUsed);
        Assert.True(result.SpectrumGap > 1e4, $"gap {result.SpectrumGap}"); // float32 rounding sits ~1e-7 below σ₁
        Assert.Equal(sample.LabelSet, result.Labels);
    }

    [Fact]
    public void RevealLabels_FeaturesByClasses_SameLabelsAndCounts()
    {
        var sample = new SyntheticProjectionGradient(200, 96, 30, Seed: 14).Generate();
        var transposed = sample.TransposedUpdate();
        Assert.Equal(sample.Update[5 * 96 + 7], transposed[7 * 200 + 5]); // (class 5, feature 7)

        var rows = RlgAttack.RevealLabels(sample.Update, 200, 96, MatrixOrientation.ClassesByFeatures, 30, sample.BiasGradient);
        var columns = RlgAttack.RevealLabels(transposed, 96, 200, MatrixOrientation.FeaturesByClasses, 30, sample.BiasGradient);

        Assert.Equal(sample.LabelSet, columns.Labels);
        Assert.Equal(rows.Labels, columns.Labels);
        Assert.Equal(rows.Counts, columns.Counts);
    }

    [Fact]
    public void RevealLabels_DoubleInput_SameAsFloat()
    {
        var sample = new SyntheticProjectionGradient(80, 64, 20, Seed: 15).Generate();

        var single = RlgAttack.RevealLabels(sample.Update, 80, 64, MatrixOrientation.ClassesByFeatures, 20, sample.BiasGradient);
        var @double = RlgAttack.RevealLabels(sample.Update.Select(v => (double)v).ToArray(), 80, 64, MatrixOrientation.ClassesByFeatures, 20,
            sample.BiasGradient.Select(v => (double)v).ToArray());

        Assert.Equal(single.Labels, @double.Labels);
        Assert.Equal(single.Counts, @double.Counts);
    }

    [Fact]
    public void RevealLabels_LpMethods_ExactMatchesFastAndRestrictedOnlyAdds()
    {
        // S = 40 ≥ d = 32: a regime where some classes are close calls, so the restricted LP's missing constraints show.
        var sample = new SyntheticProjectionGradient(60, 32, 40, Seed: 16).Generate();
        RlgResult Run(RlgOptions options) => RlgAttack.RevealLabels(sample.Update, 60, 32, MatrixOrientation.ClassesByFeatures, 40, options: options);

        var fast = Run(RlgOptions.Default);
        var exact = Run(new RlgOptions { Method = RlgMethod.ExactLp });
        var restricted = Run(new RlgOptions { Method = RlgMethod.RestrictedLp, RestrictedConstraints = 5 });
        var restrictedAll = Run(new RlgOptions { Method = RlgMethod.RestrictedLp, RestrictedConstraints = 59 });

        Assert.Equal(exact.Labels, fast.Labels);
        Assert.Equal(exact.Labels, restrictedAll.Labels);
        Assert.Superset(exact.Labels.ToHashSet(), restricted.Labels.ToHashSet()); // fewer constraints: only false positives
        Assert.True(restricted.Labels.Count > exact.Labels.Count);
        Assert.Null(exact.Stats);
    }

    [Fact]
    public void RevealLabels_WithBias_CountsSumToSamplesAndCoverEveryLabel()
    {
        var sample = new SyntheticProjectionGradient(300, 128, 40, Seed: 17).Generate();

        var result = RlgAttack.RevealLabels(sample.Update, 300, 128, MatrixOrientation.ClassesByFeatures, 40, sample.BiasGradient);

        Assert.NotNull(result.Counts);
        Assert.Equal(result.Labels.Count, result.Counts.Count);
        Assert.Equal(40, result.Counts.Sum());
        Assert.All(result.Counts, n => Assert.True(n >= 1));
        Assert.Null(RlgAttack.RevealLabels(sample.Update, 300, 128, MatrixOrientation.ClassesByFeatures, 40).Counts);
    }

    [Fact]
    public void RevealLabels_OneThreadForTheSvd_RestoresTheCallersThreadCount()
    {
        var sample = new SyntheticProjectionGradient(30, 16, 5, Seed: 18).Generate();
        TorchSharp.torch.set_num_threads(2);

        RlgAttack.RevealLabels(sample.Update, 30, 16, MatrixOrientation.ClassesByFeatures, 5);

        Assert.Equal(2, TorchSharp.torch.get_num_threads());
    }

    private static double Recall(RlgResult result, ProjectionGradientSample sample) =>
        (double)result.Labels.Intersect(sample.LabelSet).Count() / sample.LabelSet.Length;

    private static double Precision(RlgResult result, ProjectionGradientSample sample) =>
        result.Labels.Count == 0 ? 1 : (double)result.Labels.Intersect(sample.LabelSet).Count() / result.Labels.Count;
}

using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Tensors.Tests.Attacks;

public sealed class LabelCountsTests
{
    [Fact]
    public void Expected_EqualSoftmaxMassOnRevealedClasses_IsExact()
    {
        // S = 3 samples over C = 4 classes, labels 0, 0, 2; softmax rows chosen so classes 0 and 2 hold equal mass (P = 1.1 each).
        double[][] p = [[0.5, 0.2, 0.2, 0.1], [0.3, 0.1, 0.5, 0.1], [0.3, 0.2, 0.4, 0.1]];
        int[] labels = [0, 0, 2];
        var bias = new double[4];
        for (var i = 0; i < 3; i++)
            for (var c = 0; c < 4; c++) bias[c] += (p[i][c] - (labels[i] == c ? 1 : 0)) / 3;

        var expected = LabelCounts.Expected([0, 2], bias, 3);

        Assert.Equal(2.0, expected[0], 12);
        Assert.Equal(1.0, expected[1], 12);
    }

    [Theory]
    [InlineData(new[] { 2.4, 0.2, 3.4 }, 6, new[] { 2, 1, 3 })]
    [InlineData(new[] { 0.1, 0.1, 5.8 }, 6, new[] { 1, 1, 4 })] // each label at least once
    [InlineData(new[] { 1.6, 1.6, 1.8 }, 4, new[] { 1, 1, 2 })] // sum 5 → 4: the cheapest units go
    [InlineData(new[] { 0.5, 0.4, 0.3 }, 2, new[] { 1, 1, 0 })] // more labels than samples: no minimum
    public void Round_KeepsTotalAndMinimum(double[] expected, int total, int[] counts) =>
        Assert.Equal(counts, LabelCounts.Round(expected, total));

    /// <summary>
    /// Count accuracy on untrained-like random models (logit scale 1; seeds 1–10 per size), the set being exact.
    /// Measured: every label's count exact in all 20 batches (label-level accuracy 1.000). Threshold 0.98 per label
    /// and 0.99 per sample (Σ min(n̂, n) / S).
    /// </summary>
    [Theory]
    [InlineData(1000, 256, 100)]
    [InlineData(100, 256, 50)]
    public void Estimate_UntrainedModel_CountsMostlyExact(int classes, int features, int batch)
    {
        var (labelAccuracy, sampleAccuracy) = Accuracy(classes, features, batch, logitScale: 1.0, seeds: 10);
        Assert.True(labelAccuracy >= 0.98, $"label-level accuracy {labelAccuracy:F3}");
        Assert.True(sampleAccuracy >= 0.99, $"sample-level accuracy {sampleAccuracy:F3}");
    }

    /// <summary>
    /// A more confident model (logit scale 3) breaks the equal-mass assumption: measured label-level 0.96 and sample-level
    /// 0.98 at C = 100, N = 50 (seeds 1–10). Asserted as the documented degradation, not hidden: ≥ 0.9 and &lt; 1.
    /// </summary>
    [Fact]
    public void Estimate_ConfidentModel_DegradesGracefully()
    {
        var (labelAccuracy, _) = Accuracy(100, 256, 50, logitScale: 3.0, seeds: 10);
        Assert.InRange(labelAccuracy, 0.9, 0.999);
    }

    private static (double Label, double Sample) Accuracy(int classes, int features, int batch, double logitScale, int seeds)
    {
        int labels = 0, right = 0, samples = 0, matched = 0;
        for (var seed = 1; seed <= seeds; seed++)
        {
            var sample = new SyntheticProjectionGradient(classes, features, batch, LogitScale: logitScale, Seed: seed).Generate();
            var result = RlgAttack.RevealLabels(sample.Update, classes, features, MatrixOrientation.ClassesByFeatures, batch, sample.BiasGradient);
            if (!result.Labels.SequenceEqual(sample.LabelSet)) continue; // counts are judged where the set is right
            for (var i = 0; i < result.Labels.Count; i++)
            {
                var truth = sample.Counts[result.Labels[i]];
                labels++;
                if (truth == result.Counts![i]) right++;
                matched += Math.Min(truth, result.Counts[i]);
            }
            samples += batch;
        }
        Assert.True(samples > 0, "no batch had the exact label set");
        return ((double)right / labels, (double)matched / samples);
    }
}

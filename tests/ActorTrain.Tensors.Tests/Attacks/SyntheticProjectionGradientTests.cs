using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Tensors.Tests.Attacks;

public sealed class SyntheticProjectionGradientTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Generate_FollowsTheSoftmaxGradientIdentities(int steps)
    {
        var sample = new SyntheticProjectionGradient(40, 16, 12, steps, Seed: 31).Generate();

        // Σ_c g_ic = 0 for every sample, so the columns of ΔW and the bias gradient sum to zero (float32 rounding: 1e-6).
        for (var k = 0; k < 16; k++)
            Assert.Equal(0.0, Enumerable.Range(0, 40).Sum(c => (double)sample.Update[c * 16 + k]), 1e-6);
        Assert.Equal(0.0, sample.BiasGradient.Sum(v => (double)v), 1e-6);
        // ∇b_c = (P_c − n_c)/S is negative only where n_c > 0.
        Assert.All(Enumerable.Range(0, 40).Where(c => sample.BiasGradient[c] < 0), c => Assert.Contains(c, sample.Labels));
        Assert.Equal(12 * steps, sample.Samples);
        Assert.Equal(sample.Samples, sample.Counts.Sum());
    }

    [Fact]
    public void Generate_SameSeed_SameUpdate()
    {
        var a = new SyntheticProjectionGradient(30, 8, 5, Seed: 32).Generate();
        var b = new SyntheticProjectionGradient(30, 8, 5, Seed: 32).Generate();
        var c = new SyntheticProjectionGradient(30, 8, 5, Seed: 33).Generate();

        Assert.Equal(a.Update, b.Update);
        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEqual(a.Update, c.Update);
    }
}

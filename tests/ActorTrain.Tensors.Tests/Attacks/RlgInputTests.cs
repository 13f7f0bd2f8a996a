using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Tensors.Tests.Attacks;

public sealed class RlgInputTests
{
    private static readonly float[] Valid = Enumerable.Range(0, 12).Select(i => (float)Math.Sin(i)).ToArray();

    [Theory]
    [InlineData(3, 5, "12 values, but shape 3 × 5 needs 15")]
    [InlineData(0, 12, "both dimensions must be at least 1")]
    [InlineData(1, 12, "has 1 class(es); RLG needs at least 2")]
    public void RevealLabels_BadShape_SaysWhatIsWrong(int rows, int columns, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RlgAttack.RevealLabels(Valid, rows, columns, MatrixOrientation.ClassesByFeatures));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void RevealLabels_NonFiniteValue_NamesItsPosition(float bad, string shown)
    {
        var values = (float[])Valid.Clone();
        values[9] = bad; // row 1, column 3 of a 2 × 6 matrix

        var error = Assert.Throws<ArgumentException>(() => RlgAttack.RevealLabels(values, 2, 6, MatrixOrientation.ClassesByFeatures));

        Assert.Contains("Update[1, 3]", error.Message);
        Assert.Contains(shown, error.Message);
    }

    [Fact]
    public void RevealLabels_BiasOfFeatureLength_SuggestsTheOtherOrientation()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            RlgAttack.RevealLabels(Valid, 3, 4, MatrixOrientation.ClassesByFeatures, biasGradient: new float[4]));
        Assert.Contains("Bias gradient has 4 values, but the update read as classes × features has 3 classes", error.Message);
        Assert.Contains("is the update features × classes?", error.Message);
    }

    [Fact]
    public void RevealLabels_NonFiniteBias_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            RlgAttack.RevealLabels(Valid, 3, 4, MatrixOrientation.ClassesByFeatures, biasGradient: [0, float.NaN, 0]));
        Assert.Contains("Bias gradient[1] is NaN", error.Message);
    }

    [Fact]
    public void RevealLabels_ZeroSamples_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => RlgAttack.RevealLabels(Valid, 3, 4, MatrixOrientation.ClassesByFeatures, samples: 0));
        Assert.Contains("Samples (S) must be at least 1, got 0", error.Message);
    }

    [Fact]
    public void RevealLabels_ZeroUpdate_SaysThereIsNothingToAttack()
    {
        var error = Assert.Throws<ArgumentException>(() => RlgAttack.RevealLabels(new float[12], 3, 4, MatrixOrientation.ClassesByFeatures));
        Assert.Contains("The update is zero", error.Message);
    }

    [Fact]
    public void RevealLabels_ZeroThreads_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            RlgAttack.RevealLabels(Valid, 3, 4, MatrixOrientation.ClassesByFeatures, options: new RlgOptions { TorchThreads = 0 }));
        Assert.Contains("TorchSharp threads must be at least 1, got 0", error.Message);
    }
}

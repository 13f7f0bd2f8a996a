using ActorTrain.Tensors.Training;

namespace ActorTrain.Tensors.Tests.Training;

public sealed class WeightedSumTests
{
    [Theory]
    [InlineData(1, 7)]
    [InlineData(3, 8192)]
    [InlineData(8, 50_001)]
    public void Compute_MatchesScalarDoubleSum(int sourceCount, int length)
    {
        var random = new Random(length);
        var sources = Enumerable.Range(0, sourceCount).Select(_ => Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToArray();
        var weights = Enumerable.Range(0, sourceCount).Select(k => 1f / (k + 2)).ToArray();
        var destination = new float[length];

        WeightedSum.Compute(sources, weights, destination);

        // fp32 accumulation (with FMA) against a double reference: |error| ≤ 1e-6 for |values| ≤ 0.5 and ≤ 8 terms.
        for (var i = 0; i < length; i++)
        {
            var expected = Enumerable.Range(0, sourceCount).Sum(k => (double)weights[k] * sources[k][i]);
            Assert.True(Math.Abs(expected - destination[i]) <= 1e-6, $"element {i}: {destination[i]} vs {expected}");
        }
    }

    [Fact]
    public void Compute_LengthMismatch_IsRejected() =>
        Assert.Throws<ArgumentException>(() => WeightedSum.Compute([new float[3]], [1f], new float[4]));

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void AllFinite_FindsANonFiniteValueAnywhere(float bad)
    {
        var values = new float[1001];
        Assert.True(WeightedSum.AllFinite(values));
        foreach (var at in new[] { 0, 500, 1000 })
        {
            values[at] = bad;
            Assert.False(WeightedSum.AllFinite(values));
            values[at] = 0;
        }
    }
}

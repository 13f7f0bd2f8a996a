using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Split;
using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Split;

public sealed class SegmentAverageTests
{
    [Fact]
    public void Weighted_TwoSegments_IsTheSampleWeightedMean()
    {
        // (3·[1, 2, −4, 10] + 1·[5, 6, 8, −2]) / 4 = [2, 3, −1, 7], exact in binary floating point.
        var average = SegmentAverage.Weighted([[1, 2, -4, 10], [5, 6, 8, -2]], [3, 1]);

        Assert.Equal([2f, 3f, -1f, 7f], average);
    }

    [Fact]
    public void Weighted_ManyRandomSegments_MatchesADoublePrecisionSum()
    {
        var random = new Random(11);
        var segments = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 1000).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        long[] samples = [32, 0, 7, 64, 1];

        var average = SegmentAverage.Weighted(segments, samples);

        double total = samples.Sum();
        for (var i = 0; i < average.Length; i++)
        {
            var expected = segments.Select((s, k) => s[i] * (double)samples[k]).Sum() / total;
            Assert.Equal(expected, average[i], 1e-6); // fp32 weights and FMA accumulation over 5 terms of magnitude ≤ 1
        }
    }

    [Fact]
    public void Weighted_NoSamplesAnywhere_IsThePlainMean()
    {
        var average = SegmentAverage.Weighted([[1, 2], [3, 6]], [0, 0]);

        Assert.Equal([2f, 4f], average);
    }

    [Fact]
    public void Weighted_BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => SegmentAverage.Weighted([], []));
        Assert.Throws<ArgumentException>(() => SegmentAverage.Weighted([[1f]], [1, 2]));
        Assert.Throws<ArgumentException>(() => SegmentAverage.Weighted([[1f]], [-1]));
        Assert.Throws<ArgumentException>(() => SegmentAverage.Weighted([[1f], [1f, 2f]], [1, 1]));
    }

    [Fact]
    public void SetWeights_ReplacesTheSegment_AndCountsOnlyBackpropagatedSamples()
    {
        using var data = new SyntheticClassification(Classes: 4, InputSize: 8, TrainSamples: 40, TestSamples: 8, Noise: 0.5, Seed: 3).Generate();
        using var client = new SplitClient(new ModelSpec("mlp", [8], 4, [6]).Build(seed: 7), "act1", data.Train, CPU, new SgdOptimizer(0.1, 0.9), seed: 5);
        client.Assign(Enumerable.Range(0, 40).ToArray(), batchSize: 5);
        var batch = client.Forward();

        Assert.Throws<InvalidOperationException>(() => client.SetWeights(new float[client.Layout.TotalLength])); // not while a batch is in flight
        client.Backward(new float[batch.Activations.Length]);
        var replacement = Enumerable.Range(0, client.Layout.TotalLength).Select(i => i * 0.01f).ToArray();
        client.SetWeights(replacement);

        Assert.Equal(replacement, client.Weights());
        Assert.Equal(5, client.SamplesTrained);
        Assert.Throws<NonFiniteValueException>(() => client.SetWeights(Enumerable.Repeat(float.NaN, client.Layout.TotalLength).ToArray()));
    }
}

using ActorTrain.Tensors.Data;

namespace ActorTrain.Tensors.Tests.Data;

public sealed class BatchSamplerTests
{
    [Fact]
    public void Epoch_CoversEveryIndexOnce_LastBatchSmaller()
    {
        var indices = Enumerable.Range(100, 50).ToArray();
        var batches = new BatchSampler(indices, 16, seed: 5).Epoch(0).ToArray();
        Assert.Equal([16, 16, 16, 2], batches.Select(b => b.Length));
        Assert.Equal(indices, batches.SelectMany(b => b).Order());
    }

    [Fact]
    public void Epoch_IsReproducible_AndEpochsDiffer()
    {
        var sampler = new BatchSampler(Enumerable.Range(0, 1000).ToArray(), 32, seed: 9);
        Assert.Equal(sampler.Epoch(3).SelectMany(b => b), new BatchSampler(Enumerable.Range(0, 1000).ToArray(), 32, seed: 9).Epoch(3).SelectMany(b => b));
        Assert.NotEqual(sampler.Epoch(0).SelectMany(b => b), sampler.Epoch(1).SelectMany(b => b));
    }

    [Fact]
    public void Constructor_BadArguments_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => new BatchSampler([], 4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchSampler([1], 0, 1));
    }
}

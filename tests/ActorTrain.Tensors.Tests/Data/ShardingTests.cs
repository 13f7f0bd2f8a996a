using ActorTrain.Tensors.Data;

namespace ActorTrain.Tensors.Tests.Data;

public sealed class ShardingTests
{
    private const int Samples = 60_000;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void Assign_EverySampleIsInExactlyOneShard(int workers)
    {
        var shards = Sharding.Assign(Samples, Sharding.NumberedWorkers(workers), seed: 7);
        var all = shards.Values.SelectMany(s => s).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, Samples), all);
    }

    [Fact]
    public void Assign_SameInputs_SamePlan_AndSeedChangesIt()
    {
        var workers = new[] { "node-a/w0", "node-b/w0", "node-b/w1" };
        var first = Sharding.Assign(1000, workers, seed: 1);
        var again = Sharding.Assign(1000, workers.Reverse().ToArray(), seed: 1);
        var other = Sharding.Assign(1000, workers, seed: 2);
        Assert.All(workers, w => Assert.Equal(first[w], again[w]));
        Assert.Contains(workers, w => !first[w].SequenceEqual(other[w]));
    }

    [Fact]
    public void Assign_WorkerJoins_OnlyTheNewcomerTakesSamples()
    {
        var before = Sharding.Assign(Samples, Sharding.NumberedWorkers(4), seed: 3);
        var after = Sharding.Assign(Samples, Sharding.NumberedWorkers(5), seed: 3);
        foreach (var worker in Sharding.NumberedWorkers(4))
            Assert.Empty(after[worker].Except(before[worker])); // nobody gains except the newcomer
        // The newcomer takes ~1/5 of the data: 12,000 ± 5σ (σ ≈ √(N·p·(1-p)) ≈ 98).
        Assert.InRange(after["4"].Length, 12_000 - 500, 12_000 + 500);
    }

    [Fact]
    public void Assign_WorkerLeaves_OnlyItsSamplesMove()
    {
        var before = Sharding.Assign(Samples, Sharding.NumberedWorkers(5), seed: 3);
        var after = Sharding.Assign(Samples, Sharding.NumberedWorkers(4), seed: 3);
        foreach (var worker in Sharding.NumberedWorkers(4))
            Assert.Empty(before[worker].Except(after[worker])); // nobody loses a sample
    }

    [Fact]
    public void Assign_ShardsAreBalanced()
    {
        // 8 shards of 60,000: 7,500 each, σ ≈ 81; 5σ tolerance.
        var shards = Sharding.Assign(Samples, Sharding.NumberedWorkers(8), seed: 11);
        Assert.All(shards.Values, s => Assert.InRange(s.Length, 7_500 - 405, 7_500 + 405));
    }

    [Fact]
    public void Assign_DuplicateIdsOrNoWorkers_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => Sharding.Assign(10, ["a", "a"], seed: 1));
        Assert.Throws<ArgumentException>(() => Sharding.Assign(10, [], seed: 1));
    }
}

namespace ActorTrain.Tensors.Data;

/// <summary>
/// Seeded mini-batches over a set of sample indices (a shard or a whole dataset): each epoch is a fresh
/// permutation derived from (seed, epoch), so batches are reproducible and independent of what ran before.
/// The last batch of an epoch may be smaller.
/// </summary>
public sealed class BatchSampler
{
    private readonly int[] _indices;
    private readonly ulong _seed;

    public BatchSampler(IReadOnlyCollection<int> indices, int batchSize, ulong seed)
    {
        if (indices.Count == 0) throw new ArgumentException("Cannot draw batches from an empty set of samples.", nameof(indices));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be at least 1.");
        (_indices, BatchSize, _seed) = (indices.ToArray(), batchSize, seed);
    }

    public int BatchSize { get; }

    public int SampleCount => _indices.Length;

    public int BatchesPerEpoch => (_indices.Length + BatchSize - 1) / BatchSize;

    public IEnumerable<int[]> Epoch(int epoch)
    {
        var order = (int[])_indices.Clone();
        new SplitMix64(SplitMix64.Mix(_seed ^ SplitMix64.Mix((ulong)epoch + 1))).Shuffle(order.AsSpan());
        for (var start = 0; start < order.Length; start += BatchSize)
            yield return order[start..Math.Min(start + BatchSize, order.Length)];
    }

    /// <summary>Batches across epochs without end: epoch 0, then 1, …</summary>
    public IEnumerable<int[]> Forever()
    {
        for (var epoch = 0; ; epoch++)
            foreach (var batch in Epoch(epoch))
                yield return batch;
    }
}

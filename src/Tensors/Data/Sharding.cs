using System.Text;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// Deterministic sharding of a dataset's sample indices across workers by rendezvous (highest-random-weight)
/// hashing: sample i belongs to the worker w with the largest hash(seed, i, w).
/// <list type="bullet">
/// <item>Every sample is in exactly one shard, and the result depends only on (sample count, worker ids, seed):
/// any node recomputes the same plan without talking to the others.</item>
/// <item>Re-sharding moves the least possible: when a worker joins, the only samples that move are the ones the
/// newcomer takes; when a worker leaves, only its samples move, spread over the rest. Every other sample stays.</item>
/// <item>Shards are balanced in expectation (N/K each, binomial spread ≈ √(N/K)).</item>
/// </list>
/// </summary>
public static class Sharding
{
    /// <summary>Worker ids "0" … "K-1", for a fixed set of K workers.</summary>
    public static IReadOnlyList<string> NumberedWorkers(int count) =>
        Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <returns>For each worker id, its sample indices in ascending order.</returns>
    public static IReadOnlyDictionary<string, int[]> Assign(int sampleCount, IReadOnlyCollection<string> workerIds, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        if (workerIds.Count == 0)
            throw new ArgumentException("Sharding needs at least one worker.", nameof(workerIds));
        var ids = workerIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (ids.Length != workerIds.Count)
            throw new ArgumentException("Worker ids must be distinct.", nameof(workerIds));

        var workerHashes = ids.Select(Fnv1a).ToArray();
        var shards = ids.Select(_ => new List<int>(sampleCount / ids.Length + 1)).ToArray();
        for (var sample = 0; sample < sampleCount; sample++)
        {
            var sampleHash = SplitMix64.Mix(seed + SplitMix64.Mix((ulong)sample));
            var best = 0;
            var bestScore = 0UL;
            for (var w = 0; w < ids.Length; w++)
            {
                var score = SplitMix64.Mix(sampleHash ^ workerHashes[w]);
                if (w == 0 || score > bestScore) (best, bestScore) = (w, score);
            }
            shards[best].Add(sample);
        }
        return ids.Select((id, w) => (id, w)).ToDictionary(p => p.id, p => shards[p.w].ToArray(), StringComparer.Ordinal);
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
            hash = (hash ^ b) * 1099511628211UL;
        return SplitMix64.Mix(hash);
    }
}

using ActorTrain.Tensors.Training;

namespace ActorTrain.Tensors.Split;

/// <summary>
/// SplitFed's averaging of client segments (Thapa, Arachchige, Camtepe and Sun, "SplitFed: When Federated Learning
/// Meets Split Learning", AAAI 2022, Algorithm 1, the client-side FedAvg): w = Σ_k (n_k / n) · w_k, where n_k is the
/// number of samples client k trained on since the previous average and n = Σ_k n_k.
/// </summary>
public static class SegmentAverage
{
    /// <summary>The sample-weighted mean of <paramref name="segments"/> (flat, one layout).</summary>
    /// <param name="samples">n_k per segment, ≥ 0. When all are 0 (no client stepped since the last average) the plain mean is taken.</param>
    public static float[] Weighted(IReadOnlyList<float[]> segments, IReadOnlyList<long> samples)
    {
        if (segments.Count == 0) throw new ArgumentException("Nothing to average.");
        if (segments.Count != samples.Count) throw new ArgumentException($"{segments.Count} segments but {samples.Count} sample counts.");
        if (samples.Any(n => n < 0)) throw new ArgumentException("Sample counts must be ≥ 0.");
        double total = samples.Sum();
        var weights = total > 0
            ? samples.Select(n => (float)(n / total)).ToArray()
            : Enumerable.Repeat(1f / segments.Count, segments.Count).ToArray();
        var average = new float[segments[0].Length];
        WeightedSum.Compute(segments, weights, average);
        return average;
    }
}

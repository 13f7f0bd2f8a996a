using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>How well one gradient inversion did against the batch's true inputs and labels.</summary>
/// <param name="Image">MSE, PSNR and SSIM of the reconstructions, each paired with the true input it is closest to.</param>
/// <param name="LabelAccuracy">Fraction of the batch's labels the attack carried, as multisets (order-free): |ŷ ∩ y| / N.</param>
public sealed record GradientInversionScore(InversionScore Image, double LabelAccuracy);

/// <summary>Scores reconstructions order-free: a batch's gradient is a sum, so it fixes the samples but not their order.</summary>
public static class GradientInversionScoring
{
    /// <summary>Largest batch paired exactly (dynamic programming over subsets); larger ones are paired greedily.</summary>
    public const int ExactPairingLimit = 12;

    /// <param name="reconstructions">[N, ...] pixel intensities in [0, 1].</param>
    /// <param name="images">The true inputs, same shape, in [0, 1].</param>
    public static GradientInversionScore Score(Tensor reconstructions, Tensor images, long[] labels, long[] trueLabels)
    {
        using var paired = Paired(reconstructions, images);
        return new GradientInversionScore(InversionAttack.Score(paired, images), LabelAccuracy(labels, trueLabels));
    }

    /// <summary>The reconstructions reordered so that row i is the one paired with true image i (least summed MSE).</summary>
    public static Tensor Paired(Tensor reconstructions, Tensor images)
    {
        using var order = tensor(Pairing(reconstructions, images), device: reconstructions.device);
        return reconstructions.index_select(0, order);
    }

    /// <summary>|multiset(<paramref name="labels"/>) ∩ multiset(<paramref name="trueLabels"/>)| / N.</summary>
    public static double LabelAccuracy(long[] labels, long[] trueLabels)
    {
        if (trueLabels.Length == 0) throw new ArgumentException("No true labels to score against.");
        var left = labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        var common = trueLabels.GroupBy(l => l).Sum(g => Math.Min(g.Count(), left.GetValueOrDefault(g.Key)));
        return (double)common / trueLabels.Length;
    }

    /// <summary>For each true image i, the reconstruction paired with it, minimising the summed per-image MSE.</summary>
    internal static long[] Pairing(Tensor reconstructions, Tensor images)
    {
        var n = (int)images.shape[0];
        if (reconstructions.shape[0] != n || reconstructions.numel() != images.numel())
            throw new ArgumentException(
                $"Reconstructions ({string.Join(" × ", reconstructions.shape)}) and images ({string.Join(" × ", images.shape)}) must hold the same samples.");
        using var scope = NewDisposeScope();
        var r = reconstructions.reshape(n, 1, -1).to_type(ScalarType.Float64);
        var x = images.reshape(1, n, -1).to_type(ScalarType.Float64);
        var cost = (r - x).square().mean([2]).cpu().data<double>().ToArray(); // cost[j * n + i]: reconstruction j for image i
        return n <= ExactPairingLimit ? Exact(cost, n) : Greedy(cost, n);
    }

    private static long[] Exact(double[] cost, int n)
    {
        // best[mask]: least cost of pairing images 0..popcount(mask)-1 with the reconstructions in mask
        var best = new double[1 << n];
        var from = new int[1 << n];
        Array.Fill(best, double.PositiveInfinity);
        best[0] = 0;
        for (var mask = 0; mask < 1 << n; mask++)
        {
            if (double.IsPositiveInfinity(best[mask])) continue;
            var image = System.Numerics.BitOperations.PopCount((uint)mask);
            if (image == n) continue;
            for (var j = 0; j < n; j++)
            {
                if ((mask & (1 << j)) != 0) continue;
                var next = mask | (1 << j);
                var value = best[mask] + cost[j * n + image];
                if (value < best[next]) (best[next], from[next]) = (value, j);
            }
        }
        var order = new long[n];
        for (int mask = (1 << n) - 1, image = n - 1; image >= 0; image--)
        {
            order[image] = from[mask];
            mask &= ~(1 << from[mask]);
        }
        return order;
    }

    private static long[] Greedy(double[] cost, int n)
    {
        var order = new long[n];
        var usedImage = new bool[n];
        var usedReconstruction = new bool[n];
        foreach (var k in Enumerable.Range(0, n * n).OrderBy(k => cost[k]))
        {
            var (j, i) = (k / n, k % n);
            if (usedImage[i] || usedReconstruction[j]) continue;
            (order[i], usedImage[i], usedReconstruction[j]) = (j, true, true);
        }
        return order;
    }
}

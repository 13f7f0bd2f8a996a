namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// How often each revealed label occurs, from the bias gradient of a mean cross-entropy loss. Over S samples,
/// ∇b_c = (1/S) Σ_i (p_ic − [y_i = c]), so n_c = P_c − S·∇b_c with P_c = Σ_i p_ic, the softmax mass on class c.
/// For a class that is not revealed n_c = 0, hence P_c = S·∇b_c exactly. Every p_i sums to one, so the revealed
/// classes together hold the rest: Σ_revealed P_c = S − Σ_unrevealed S·∇b_c. The estimator splits that total evenly,
/// P̂_c = (S − S·Σ_unrevealed ∇b)/|revealed|, which is right on average when the model does not yet favour the true
/// classes (untrained or early in training; iLRG, Ma et al. ICLR 2023, makes the same assumption for its bias
/// route) and keeps Σ n̂_c = S exactly. The real-valued n̂_c = P̂_c − S·∇b_c are then rounded to integers
/// that sum to S with each revealed label at least once, moving the fewest units from the nearest integers.
/// </summary>
internal static class LabelCounts
{
    /// <param name="labels">Revealed classes.</param>
    /// <param name="bias">∇b averaged over the <paramref name="samples"/> samples, length C.</param>
    public static int[] Estimate(IReadOnlyList<int> labels, ReadOnlySpan<double> bias, int samples) =>
        Round(Expected(labels, bias, samples), samples);

    /// <summary>n̂_c before rounding, in the order of <paramref name="labels"/>.</summary>
    public static double[] Expected(IReadOnlyList<int> labels, ReadOnlySpan<double> bias, int samples)
    {
        if (labels.Count == 0) return [];
        var revealed = new HashSet<int>(labels);
        var unrevealedBias = 0.0;
        for (var c = 0; c < bias.Length; c++)
            if (!revealed.Contains(c)) unrevealedBias += bias[c];
        var share = samples * (1 - unrevealedBias) / labels.Count;
        var expected = new double[labels.Count];
        for (var i = 0; i < expected.Length; i++) expected[i] = share - samples * bias[labels[i]];
        return expected;
    }

    /// <summary>Integers nearest to <paramref name="expected"/> (in total |n − n̂|) with sum <paramref name="total"/> and each ≥ 1 when there are enough units.</summary>
    public static int[] Round(double[] expected, int total)
    {
        var minimum = expected.Length <= total ? 1 : 0;
        var counts = expected.Select(e => Math.Max(minimum, (int)Math.Round(Math.Min(e, total)))).ToArray();
        var difference = total - counts.Sum();
        while (difference != 0)
        {
            var step = Math.Sign(difference);
            var best = -1;
            var bestCost = double.PositiveInfinity;
            for (var i = 0; i < counts.Length; i++)
            {
                if (step < 0 && counts[i] <= minimum) continue;
                var cost = Math.Abs(expected[i] - (counts[i] + step)) - Math.Abs(expected[i] - counts[i]);
                if (cost < bestCost) (best, bestCost) = (i, cost);
            }
            if (best < 0) break; // nothing may shrink: only possible when total < the number of labels, handled by minimum = 0
            counts[best] += step;
            difference -= step;
        }
        return counts;
    }
}

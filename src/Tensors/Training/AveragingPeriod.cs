namespace ActorTrain.Tensors.Training;

/// <summary>
/// How many local steps each worker takes before the next averaging in local SGD. Fixed: H every round. Adaptive, in
/// the spirit of ADPSGD (Jiang &amp; Agrawal 2020, "Adaptive Periodic Averaging: A Practical Approach to Reducing
/// Communication in Distributed Learning"): average often early, when the workers' models drift apart fastest, and
/// less later: H_r = min(H_max, H₀·2^⌊r/R⌋) for round r = 0, 1, …. This is a fixed geometric schedule (the paper
/// derives its period from the measured variance between workers); it needs no extra messages, since every node
/// computes it from the round number.
/// </summary>
/// <param name="Initial">H₀ (and H for the fixed period).</param>
/// <param name="Max">H_max; ≤ H₀ means the fixed period H₀.</param>
/// <param name="DoubleEvery">R: rounds between doublings.</param>
public sealed record AveragingPeriod(int Initial, int Max = 0, int DoubleEvery = 1)
{
    /// <value>True when the period grows.</value>
    public bool IsAdaptive => Max > Initial;

    /// <summary>H_r: local steps in round <paramref name="round"/> (0-based).</summary>
    public int StepsAt(long round)
    {
        if (Initial < 1) throw new InvalidOperationException($"The local-SGD period must be at least 1, not {Initial}.");
        if (!IsAdaptive || round <= 0) return Initial;
        if (DoubleEvery < 1) throw new InvalidOperationException($"The adaptive period must double every R ≥ 1 rounds, not {DoubleEvery}.");
        var doublings = round / DoubleEvery;
        if (doublings >= 31) return Max;
        return (int)Math.Min(Max, (long)Initial << (int)doublings);
    }
}

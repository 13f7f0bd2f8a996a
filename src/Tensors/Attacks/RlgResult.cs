namespace ActorTrain.Tensors.Attacks;

/// <summary>What the RLG attack revealed about the batch behind one update.</summary>
/// <param name="Labels">Classes found present, ascending (a set: each at most once).</param>
/// <param name="Counts">Estimated occurrences of each label in <see cref="Labels"/>, same order, summing to the sample
/// count; null when no bias gradient was given.</param>
/// <param name="RankUsed">S, the singular directions kept (class points live in R^S).</param>
/// <param name="RankRule">Where S came from.</param>
/// <param name="NumericalRank">Singular values above min(C, d)·2⁻²³·σ₁.</param>
/// <param name="SpectrumGap">σ_S / σ_{S+1} at the rank used (+∞ when nothing follows): a large gap means S matches the update.</param>
/// <param name="SingularValues">The leading singular values, descending (at least S + 1 of them when the update has more).</param>
/// <param name="Stats">Work done by <see cref="RlgMethod.Fast"/>; null for the LP methods.</param>
/// <param name="Seconds">Wall-clock time of the whole attack.</param>
public sealed record RlgResult(
    IReadOnlyList<int> Labels,
    IReadOnlyList<int>? Counts,
    int RankUsed,
    RankRule RankRule,
    int NumericalRank,
    double SpectrumGap,
    IReadOnlyList<double> SingularValues,
    SeparabilityStats? Stats,
    double Seconds);

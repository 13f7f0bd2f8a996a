namespace ActorTrain.Tensors.Defenses;

/// <summary>Which sample distance-correlation statistic <see cref="DistanceCorrelation.Compute"/> returns.</summary>
public enum DistanceCorrelationForm
{
    /// <summary>dCor = √dCor², the V-statistic in [0, 1]; NoPeek's loss term (Vepakomma et al. 2020).</summary>
    Dcor,

    /// <summary>dCor² = dCov²(X, Z) / √(dVar²(X)·dVar²(Z)) from double-centred distances (V-statistic, biased upward).</summary>
    DcorSquared,

    /// <summary>
    /// Bias-corrected dCor² from U-centred distances (Székely and Rizzo 2014): near 0 for independent samples of any
    /// dimension, at most 1, and it can be slightly negative.
    /// </summary>
    UnbiasedDcorSquared,
}

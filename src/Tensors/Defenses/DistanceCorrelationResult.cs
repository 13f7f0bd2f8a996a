namespace ActorTrain.Tensors.Defenses;

/// <summary>The three sample distance-correlation statistics of one (X, Z) sample, computed in float64.</summary>
/// <param name="Dcor">dCor, the V-statistic's square root, in [0, 1]: what NoPeek minimises.</param>
/// <param name="DcorSquared">dCor², the V-statistic; biased upward when the dimension is large against n.</param>
/// <param name="DcorUnbiased">The bias-corrected dCor² (U-centred, Székely and Rizzo 2014); may be slightly negative.</param>
/// <param name="N">Samples (rows).</param>
public sealed record DistanceCorrelationResult(double Dcor, double DcorSquared, double DcorUnbiased, int N);

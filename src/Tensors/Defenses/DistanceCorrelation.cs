using static TorchSharp.torch;

namespace ActorTrain.Tensors.Defenses;

/// <summary>
/// Sample distance correlation between inputs X (n × d_x) and activations Z (n × d_z), rows = samples, with
/// TorchSharp autograd: NoPeek's leakage term (Vepakomma et al., "NoPeek: Information leakage reduction to share
/// activations in distributed deep learning", ICDMW 2020), after Székely, Rizzo and Bakirov, "Measuring and testing
/// dependence by correlation of distances", Ann. Statist. 35(6), 2007, §2 (V-statistic), and Székely and Rizzo,
/// "Partial distance correlation with methods for dissimilarities", Ann. Statist. 42(6), 2014, §2.2 (U-centring).
/// </summary>
/// <remarks>
/// Distances are Euclidean, not squared: with squared distances the statistic degenerates to the RV coefficient
/// (linear dependence only). They come from Gram matrices, ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b, so the cost is
/// O(n²(d_x + d_z)) time and O(n²) memory. Samples of any rank are flattened; both sides are computed in float64
/// when either is float64, else in float32 (half precision cancels badly in the Gram identity).
/// </remarks>
public static partial class DistanceCorrelation
{
    /// <summary>
    /// Floor on a squared distance before its square root, as in the NoPeek authors' code: d/dt √t is infinite at
    /// t = 0, which every diagonal entry and every duplicate pair hits. Squared distances at or below it count as 0.
    /// </summary>
    public const double SquaredDistanceFloor = 1e-7;

    /// <summary>Floor before the outer square roots (of dVar² and of dCor²): below it the value counts as 0.</summary>
    public const double StatisticFloor = 1e-30;

    /// <summary>Fewest samples for <see cref="DistanceCorrelationForm.UnbiasedDcorSquared"/>: its inner product divides by n(n − 3).</summary>
    public const int MinimumSamplesUnbiased = 4;

    /// <summary>
    /// The chosen statistic as a differentiable scalar tensor: backpropagate α·dCor into <paramref name="activations"/>.
    /// <paramref name="inputs"/> normally carries no gradient (it is constant per batch).
    /// </summary>
    /// <param name="inputs">X, first axis = samples; any numeric dtype.</param>
    /// <param name="activations">Z, first axis = samples, the same n as X.</param>
    public static Tensor Compute(Tensor inputs, Tensor activations, DistanceCorrelationForm form = DistanceCorrelationForm.Dcor)
    {
        var n = SampleCount(inputs, activations, form == DistanceCorrelationForm.UnbiasedDcorSquared ? MinimumSamplesUnbiased : 2);
        using var scope = NewDisposeScope();
        var dtype = WorkingType(inputs, activations);
        var a = Distances(inputs, n, dtype);
        var b = Distances(activations, n, dtype);
        var result = form switch
        {
            DistanceCorrelationForm.UnbiasedDcorSquared => Ratio(UCentre(a), UCentre(b), UInner),
            DistanceCorrelationForm.DcorSquared => Ratio(DoubleCentre(a), DoubleCentre(b), VInner),
            _ => SafeSqrt(Ratio(DoubleCentre(a), DoubleCentre(b), VInner), StatisticFloor),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Pairwise Euclidean distances of the flattened rows, n × n, exactly 0 on the diagonal.</summary>
    internal static Tensor Distances(Tensor samples, int n, ScalarType dtype)
    {
        var x = samples.reshape(n, -1).to_type(dtype);
        // Centre the columns first: distances do not change, and smaller norms cancel less in the Gram identity.
        x = x - x.mean([0], keepdim: true);
        var norms = (x * x).sum(1);
        var squared = norms.unsqueeze(1) + norms.unsqueeze(0) - 2 * x.matmul(x.t());
        squared = (squared + squared.t()) / 2 * OffDiagonal(n, dtype, samples.device);
        return SafeSqrt(squared, SquaredDistanceFloor);
    }

    /// <summary>
    /// √t where t &gt; floor, else 0. The root sees max(t, floor), so its derivative is finite everywhere, and clamp's
    /// zero derivative below the floor reaches the unselected entries: no NaN from 0·∞ in the backward pass.
    /// </summary>
    private static Tensor SafeSqrt(Tensor t, double floor) =>
        where(t > floor, t.clamp_min(floor).sqrt(), zeros_like(t));

    private static Tensor OffDiagonal(int n, ScalarType dtype, Device device) =>
        ones(n, n, dtype: dtype, device: device) - eye(n, dtype: dtype, device: device);

    /// <summary>dCor² = ⟨A, B⟩ / √(⟨A, A⟩·⟨B, B⟩), 0 when either side is constant (then ⟨A, B⟩ = 0 too).</summary>
    private static Tensor Ratio(Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> inner) =>
        inner(a, b) / (SafeSqrt(inner(a, a), StatisticFloor) * SafeSqrt(inner(b, b), StatisticFloor)).clamp_min(StatisticFloor);

    private static ScalarType WorkingType(Tensor inputs, Tensor activations) =>
        inputs.dtype == ScalarType.Float64 || activations.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    private static int SampleCount(Tensor inputs, Tensor activations, int minimum)
    {
        if (inputs.dim() == 0 || activations.dim() == 0)
            throw new ArgumentException("Inputs and activations need a first axis of samples; got a scalar.");
        if (inputs.shape[0] != activations.shape[0])
            throw new ArgumentException($"Inputs hold {inputs.shape[0]} samples but activations hold {activations.shape[0]}; distance correlation pairs them row by row.");
        if (inputs.shape[0] < minimum)
            throw new ArgumentException($"Distance correlation here needs at least {minimum} samples, got {inputs.shape[0]}.");
        if (inputs.numel() == 0 || activations.numel() == 0)
            throw new ArgumentException("Inputs and activations need at least one feature per sample.");
        return checked((int)inputs.shape[0]);
    }
}

using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// Step 1 of RLG: the truncated SVD ΔW ≈ P_S Σ_S Q_Sᵀ of a C × d update and one point per class, q_c = row c of
/// P_S Σ_S ∈ R^S. Computed in float64 with TorchSharp: a full <c>torch.linalg.svd</c> when min(C, d) ≤ 256, else an
/// adaptive randomized range finder (Halko, Martinsson and Tropp 2011, Alg. 4.2) whose stopping test is exact:
/// it grows an orthonormal basis Y of ΔW's column space until ‖ΔW − Y Yᵀ ΔW‖_F ≤ τσ₁/10, then takes the SVD of
/// the small Yᵀ ΔW. Every singular value it leaves out is therefore below the numerical-rank threshold τσ₁.
/// </summary>
/// <param name="Points">C × <see cref="Rank"/> row-major: the class points.</param>
/// <param name="NumericalRank">Singular values above τσ₁, τ = min(C, d)·2⁻²³ (NumPy's matrix_rank rule at
/// float32 precision: updates are float32 however they are stored).</param>
/// <param name="SingularValues">Leading singular values, descending (at least <see cref="Rank"/> + 1 when ΔW has more).</param>
/// <param name="Gap">σ_S / σ_{S+1} at the rank used (σ_{S+1} computed, or bounded by what the range finder left out);
/// +∞ when nothing follows.</param>
internal sealed record ClassPoints(double[] Points, int Classes, int Rank, RankRule Rule, int NumericalRank, double[] SingularValues, double Gap)
{
    /// <summary>At or below this min(C, d) a full SVD is as cheap as the range finder.</summary>
    private const int FullSvdLimit = 256;

    private const int Block = 64;

    /// <param name="update">C × d, float64, classes by features.</param>
    /// <param name="samples">S from the caller, or null for the spectrum-gap rule.</param>
    public static ClassPoints Compute(Tensor update, int? samples)
    {
        using var scope = NewDisposeScope();
        var classes = (int)update.shape[0];
        var smaller = (int)Math.Min(update.shape[0], update.shape[1]);
        var tolerance = smaller * Math.ScaleB(1.0, -23);
        var (left, sigma, leftOut) = smaller <= FullSvdLimit ? FullSvd(update) : RangeFinderSvd(update, tolerance, samples);

        var numericalRank = sigma.Count(s => s > tolerance * sigma[0]);
        if (numericalRank == 0)
            throw new ArgumentException("The update is zero (no singular value above the numerical-rank threshold): there is nothing to attack.");
        RankRule rule;
        int rank;
        if (samples is { } s)
            (rank, rule) = s <= numericalRank ? (s, RankRule.Caller) : (numericalRank, RankRule.CallerCappedAtNumericalRank);
        else
            (rank, rule) = (LargestGap(sigma, numericalRank, Math.Max(leftOut, tolerance * sigma[0])), RankRule.SpectrumGap);

        var next = rank < sigma.Length ? sigma[rank] : leftOut;
        var gap = next > 0 ? sigma[rank - 1] / next : double.PositiveInfinity;
        var points = left.narrow(1, 0, rank).mul(tensor(sigma[..rank])).contiguous().data<double>().ToArray();
        return new ClassPoints(points, classes, rank, rule, numericalRank, sigma, gap);
    }

    /// <summary>
    /// argmax over k ≤ numerical rank of σ_k / max(σ_{k+1}, floor) (k 1-based), floor = τσ₁ or the bound on what the range
    /// finder left out: below the threshold values are noise, and a full-rank update (no σ_{k+1} at all) is not
    /// preferred just for lacking one.
    /// </summary>
    private static int LargestGap(double[] sigma, int numericalRank, double floor)
    {
        var best = 1;
        var bestRatio = 0.0;
        for (var k = 1; k <= numericalRank; k++)
        {
            var ratio = sigma[k - 1] / Math.Max(k < sigma.Length ? sigma[k] : 0, floor);
            if (ratio > bestRatio) (best, bestRatio) = (k, ratio);
        }
        return best;
    }

    private static (Tensor Left, double[] Sigma, double LeftOut) FullSvd(Tensor update)
    {
        var (u, s, _) = linalg.svd(update, fullMatrices: false);
        return (u, s.data<double>().ToArray(), 0);
    }

    private static (Tensor Left, double[] Sigma, double LeftOut) RangeFinderSvd(Tensor update, double tolerance, int? samples)
    {
        var smaller = Math.Min(update.shape[0], update.shape[1]);
        var total = update.square().sum().item<double>();
        using var generator = new Generator(0x5EED);
        var basis = empty(update.shape[0], 0, float64);
        var projected = empty(0, update.shape[1], float64);
        var width = samples is { } s ? Math.Min(s + 8, smaller) : Block;
        while (true)
        {
            var sketch = update.matmul(randn(update.shape[1], width, float64, generator: generator));
            for (var pass = 0; pass < 2 && basis.shape[1] > 0; pass++) // twice: one Gram–Schmidt pass loses orthogonality
                sketch = sketch.sub(basis.matmul(basis.T.matmul(sketch)));
            var (fresh, _) = linalg.qr(sketch);
            basis = cat([basis, fresh], 1);
            projected = cat([projected, fresh.T.matmul(update)], 0);
            var (u, sigmaTensor, _) = linalg.svd(projected, fullMatrices: false);
            var sigma = sigmaTensor.data<double>().ToArray();
            // ‖ΔW − Y Yᵀ ΔW‖²_F = ‖ΔW‖²_F − ‖Yᵀ ΔW‖²_F for orthonormal Y.
            var leftOut = Math.Sqrt(Math.Max(0, total - projected.square().sum().item<double>()));
            if (leftOut <= 0.1 * tolerance * sigma[0])
                return (basis.matmul(u), sigma, leftOut);
            if (2 * (basis.shape[1] + Block) >= smaller)
                return FullSvd(update);
            width = Block;
        }
    }
}

/// <summary>How the attack chose S, the number of singular directions it keeps.</summary>
public enum RankRule
{
    /// <summary>S as the caller gave it.</summary>
    Caller,

    /// <summary>The caller's S exceeded the numerical rank of the update; the numerical rank was used.</summary>
    CallerCappedAtNumericalRank,

    /// <summary>No S given: the largest ratio σ_k/σ_{k+1} among the singular values above the numerical-rank threshold.</summary>
    SpectrumGap,
}

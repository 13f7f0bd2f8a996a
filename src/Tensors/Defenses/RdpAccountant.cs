namespace ActorTrain.Tensors.Defenses;

/// <summary>
/// Rényi-DP accountant for the Poisson-subsampled Gaussian mechanism (Mironov, Talwar &amp; Zhang 2019, "Rényi
/// Differential Privacy of the Sampled Gaussian Mechanism", §3.3, integer orders): for sampling rate q and noise
/// multiplier z, the RDP of one step at order α is log(A_α)/(α − 1) with
/// A_α = Σ_{k=0..α} C(α,k) (1 − q)^{α−k} q^k exp((k² − k)/(2z²)), summed in log space; T steps compose to T times that.
/// Conversion to (ε, δ) uses Balle et al. 2020 (Thm. 21), as Opacus and Google's dp_accounting do:
/// ε = min_α [ T·rdp(α) + log((α − 1)/α) − (log δ + log α)/(α − 1) ]. Orders α = 2 … 256 (integers; see
/// <see cref="Orders"/>). Checked against Opacus's published test value (docs/defenses.md).
/// </summary>
public static class RdpAccountant
{
    /// <value>Integer Rényi orders searched: 2 … 64, then 80, 96, 128, 192, 256.</value>
    public static IReadOnlyList<int> Orders { get; } = [.. Enumerable.Range(2, 63), 80, 96, 128, 192, 256];

    /// <summary>The (ε at <paramref name="delta"/>, best order) after <paramref name="steps"/> steps.</summary>
    public static (double Epsilon, int Order) Epsilon(double samplingRate, double noiseMultiplier, long steps, double delta)
    {
        if (samplingRate is <= 0 or > 1 || double.IsNaN(samplingRate)) throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "the sampling rate must be in (0, 1]");
        if (!(noiseMultiplier > 0)) throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "a noise multiplier of 0 gives no privacy (ε = ∞)");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be ≥ 0");
        if (delta is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1)");
        var best = (Epsilon: double.PositiveInfinity, Order: 0);
        foreach (var alpha in Orders)
        {
            var rdp = steps * LogA(samplingRate, noiseMultiplier, alpha) / (alpha - 1);
            var epsilon = rdp + Math.Log((alpha - 1.0) / alpha) - (Math.Log(delta) + Math.Log(alpha)) / (alpha - 1);
            if (epsilon < best.Epsilon) best = (epsilon, alpha);
        }
        return (Math.Max(best.Epsilon, 0), best.Order);
    }

    /// <summary>log A_α for one step (the binomial expansion above; q = 1 is the plain Gaussian, α(α − 1)/(2z²)).</summary>
    public static double LogA(double q, double z, int alpha)
    {
        if (q >= 1) return alpha * (alpha - 1) / (2 * z * z);
        var terms = new double[alpha + 1];
        double logBinomial = 0;
        for (var k = 0; k <= alpha; k++)
        {
            if (k > 0) logBinomial += Math.Log(alpha - k + 1) - Math.Log(k);
            terms[k] = logBinomial + (alpha - k) * Math.Log(1 - q) + k * Math.Log(q) + (k * (double)k - k) / (2 * z * z);
        }
        var max = terms.Max();
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
    }
}

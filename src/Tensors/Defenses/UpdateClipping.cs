namespace ActorTrain.Tensors.Defenses;

/// <summary>
/// The DP-SGD mechanism applied to a whole update before it leaves the worker (Abadi et al. 2016, Alg. 1, with the
/// clipping and noising moved from per-example gradients to the worker's update): scale the update to L2 norm at most
/// C, then add independent N(0, (σ·C)²) noise to every entry. σ is the noise multiplier (noise standard deviation
/// per unit of clip norm). The noise is seeded: the same seed gives the same noise.
/// </summary>
public sealed class UpdateClipping
{
    private readonly Random _random;

    public UpdateClipping(double clipNorm, double noiseMultiplier, int seed)
    {
        if (!(clipNorm > 0) || double.IsInfinity(clipNorm)) throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "the clip norm must be a positive finite number");
        if (!(noiseMultiplier >= 0) || double.IsInfinity(noiseMultiplier)) throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "the noise multiplier must be a finite number ≥ 0");
        (ClipNorm, NoiseMultiplier, _random) = (clipNorm, noiseMultiplier, new Random(seed));
    }

    /// <value>C, in the update's units (L2 norm).</value>
    public double ClipNorm { get; }

    /// <value>σ: the noise standard deviation is σ·C per entry.</value>
    public double NoiseMultiplier { get; }

    /// <summary>Clips <paramref name="update"/> in place to norm ≤ C and adds the noise; returns the norm before clipping.</summary>
    public double Apply(Span<float> update)
    {
        var norm = Clip(update, ClipNorm);
        var sd = NoiseMultiplier * ClipNorm;
        if (sd > 0)
            for (var i = 0; i < update.Length; i++) update[i] += (float)(sd * StandardNormal(_random));
        return norm;
    }

    /// <summary>Scales <paramref name="update"/> in place by min(1, C/‖u‖₂); returns ‖u‖₂ before scaling.</summary>
    public static double Clip(Span<float> update, double clipNorm)
    {
        double squares = 0;
        foreach (var v in update) squares += (double)v * v;
        var norm = Math.Sqrt(squares);
        if (norm > clipNorm)
        {
            // float32 rounding of C/‖u‖ can leave the norm a few ulps above C; shave one part in 10⁶ off the factor.
            var factor = (float)(clipNorm / norm * (1 - 1e-6));
            for (var i = 0; i < update.Length; i++) update[i] *= factor;
        }
        return norm;
    }

    /// <summary>A standard normal draw (Box–Muller; 1 − U keeps the logarithm finite).</summary>
    private static double StandardNormal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

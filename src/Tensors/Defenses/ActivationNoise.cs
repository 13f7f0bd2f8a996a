namespace ActorTrain.Tensors.Defenses;

/// <summary>Noise added to split activations before they leave the client (a defense that combines with NoPeek).</summary>
public static class ActivationNoise
{
    public static readonly IReadOnlyList<string> Kinds = ["none", "laplace", "gaussian"];

    /// <summary>Z + noise of the given kind and scale (Laplace b, or Gaussian σ); Z itself for "none" or scale 0.</summary>
    public static float[] Apply(float[] activations, string kind, double scale, Random random)
    {
        if (kind == "none" || scale <= 0) return activations;
        if (kind is not ("laplace" or "gaussian")) throw new ArgumentException($"Unknown activation noise '{kind}'; choose one of {string.Join(", ", Kinds)}.");
        var noised = new float[activations.Length];
        for (var i = 0; i < noised.Length; i++) noised[i] = activations[i] + (float)(scale * (kind == "laplace" ? Laplace(random) : Gaussian(random)));
        return noised;
    }

    /// <summary>A standard Laplace draw (scale 1), by the inverse CDF.</summary>
    private static double Laplace(Random random)
    {
        var centred = random.NextDouble() - 0.5;
        return -Math.Sign(centred) * Math.Log(Math.Max(1 - 2 * Math.Abs(centred), double.Epsilon));
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

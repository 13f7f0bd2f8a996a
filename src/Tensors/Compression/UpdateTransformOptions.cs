namespace ActorTrain.Tensors.Compression;

/// <summary>
/// What a worker does to its update before it leaves (docs/defenses.md, "Worker-side defenses"), applied in this
/// order: clip to <see cref="ClipNorm"/> and add Gaussian noise (σ = <see cref="NoiseMultiplier"/>·C), then compress
/// (<see cref="Compression"/> keeping <see cref="Ratio"/> of the entries) with error feedback, then fp16
/// (<see cref="Half"/>). Every step is optional; <see cref="None"/> sends the update as it is.
/// </summary>
/// <param name="ClipNorm">C: L2 norm bound of the update; 0 = no clipping (and then no noise).</param>
/// <param name="NoiseMultiplier">σ: noise standard deviation per unit of C; 0 = clip only.</param>
/// <param name="Compression">none, topk, gaussiank or sign.</param>
/// <param name="Ratio">Fraction of entries top-k and GaussianK keep, in (0, 1].</param>
/// <param name="Half">Send values as binary16 (alone, or the kept values of top-k / GaussianK).</param>
public sealed record UpdateTransformOptions(double ClipNorm = 0, double NoiseMultiplier = 0, string Compression = "none", double Ratio = 0.01, bool Half = false)
{
    public static readonly IReadOnlyList<string> Compressions = ["none", "topk", "gaussiank", "sign"];

    public static UpdateTransformOptions None { get; } = new();

    /// <value>True when the update leaves unchanged.</value>
    public bool IsNone => ClipNorm == 0 && Compression == "none" && !Half;

    /// <summary>The first problem with these options, phrased for a user, or null.</summary>
    public string? Problem() =>
        !(ClipNorm >= 0) || double.IsInfinity(ClipNorm) ? $"the clip norm must be a finite number ≥ 0 (0 = off), not {ClipNorm}"
        : !(NoiseMultiplier >= 0) || double.IsInfinity(NoiseMultiplier) ? $"the noise multiplier must be a finite number ≥ 0, not {NoiseMultiplier}"
        : NoiseMultiplier > 0 && ClipNorm == 0 ? "noise needs a clip norm (the noise is σ·C): give a clip norm > 0"
        : !Compressions.Contains(Compression) ? $"unknown compression '{Compression}'; choose one of {string.Join(", ", Compressions)}"
        : Ratio is not (> 0 and <= 1) ? $"the kept ratio must be in (0, 1], not {Ratio}"
        : Compression == "sign" && Half ? "sign compression already sends one bit per entry; fp16 does not combine with it"
        : null;

    /// <summary>A short label, e.g. "clip 1 σ 0.5 + topk 0.01 + fp16", or "none".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (ClipNorm > 0) parts.Add(NoiseMultiplier > 0 ? $"clip {ClipNorm:G4} σ {NoiseMultiplier:G4}" : $"clip {ClipNorm:G4}");
        if (Compression is "topk" or "gaussiank") parts.Add($"{Compression} {Ratio:G4}");
        else if (Compression == "sign") parts.Add("sign");
        if (Half) parts.Add("fp16");
        return parts.Count == 0 ? "none" : string.Join(" + ", parts);
    }
}

namespace ActorTrain.Tensors.Attacks;

/// <summary>How <see cref="GradientInversion"/> optimises its dummy batch.</summary>
public sealed record GradientInversionOptions
{
    public static GradientInversionOptions Default { get; } = new();

    /// <summary>Most Adam steps per restart.</summary>
    public int Iterations { get; init; } = 400;

    /// <summary>Adam's step size η on the dummy inputs (and dummy label logits). Multiplied by 0.1 at 3/8, 5/8 and 7/8
    /// of <see cref="Iterations"/> (the schedule of Geiping et al.), or earlier by the <see cref="Patience"/> rule.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Weight of the total-variation prior on image inputs ([N, C, H, W]); ignored for other shapes.</summary>
    public double TotalVariation { get; init; } = 1e-4;

    public GradientDistance Distance { get; init; } = GradientDistance.Cosine;

    /// <summary>Independent random starts; the one whose gradient matches best is kept.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Stopping rule: when the objective has not improved by <see cref="Tolerance"/> for this many steps, the
    /// learning rate drops to its next stage early; at the last stage (η·10⁻³) the restart ends.</summary>
    public int Patience { get; init; } = 100;

    /// <summary>Improvement of the objective, relative to the best so far (but at least this times 10⁻³ absolute), that
    /// counts as a change for <see cref="Patience"/>.</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Adam is fed the sign of the objective's gradient on the dummies (Geiping et al.'s signed Adam), which
    /// is steadier than the raw gradient when the gradient distance is nearly flat.</summary>
    public bool SignedGradients { get; init; } = true;

    /// <summary>Box the dummy inputs are clamped to after each step, in the model's input space (e.g. the normalised
    /// image of pixel 0 and pixel 1); null leaves them free.</summary>
    public (double Low, double High)? InputBounds { get; init; }

    /// <summary>Draws the starting dummies: the same seed, model and target give the same reconstruction.</summary>
    public long Seed { get; init; } = 1;

    internal void Validate()
    {
        if (Iterations < 1 || Restarts < 1 || Patience < 1)
            throw new ArgumentException($"Gradient inversion needs iterations, restarts and patience of at least 1: {this}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentException($"Gradient inversion's learning rate must be a positive number, got {LearningRate}.");
        if (!(TotalVariation >= 0) || !(Tolerance >= 0))
            throw new ArgumentException($"Total-variation weight and tolerance must be ≥ 0: {TotalVariation}, {Tolerance}.");
        if (InputBounds is { } b && !(b.Low < b.High))
            throw new ArgumentException($"Input bounds ({b.Low}, {b.High}) need low < high.");
    }
}

/// <summary>How the dummy batch's gradient is compared with the target gradient, over all parameters at once.</summary>
public enum GradientDistance
{
    /// <summary>1 − ⟨g, t⟩ / (‖g‖·‖t‖) (Geiping et al., eq. 4): ignores the gradient's scale.</summary>
    Cosine,

    /// <summary>‖g − t‖² (Zhu et al., DLG, eq. 4).</summary>
    L2,
}

/// <summary>What the attacker knows about the labels of the batch behind an update.</summary>
public enum LabelKnowledge
{
    /// <summary>Nothing: dummy soft labels are optimised with the inputs (DLG).</summary>
    None,

    /// <summary>The labels and counts RLG reveals from the projection layer's weight and bias gradient.</summary>
    Rlg,

    /// <summary>The true labels (an upper bound for any label attack).</summary>
    True,
}

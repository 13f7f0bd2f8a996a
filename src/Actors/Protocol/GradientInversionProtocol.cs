namespace ActorTrain.Actors.Protocol;

/// <summary>
/// What the tap's online gradient inversion (<c>run --attack invert</c> on a data-parallel run) made of one worker
/// update: the batch reconstructed from the update and the weights it was computed on. Published on
/// <see cref="TapTopics.Inverted"/> and written to the run's inverted.jsonl. Scores are against the batch's recorded
/// truth (--record-labels, --record-inputs), which the attack never reads; null without it.
/// </summary>
/// <param name="Version">The weights version the update was computed on.</param>
/// <param name="Labels">The labels the reconstruction carried, ascending (the joint regime's arg-max per dummy).</param>
/// <param name="TrueLabels">The batch's recorded labels, ascending.</param>
/// <param name="LabelAccuracy">Multiset overlap of <paramref name="Labels"/> with the true labels, / batch size.</param>
/// <param name="Mse">Against the recorded inputs in [0, 1], each reconstruction paired with its closest true image
/// (also <paramref name="Psnr"/>, dB with data range 1, and <paramref name="Ssim"/>).</param>
/// <param name="GradientDistance">The attack's final gradient-matching distance (cosine by default).</param>
/// <param name="Iterations">Optimisation steps taken over all restarts.</param>
/// <param name="Seconds">Wall-clock time of the inversion, RLG included.</param>
public sealed record UpdateInverted(
    string RunId, long Version, string WorkerId, int BatchSize, long[] Labels, long[]? TrueLabels, double? LabelAccuracy,
    double? Mse, double? Psnr, double? Ssim, double GradientDistance, int Iterations, double Seconds) : IControlMessage;

/// <summary>
/// The online gradient inversion's part of a <see cref="TapReport"/>: inverted updates are
/// <see cref="TapReport.UpdatesAttacked"/>, dropped ones <see cref="TapReport.Dropped"/>, and <see cref="TapReport.Failed"/>
/// counts updates that could not be inverted, <paramref name="WithoutWeights"/> of them because no weights came with them.
/// Means are NaN until an update with that truth recorded was inverted.
/// </summary>
/// <param name="Labels">The label regime: none, rlg or true.</param>
/// <param name="Scored">Inverted updates scored against their recorded inputs (image means are over these).</param>
/// <param name="LabelsScored">Inverted updates scored against their recorded labels.</param>
public sealed record GradientInversionReport(
    string Labels, int Iterations, int Restarts, long WithoutWeights, long Scored, long LabelsScored,
    double Mse, double Psnr, double Ssim, double LabelAccuracy) : IControlMessage;

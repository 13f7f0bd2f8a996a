using System.Globalization;
using ActorTrain.Actors.Protocol;

namespace ActorTrain.Nodes.Reports;

/// <summary>
/// The "inversion" object of a data-parallel run with <c>--attack invert</c>: what the tap's online gradient inversion
/// saw and how well it reconstructed the batches (image scores null without --record-inputs, label accuracy null
/// without --record-labels).
/// </summary>
/// <param name="Attack">"gradient inversion", telling this object from a split run's.</param>
/// <param name="Labels">The label regime: none, rlg or true.</param>
/// <param name="UpdatesSeen">Worker updates that reached the tap.</param>
/// <param name="UpdatesInverted">Updates reconstructed.</param>
/// <param name="Dropped">Updates dropped unseen because the tap fell behind (its queue is bounded).</param>
/// <param name="Failed">Updates that could not be inverted (logged), <paramref name="WithoutWeights"/> of them for lack of weights.</param>
/// <param name="Scored">Inverted updates scored against their recorded inputs (the image means are over these).</param>
/// <param name="LabelAccuracy">Mean multiset overlap of the reconstruction's labels with the recorded ones.</param>
/// <param name="MeanSeconds">Mean seconds per inverted update.</param>
public sealed record GradientInversionSummary(
    string Attack, string Labels, int Iterations, int Restarts, long UpdatesSeen, long UpdatesInverted, long Dropped, long Failed, long WithoutWeights,
    long Unfinished, long Scored, double? Mse, double? Psnr, double? Ssim, long LabelsScored, double? LabelAccuracy, double? MeanSeconds)
    : IInversionSummary
{
    /// <returns>Null when the tap did not invert worker updates.</returns>
    public static GradientInversionSummary? From(TapReport report) => report.Gradients is not { } g
        ? null
        : new("gradient inversion", g.Labels, g.Iterations, g.Restarts, report.UpdatesSeen, report.UpdatesAttacked, report.Dropped, report.Failed,
            g.WithoutWeights, report.UpdatesSeen - report.UpdatesAttacked - report.Failed - report.Dropped, g.Scored,
            Finite(g.Mse), Finite(g.Psnr), Finite(g.Ssim), g.LabelsScored, Finite(g.LabelAccuracy), Finite(report.MeanSeconds));

    /// <summary>One line for the console.</summary>
    public string Describe()
    {
        var line = $"inversion tap (gradients, labels {Labels}, {Iterations} steps × {Restarts}): {UpdatesSeen} updates seen, {UpdatesInverted} inverted, {Dropped} dropped, {Failed} failed";
        if (WithoutWeights > 0) line += $" ({WithoutWeights} without weights)";
        if (Unfinished > 0) line += $", {Unfinished} unfinished";
        if (MeanSeconds is { } s) line += string.Create(CultureInfo.InvariantCulture, $", {s:F2} s each");
        if (LabelAccuracy is { } a) line += string.Create(CultureInfo.InvariantCulture, $"; label accuracy {a:F3} over {LabelsScored}");
        if (Scored == 0) return line + (UpdatesInverted > 0 ? "; no recorded inputs to score against (--record-inputs)" : "");
        return line + string.Create(CultureInfo.InvariantCulture, $"; over {Scored} updates: PSNR {Psnr:F2} dB, SSIM {Ssim:F3}, MSE {Mse:F4}");
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

using System.Globalization;
using ActorTrain.Actors.Protocol;

namespace ActorTrain.Nodes.Reports;

/// <summary>
/// The "inversion" object of a split run's result: what the inversion tap saw, and how well it reconstructed the
/// inputs against the mean-image baseline on the same batches (scores null without --record-inputs).
/// </summary>
/// <param name="BatchesSeen">Activation batches that reached the tap.</param>
/// <param name="BatchesAttacked">Batches reconstructed.</param>
/// <param name="Unattacked">Batches that came before the first decoder (or failed); logged.</param>
/// <param name="Dropped">Batches dropped unseen because the tap fell behind (bounded queue).</param>
/// <param name="WeightsSeen">Client-weight snapshots the split server received.</param>
/// <param name="DecoderTrainings">Decoders trained on them.</param>
/// <param name="Scored">Attacked batches scored against their recorded inputs.</param>
/// <param name="DecoderSeconds">Mean seconds to train one decoder.</param>
public sealed record InversionSummary(
    long BatchesSeen, long BatchesAttacked, long Unattacked, long Dropped, long Unfinished, long WeightsSeen, long DecoderTrainings,
    int AuxiliarySamples, long Scored, long ScoredSamples, double? DecoderSeconds,
    double? Mse, double? Psnr, double? Ssim, double? BaselineMse, double? BaselinePsnr, double? BaselineSsim) : IInversionSummary
{
    /// <returns>Null when the tap was not an inversion tap.</returns>
    public static InversionSummary? From(TapReport report) => report.Inversion is not { } i
        ? null
        : new(report.UpdatesSeen, report.UpdatesAttacked, report.Failed, report.Dropped,
            report.UpdatesSeen - report.UpdatesAttacked - report.Failed - report.Dropped, i.WeightsSeen, i.DecoderTrainings,
            i.AuxiliarySamples, i.Scored, i.ScoredSamples, Finite(i.MeanDecoderSeconds),
            Finite(i.Mse), Finite(i.Psnr), Finite(i.Ssim), Finite(i.BaselineMse), Finite(i.BaselinePsnr), Finite(i.BaselineSsim));

    /// <summary>One line for the console.</summary>
    public string Describe()
    {
        var line = $"inversion tap: {BatchesSeen} batches seen, {BatchesAttacked} attacked, {Dropped} dropped, {Unattacked} before a decoder; " +
                   $"{DecoderTrainings} decoder(s) trained on {WeightsSeen} weight snapshot(s), {AuxiliarySamples} auxiliary images";
        if (Unfinished > 0) line += $", {Unfinished} unfinished";
        if (Scored == 0) return line + (BatchesAttacked > 0 ? "; no recorded inputs to score against (--record-inputs)" : "");
        return line + string.Create(CultureInfo.InvariantCulture,
            $"; over {Scored} batches: SSIM {Ssim:F3} (mean image {BaselineSsim:F3}), PSNR {Psnr:F2} dB (mean image {BaselinePsnr:F2}), MSE {Mse:F4} (mean image {BaselineMse:F4})");
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

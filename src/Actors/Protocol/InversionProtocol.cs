namespace ActorTrain.Actors.Protocol;

/// <summary>
/// The inversion tap → every client of the run (on <see cref="InversionTopics.InputRequests"/>): under
/// <see cref="RunSpec.RecordInputs"/>, send me (the sender) each batch's raw inputs as <see cref="SplitPayload.Inputs"/>.
/// Published again every few seconds so clients that join later hear it; clients ignore it in any other run.
/// </summary>
public sealed record SubscribeInputs(string RunId) : IControlMessage;

/// <summary>
/// What the inversion tap did with one activation batch: the reconstruction was made with the
/// <paramref name="Decoder"/>-th decoder (trained on the newest client-weight snapshot then); scores are against the batch's true inputs when the run
/// records them (<see cref="RunSpec.RecordInputs"/>), with the mean-image baseline on the same images.
/// </summary>
/// <param name="Step">The client's batch counter.</param>
/// <param name="Seconds">Time to reconstruct the batch.</param>
/// <param name="Score">Null when the batch's inputs were not recorded.</param>
public sealed record BatchInverted(
    string RunId, string WorkerId, long Step, int Samples, long Decoder, double Seconds, InversionScoreLine? Score, InversionScoreLine? Baseline)
    : IControlMessage;

/// <summary>MSE, PSNR (dB, data range 1) and SSIM of one batch's images.</summary>
public sealed record InversionScoreLine(double Mse, double Psnr, double Ssim);

/// <summary>
/// The inversion tap's part of a <see cref="TapReport"/>. Batches seen, dropped and queued are the report's own
/// counts (<see cref="TapReport.UpdatesSeen"/>, …); attacked batches are <see cref="TapReport.UpdatesAttacked"/>,
/// batches that arrived before any decoder existed <see cref="TapReport.Failed"/>. Scores are NaN until a batch
/// with recorded inputs was attacked.
/// </summary>
/// <param name="WeightsSeen">Client-weight snapshots the split server received and passed on.</param>
/// <param name="DecoderTrainings">Decoders trained (one per snapshot, the newest when several waited).</param>
/// <param name="Scored">Attacked batches whose true inputs were recorded.</param>
/// <param name="AuxiliarySamples">Training images the attacker holds.</param>
/// <param name="MeanDecoderSeconds">Mean time to train one decoder.</param>
public sealed record InversionReport(
    long WeightsSeen, long DecoderTrainings, long Scored, long ScoredSamples, int AuxiliarySamples, double MeanDecoderSeconds,
    double Mse, double Psnr, double Ssim, double BaselineMse, double BaselinePsnr, double BaselineSsim) : IControlMessage;

/// <summary>Topic names of the inversion tap on DistributedPubSub.</summary>
public static class InversionTopics
{
    /// <summary>Where the tap asks the run's clients for their batches' inputs (<see cref="SubscribeInputs"/>).</summary>
    public static string InputRequests(string runId) => $"actortrain.inputs.{runId}";
}

using System.Globalization;
using ActorTrain.Tensors.Compression;
using ActorTrain.Tensors.Defenses;

namespace ActorTrain.Nodes.Reports;

/// <summary>
/// The "updates" object of a cluster run's result: what the workers did to their updates, what the parameter server
/// received (bytes of update values per step against float32), and with noise, the (ε, δ) the RDP accountant gives.
/// </summary>
/// <param name="Transforms">Label of the worker transforms (e.g. "clip 1 σ 0.5 + topk 0.01"), "none" without any.</param>
/// <param name="BytesPerStep">Update-value bytes received per applied step (compressed payloads at their size).</param>
/// <param name="DenseBytesPerStep">The same updates as float32.</param>
/// <param name="Privacy">With clipping and noise; null otherwise.</param>
public sealed record UpdateWireSummary(
    string Transforms, double BytesPerStep, double DenseBytesPerStep, double CompressionRatio, PrivacySummary? Privacy)
{
    /// <param name="workerBatch">Samples per worker update; <paramref name="workerShard"/>: the worker's training samples.</param>
    /// <param name="updatesPerWorker">Updates each worker sent (the mechanism's compositions).</param>
    public static UpdateWireSummary From(UpdateTransformOptions transforms, long steps, long bytes, long denseBytes,
        long workerBatch, long workerShard, long updatesPerWorker)
    {
        var perStep = (double)bytes / Math.Max(1, steps);
        var densePerStep = (double)denseBytes / Math.Max(1, steps);
        PrivacySummary? privacy = null;
        if (transforms is { ClipNorm: > 0, NoiseMultiplier: > 0 })
        {
            var q = Math.Min(1.0, (double)workerBatch / Math.Max(1, workerShard));
            var z = transforms.NoiseMultiplier / 2; // update-level clipping: one example moves the clipped update by ≤ 2C
            var (epsilon, order) = RdpAccountant.Epsilon(q, z, updatesPerWorker, PrivacySummary.DefaultDelta);
            privacy = new PrivacySummary(epsilon, PrivacySummary.DefaultDelta, q, z, updatesPerWorker, order, PrivacySummary.AccountantName);
        }
        return new UpdateWireSummary(transforms.ToString(), perStep, densePerStep, bytes == 0 ? 1 : densePerStep / perStep, privacy);
    }

    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture,
            $"updates ({Transforms}): {BytesPerStep:N0} bytes per step received, {DenseBytesPerStep:N0} as float32 ({CompressionRatio:F1}× smaller)")
        + (Privacy is { } p
            ? string.Create(CultureInfo.InvariantCulture,
                $"; (ε = {p.Epsilon:F2}, δ = {p.Delta:G2}) per example, {p.Accountant}, q = {p.SamplingRate:G3}, z = {p.NoiseMultiplier:G3}, {p.Steps} steps")
            : "");
}

/// <summary>The privacy a noised run gets per training example, from <see cref="RdpAccountant"/>.</summary>
/// <param name="SamplingRate">q: a worker's batch over its shard.</param>
/// <param name="NoiseMultiplier">z = σ/2: noise standard deviation over the per-example sensitivity 2C of a clipped update.</param>
/// <param name="Steps">Updates one worker sent.</param>
/// <param name="Order">The Rényi order that gave the smallest ε.</param>
public sealed record PrivacySummary(double Epsilon, double Delta, double SamplingRate, double NoiseMultiplier, long Steps, int Order, string Accountant)
{
    public const double DefaultDelta = 1e-5;

    public const string AccountantName = "RDP of the subsampled Gaussian (Mironov et al. 2019, orders 2-256, Balle et al. 2020 conversion)";
}

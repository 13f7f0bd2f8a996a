using ActorTrain.Actors.Protocol;

namespace ActorTrain.Actors.Split;

/// <summary>A split run's defense, as its result reports it.</summary>
/// <param name="Alpha">NoPeek's α (0: noise only).</param>
/// <param name="Noise">none | laplace | gaussian.</param>
/// <param name="NoiseScale">The noise's scale.</param>
/// <param name="BatchesMeasured">
/// Batches whose dCor(X, Z) reached the split server. Published best-effort on the run's topic: the first second or
/// so of a run is lost while the server's subscription spreads to the clients' nodes, so a short run reports few.
/// </param>
/// <param name="MeanDcor">Mean dCor(X, Z) over those batches (before noise); null when none arrived.</param>
/// <param name="FinalDcor">Mean dCor over the last tenth of them: where training left the leakage; null when none arrived.</param>
public sealed record DefenseReport(double Alpha, string Noise, double NoiseScale, long BatchesMeasured, double? MeanDcor, double? FinalDcor);

/// <summary>Collects the <see cref="DefenseMeasured"/> the clients' defense actors publish, in arrival order.</summary>
public sealed class DefenseTally
{
    private readonly List<double> _dcor = [];

    public void Add(DefenseMeasured measured)
    {
        if (double.IsFinite(measured.DistanceCorrelation)) _dcor.Add(measured.DistanceCorrelation);
    }

    /// <returns>Null when the run had no defense.</returns>
    public DefenseReport? Report(SplitSpec split)
    {
        if (!split.Defended) return null;
        if (_dcor.Count == 0) return new DefenseReport(split.Alpha, split.Noise, split.NoiseScale, 0, null, null);
        var last = _dcor.Skip(_dcor.Count - Math.Max(1, _dcor.Count / 10));
        return new DefenseReport(split.Alpha, split.Noise, split.NoiseScale, _dcor.Count, _dcor.Average(), last.Average());
    }
}

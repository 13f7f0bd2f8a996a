using ActorTrain.Tensors.Training;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>What a finished cluster run measured, reported by the parameter server.</summary>
/// <param name="Steps">Versions produced (applied aggregations).</param>
/// <param name="Samples">Training samples that went into applied updates.</param>
/// <param name="TrainingSeconds">From the first step's release to the last step, evaluations excluded.</param>
/// <param name="MaxWorkers">Most workers that took part in one step.</param>
/// <param name="FinalWeights">Weights after the last step, in the store's layout order.</param>
public sealed record RunOutcome(
    string RunId,
    long Steps,
    long Samples,
    double TestAccuracy,
    double FinalLoss,
    double TrainingSeconds,
    long RejectedUpdates,
    IReadOnlyDictionary<string, long> RejectedByReason,
    int MaxWorkers,
    IReadOnlyList<CurvePoint> Losses,
    IReadOnlyList<CurvePoint> TestAccuracies,
    float[] FinalWeights)
{
    /// <summary>The tap's totals when a tap ran beside the run (`run --attack rlg`), taken once it had drained.</summary>
    public Protocol.TapReport? Tap { get; init; }

    /// <summary>Bytes of update values received in accepted updates (compressed payloads at their compressed size).</summary>
    public long UpdateBytes { get; init; }

    /// <summary>What the same accepted updates would have been as float32: the baseline for <see cref="UpdateBytes"/>.</summary>
    public long DenseUpdateBytes { get; init; }

    /// <summary>SplitFed runs: the averaging rounds that averaged at least one client segment; null otherwise.</summary>
    public int? SplitFedRounds { get; init; }

    /// <summary>Defended split runs: the dCor(X, Z) the clients' defense actors measured; null otherwise.</summary>
    public Split.DefenseReport? Defense { get; init; }

    public double SamplesPerSecond => Samples / Math.Max(TrainingSeconds, 1e-9);
}

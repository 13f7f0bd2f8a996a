using ActorTrain.Tensors.Data;

namespace ActorTrain.Actors.Protocol;

/// <summary>
/// What a run trains, sent by the parameter server to every worker that registers: workers need no run
/// configuration of their own, only their data directory and device.
/// </summary>
/// <param name="Mode">sync | async | local-sgd.</param>
/// <param name="GlobalBatchSize">Samples per step across all workers; each worker takes its share.</param>
/// <param name="LocalSteps">Local steps per round in local-sgd mode (the first round's, with an adaptive period).</param>
/// <param name="Split">Split learning (the cut and the clients' defenses); null: data-parallel training.</param>
/// <param name="RecordLabels">Workers send their batches' true labels for the evaluation stream (experiments only).</param>
/// <param name="RecordInputs">Split clients send their batches' raw inputs to the inversion tap (not the server), to score it (experiments only).</param>
/// <param name="Synthetic">The synthetic dataset's parameters when <paramref name="Dataset"/> is "synthetic".</param>
/// <param name="Fortunes">The fortunes dataset's parameters when <paramref name="Dataset"/> is "fortunes", with the
/// parameter server's corpus digest, so a worker whose fortune files differ refuses the run instead of training on other word ids.</param>
/// <param name="LocalStepsMax">local-sgd with an adaptive period: the most local steps a round grows to (0 = fixed period).</param>
/// <param name="PeriodDoubleEvery">Adaptive period: rounds between doublings of the local steps.</param>
public sealed record RunSpec(
    string RunId,
    string Mode,
    string Model,
    int[] Hidden,
    string Dataset,
    SyntheticClassification Synthetic,
    FortunesOptions Fortunes,
    int GlobalBatchSize,
    long Seed,
    string Optimizer,
    double LearningRate,
    double Momentum,
    int LocalSteps,
    bool RecordLabels = false,
    SplitSpec? Split = null,
    bool RecordInputs = false,
    int LocalStepsMax = 0,
    int PeriodDoubleEvery = 1) : IControlMessage
{
    /// <value>Local steps per round (<see cref="Tensors.Training.AveragingPeriod.StepsAt"/> of the round, which is the version a worker computes on).</value>
    public Tensors.Training.AveragingPeriod Period => new(LocalSteps, LocalStepsMax, PeriodDoubleEvery);
}

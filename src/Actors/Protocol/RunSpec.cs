using ActorTrain.Tensors.Data;

namespace ActorTrain.Actors.Protocol;

/// <summary>
/// What a run trains, sent by the parameter server to every worker that registers: workers need no run
/// configuration of their own, only their data directory and device.
/// </summary>
/// <param name="Mode">sync | async | local-sgd.</param>
/// <param name="GlobalBatchSize">Samples per step across all workers; each worker takes its share.</param>
/// <param name="LocalSteps">Local steps per round in local-sgd mode.</param>
/// <param name="RecordLabels">Workers send their batches' true labels for the evaluation stream (experiments only).</param>
/// <param name="Synthetic">The synthetic dataset's parameters when <paramref name="Dataset"/> is "synthetic".</param>
public sealed record RunSpec(
    string RunId,
    string Mode,
    string Model,
    int[] Hidden,
    string Dataset,
    SyntheticClassification Synthetic,
    int GlobalBatchSize,
    long Seed,
    string Optimizer,
    double LearningRate,
    double Momentum,
    int LocalSteps,
    bool RecordLabels = false) : IControlMessage;

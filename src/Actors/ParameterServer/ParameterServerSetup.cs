using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Training;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>Everything a parameter server needs to run one training run.</summary>
/// <param name="CreateStore">Builds the weights (seeded) and the optimizer; called once when the actor starts.</param>
/// <param name="Test">Test split for accuracy measurements.</param>
/// <param name="TrainSamples">Size of the training set: with <paramref name="Epochs"/> it sets the sample budget.</param>
/// <param name="Steps">Versions to produce; null means "until epochs × train samples have been used".</param>
/// <param name="MinWorkers">Workers that must have registered before the first step.</param>
/// <param name="StragglerTimeout">A worker silent this long in a step is dropped from the step.</param>
/// <param name="MaxStaleness">async: largest accepted version lag.</param>
/// <param name="MaxUpdateBytes">Largest accepted update.</param>
/// <param name="StepLogPath">JSON-lines file with one line per applied step, or null.</param>
/// <param name="OnFinished">Called once, on the actor's thread, with the outcome.</param>
/// <param name="Progress">Told after every applied step, on the actor's thread.</param>
/// <param name="Threads">TorchSharp threads for the server's thread (0 = TorchSharp's default, every core).</param>
/// <param name="Persistent">Journal every committed step and snapshot every <paramref name="SnapshotEvery"/> steps
/// (the actor system must configure a journal and snapshot store); a restarted server recovers from them.</param>
/// <param name="Capture">With <paramref name="Persistent"/>: which parts of accepted updates are recorded for replay
/// (default: the projection layer, every version, float32). Labels are recorded when the spec says so.</param>
/// <param name="OnFailed">Called on the actor's thread when the server refuses to run because its journal holds a step
/// or snapshot it cannot use (a <see cref="CorruptJournalException"/>); the run cannot go on, so the host should stop
/// with the message. Once, unless the journal plugin itself could not read the row: then again after each restart
/// until the host stops. A journal that is merely unreachable is not a failure: the server retries.</param>
public sealed record ParameterServerSetup(
    RunSpec Spec,
    Func<ParameterStore> CreateStore,
    LabeledDataset Test,
    int TrainSamples,
    int Epochs,
    long? Steps,
    int EvaluationPoints,
    int MinWorkers,
    TimeSpan StragglerTimeout,
    int MaxStaleness,
    long MaxUpdateBytes,
    string? StepLogPath,
    Action<RunOutcome> OnFinished,
    IProgress<TrainingProgress>? Progress = null,
    int Threads = 0,
    bool Persistent = false,
    int SnapshotEvery = 100,
    CapturePolicy? Capture = null,
    Action<Exception>? OnFailed = null)
{
    public AggregationMode Mode => AggregationModes.Parse(Spec.Mode);

    /// <summary>One journal stream per run.</summary>
    public string PersistenceId => $"parameter-server-{Spec.RunId}";
}

namespace ActorTrain.Actors.Protocol;

/// <summary>Kind of values a worker sends.</summary>
public enum UpdateKind : byte
{
    /// <summary>Mean gradient of the loss over the worker's batch.</summary>
    Gradient = 1,

    /// <summary>Weights after local steps minus the weights the worker started from (local-sgd).</summary>
    WeightDelta = 2,
}

/// <summary>Worker → parameter server (through the singleton proxy): "I exist, give me work".</summary>
/// <param name="WorkerId">Stable id, unique in the cluster: "host:port/wN".</param>
public sealed record RegisterWorker(string WorkerId, string Device) : IControlMessage;

/// <summary>Parameter server → worker: the run the worker has joined.</summary>
public sealed record Welcome(RunSpec Spec) : IControlMessage;

/// <summary>
/// Worker → parameter server: data loaded and model built for the run; count me in. Until then a registered
/// worker is not part of any step, so a slow start never stalls the others.
/// </summary>
public sealed record WorkerReady(string RunId, string WorkerId) : IControlMessage;

/// <summary>
/// Parameter server → worker: compute on these weights (version <paramref name="Version"/>) and report.
/// </summary>
/// <param name="WorkerBatchSize">Samples this worker uses per step.</param>
/// <param name="ShardMembers">Worker ids the data is sharded over (rendezvous hashing with the run's seed).</param>
public sealed record StepOrder(string RunId, long Version, int WorkerBatchSize, string[] ShardMembers, TensorSet Weights) : ITensorMessage;

/// <summary>Worker → parameter server: the update computed on weights <paramref name="Version"/>.</summary>
/// <param name="Labels">The batch's true labels, only when the run records them for evaluation (--record-labels).</param>
/// <param name="Compressed">The values in compressed form (sparse, fp16, sign; docs/wire-format.md) when the worker
/// compresses its updates; then <see cref="TensorSet.Values"/> is empty and the parameter server decodes this first.</param>
/// <param name="Inputs">The batch's raw inputs, [batch size, ...sample shape] row-major, only when a data-parallel run
/// records them for evaluation (--record-inputs): the parameter server writes them to the evaluation stream and strips
/// them before anything attack-facing sees the update, except for subscribers that asked for weights (the online
/// gradient inversion), which score against them and never feed them to the attack.</param>
/// <param name="Weights">Parameter server → subscribers that asked for weights (<see cref="SubscribeUpdates.WithWeights"/>) only:
/// the weights of <paramref name="Version"/>, the ones the worker computed this update on, in the layout of
/// <paramref name="Tensors"/>. Carried on the update itself so the two are queued and dropped together. Never sent by workers.</param>
public sealed record WorkerUpdate(
    string RunId, long Version, string WorkerId, int BatchSize, double Loss, UpdateKind Kind, TensorSet Tensors, long[]? Labels = null,
    Tensors.Compression.CompressedUpdate? Compressed = null, float[]? Inputs = null, float[]? Weights = null)
    : ITensorMessage
{
    /// <value>Bytes of values this update carries on the wire: the compressed payload, or 4 per float32.</value>
    public long ValueBytes => Compressed?.ByteCount ?? Tensors.ByteCount;
}

/// <summary>Parameter server → worker: the update was not applied, and why.</summary>
public sealed record UpdateRejected(string RunId, long Version, string WorkerId, string Reason) : IControlMessage;

/// <summary>Ask the parameter server what it trains; it answers with its <see cref="RunSpec"/> (taps need it to read updates).</summary>
public sealed record GetRunSpec : IControlMessage
{
    public static GetRunSpec Instance { get; } = new();
}

/// <summary>Ask the parameter server where it stands; it answers <see cref="ServerStatus"/>.</summary>
public sealed record GetServerStatus : IControlMessage;

/// <summary>The parameter server's state: version, workers (registered, active), update subscribers, rejections.</summary>
public sealed record ServerStatus(string RunId, long Version, int Workers, int ActiveWorkers, int UpdateSubscribers, long Rejected, bool Finished)
    : IControlMessage;

/// <summary>
/// The parameter server's supervisor → whoever sent it a message while the server was down (its journal failed and
/// it waits to restart): the message was dropped; send it again later. Workers keep registering until it is back.
/// </summary>
public sealed record ServerUnavailable : IControlMessage
{
    public static readonly ServerUnavailable Instance = new();
}

/// <summary>Parameter server → workers: training is over; stop. <paramref name="Failure"/> says why when the run failed (e.g. it diverged).</summary>
public sealed record RunFinished(string RunId, long FinalVersion, string? Failure = null) : IControlMessage;

/// <summary>
/// Worker → parameter server: this worker could not compute its update for <paramref name="Version"/> because its loss
/// or gradient was not finite. The server retries the step and ends the run as diverged when failures keep coming.
/// </summary>
public sealed record StepFailed(string RunId, long Version, string WorkerId, string Reason) : IControlMessage;

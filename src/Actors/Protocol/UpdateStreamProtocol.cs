namespace ActorTrain.Actors.Protocol;

/// <summary>
/// Published on the update stream after the parameter server applied a step. Accepted worker updates are
/// published as the <see cref="WorkerUpdate"/> messages themselves.
/// </summary>
/// <param name="Step">The version the step produced.</param>
/// <param name="Workers">Ids of the workers whose updates went into it.</param>
public sealed record StepApplied(string RunId, long Step, string[] Workers, int Samples, double MeanLoss) : IControlMessage;

/// <summary>
/// Published on the update stream for every accepted worker update: its metadata. The tensors themselves go to
/// the actors that sent <see cref="SubscribeUpdates"/> (through the tensor transport, chunked across nodes:
/// DistributedPubSub cannot carry messages above Akka.Remote's frame size).
/// </summary>
public sealed record UpdateAccepted(string RunId, long Version, string WorkerId, int BatchSize, double Loss, string[] ParameterNames) : IControlMessage;

/// <summary>To the parameter server (through its proxy): send me every accepted <see cref="WorkerUpdate"/> of the run.</summary>
/// <param name="WithWeights">Also attach to each update the weights the worker computed it on (<see cref="WorkerUpdate.Weights"/>)
/// and, when the run records them, the batch's raw inputs (<see cref="WorkerUpdate.Inputs"/>, for scoring only): what the
/// online gradient inversion needs. A subscription without it gets neither, and costs the server nothing extra.</param>
public sealed record SubscribeUpdates(string RunId, bool WithWeights = false) : IControlMessage;

/// <summary>The parameter server's answer to <see cref="SubscribeUpdates"/>; its sender is the server itself.</summary>
public sealed record UpdatesSubscribed(string RunId) : IControlMessage;

/// <summary>Topic names on DistributedPubSub.</summary>
public static class UpdateTopics
{
    /// <summary>The topic a run's updates and steps are published on.</summary>
    public static string For(string runId) => $"actortrain.updates.{runId}";
}

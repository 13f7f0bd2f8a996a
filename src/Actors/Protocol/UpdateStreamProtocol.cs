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
/// online gradient inversion needs. Such a subscriber is sent updates only as it asks for them (<see cref="UpdateDemand"/>)
/// and an <see cref="UpdateWithheld"/> notice for each other one. A subscription without it gets every update, without
/// weights or inputs, and costs the server nothing extra.</param>
/// <param name="Tensors">Only these named tensors of each update (label revelation needs the projection layer's weight and
/// bias, a few KB of a model's MB); null: all of them.</param>
public sealed record SubscribeUpdates(string RunId, bool WithWeights = false, string[]? Tensors = null) : IControlMessage;

/// <summary>
/// A subscriber that asked for weights → the parameter server: send me the next <paramref name="Count"/> accepted
/// updates with their weights (credit, added to what is left). An update with its weights costs the server two copies
/// of the model, so it makes them only for a subscriber ready to use them; for every other accepted update such a
/// subscriber gets an <see cref="UpdateWithheld"/> notice, which costs nothing.
/// </summary>
public sealed record UpdateDemand(string RunId, int Count) : IControlMessage;

/// <summary>Parameter server → a subscriber that asked for weights and has no credit left: an accepted update it was not sent.</summary>
public sealed record UpdateWithheld(string RunId, long Version, string WorkerId) : IControlMessage;

/// <summary>The parameter server's answer to <see cref="SubscribeUpdates"/>; its sender is the server itself.</summary>
public sealed record UpdatesSubscribed(string RunId) : IControlMessage;

/// <summary>Topic names on DistributedPubSub.</summary>
public static class UpdateTopics
{
    /// <summary>The topic a run's updates and steps are published on.</summary>
    public static string For(string runId) => $"actortrain.updates.{runId}";
}

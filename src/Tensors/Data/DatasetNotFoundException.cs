namespace ActorTrain.Tensors.Data;

/// <summary>A dataset that is not where ActorTrain looked; the message says how to install it or where to point.</summary>
public sealed class DatasetNotFoundException(string message) : Exception(message);

namespace ActorTrain.Actors.Protocol;

/// <summary>Every message ActorTrain sends between actors. Nothing implementing it may fall back to JSON.</summary>
public interface IActorTrainMessage;

/// <summary>Small control messages, serialized by <see cref="Serialization.HyperionControlSerializer"/>.</summary>
public interface IControlMessage : IActorTrainMessage;

/// <summary>
/// Messages that carry tensors, serialized by <see cref="Serialization.TensorMessageSerializer"/> (raw
/// little-endian bytes, CRC-32C) and sent through <see cref="Transport.TensorTransport"/>, which chunks them below
/// Akka.Remote's frame size.
/// </summary>
public interface ITensorMessage : IActorTrainMessage;

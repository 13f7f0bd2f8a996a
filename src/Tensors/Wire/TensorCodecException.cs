namespace ActorTrain.Tensors.Wire;

/// <summary>An encoded tensor that cannot be trusted: malformed header, wrong length or failed checksum.</summary>
public sealed class TensorCodecException(string problem) : Exception($"Tensor payload rejected: {problem}.");

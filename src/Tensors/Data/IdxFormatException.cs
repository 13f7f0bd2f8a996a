namespace ActorTrain.Tensors.Data;

/// <summary>An IDX file that is truncated, corrupt or not IDX at all; the message names the file and the fault.</summary>
public sealed class IdxFormatException(string path, string problem)
    : Exception($"{path}: {problem}")
{
    public string Path { get; } = path;
}

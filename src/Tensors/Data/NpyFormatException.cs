namespace ActorTrain.Tensors.Data;

/// <summary>
/// A <c>.npy</c> file that is truncated, corrupt or holds something other than a float32/float64 array of the accepted rank; the
/// message names the file and the fault. An <see cref="IOException"/>: the file cannot be used as input.
/// </summary>
public sealed class NpyFormatException(string path, string problem)
    : IOException($"{path}: {problem}")
{
    public string Path { get; } = path;
}

namespace ActorTrain.Actors.Protocol;

/// <summary>
/// Named float32 tensors stored back to back in one flat vector (the order of <see cref="Names"/>), so a whole
/// update is summed, validated and sent as a single buffer. Treat <see cref="Values"/> as immutable once sent:
/// in-process recipients share the array.
/// </summary>
public sealed record TensorSet(string[] Names, long[][] Shapes, float[] Values)
{
    public static TensorSet FromLayout(Tensors.Training.ParameterLayout layout, float[] values) =>
        new(layout.Slots.Select(s => s.Name).ToArray(), layout.Slots.Select(s => s.Shape).ToArray(), values);

    /// <value>Bytes of tensor data.</value>
    public long ByteCount => 4L * Values.Length;
}

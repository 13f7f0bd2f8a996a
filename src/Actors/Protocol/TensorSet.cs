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

    /// <summary>A copy holding only the named tensors, in this set's order; names it lacks are left out.</summary>
    public TensorSet Only(IReadOnlyCollection<string> names)
    {
        var kept = new List<(string Name, long[] Shape, int Offset, int Length)>();
        var offset = 0;
        for (var i = 0; i < Names.Length; i++)
        {
            var length = (int)Shapes[i].Aggregate(1L, (a, b) => a * b);
            if (names.Contains(Names[i])) kept.Add((Names[i], Shapes[i], offset, length));
            offset += length;
        }
        var values = new float[kept.Sum(k => k.Length)];
        var at = 0;
        foreach (var k in kept)
        {
            Values.AsSpan(k.Offset, k.Length).CopyTo(values.AsSpan(at));
            at += k.Length;
        }
        return new TensorSet(kept.Select(k => k.Name).ToArray(), kept.Select(k => k.Shape).ToArray(), values);
    }

    /// <value>Bytes of tensor data.</value>
    public long ByteCount => 4L * Values.Length;
}

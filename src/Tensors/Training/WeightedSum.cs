using System.Numerics;
using System.Runtime.InteropServices;

namespace ActorTrain.Tensors.Training;

/// <summary>Vectorised weighted sums of flat float32 vectors: how the parameter server averages updates.</summary>
public static class WeightedSum
{
    /// <summary>Elements per block: a block of the destination stays in L1/L2 while every source is added to it.</summary>
    private const int BlockLength = 8192;

    /// <summary>destination = Σ weights[k] · sources[k], element by element, in one pass over memory.</summary>
    public static void Compute(IReadOnlyList<float[]> sources, IReadOnlyList<float> weights, Span<float> destination)
    {
        if (sources.Count != weights.Count) throw new ArgumentException($"{sources.Count} sources but {weights.Count} weights.");
        if (sources.Count == 0) throw new ArgumentException("Nothing to sum.");
        foreach (var s in sources)
            if (s.Length != destination.Length)
                throw new ArgumentException($"Source of length {s.Length} does not match destination length {destination.Length}.");
        for (var start = 0; start < destination.Length; start += BlockLength)
        {
            var length = Math.Min(BlockLength, destination.Length - start);
            var block = destination.Slice(start, length);
            Scale(sources[0].AsSpan(start, length), weights[0], block);
            for (var k = 1; k < sources.Count; k++) AddScaled(sources[k].AsSpan(start, length), weights[k], block);
        }
    }

    /// <summary>destination = weight · source.</summary>
    public static void Scale(ReadOnlySpan<float> source, float weight, Span<float> destination)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(source);
        var outputs = MemoryMarshal.Cast<float, Vector<float>>(destination);
        var w = new Vector<float>(weight);
        for (var i = 0; i < vectors.Length; i++) outputs[i] = vectors[i] * w;
        for (var i = vectors.Length * Vector<float>.Count; i < source.Length; i++) destination[i] = source[i] * weight;
    }

    /// <summary>destination += weight · source.</summary>
    public static void AddScaled(ReadOnlySpan<float> source, float weight, Span<float> destination)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(source);
        var outputs = MemoryMarshal.Cast<float, Vector<float>>(destination);
        var w = new Vector<float>(weight);
        for (var i = 0; i < vectors.Length; i++) outputs[i] = Vector.FusedMultiplyAdd(vectors[i], w, outputs[i]);
        for (var i = vectors.Length * Vector<float>.Count; i < source.Length; i++) destination[i] = MathF.FusedMultiplyAdd(source[i], weight, destination[i]);
    }

    /// <summary>True when every element is finite (no NaN, no ±∞).</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        // x − x is 0 for finite x and NaN for NaN and ±∞; NaN never equals itself.
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var accumulator = Vector<float>.Zero;
        for (var i = 0; i < vectors.Length; i++) accumulator += vectors[i] - vectors[i];
        if (!Vector.EqualsAll(accumulator, Vector<float>.Zero)) return false;
        for (var i = vectors.Length * Vector<float>.Count; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return false;
        return true;
    }
}

namespace ActorTrain.Tensors.Compression;

/// <summary>fp16 transport as a compressor: each value rounded to the nearest binary16 (saturating at ±65504 rather
/// than overflowing to infinity), so what the worker keeps as residual is exactly what the wire loses.</summary>
public sealed class HalfRounding(IUpdateCompressor? inner = null) : IUpdateCompressor
{
    private const float HalfMax = 65504f;

    /// <value>Runs first (top-k, GaussianK); null for fp16 alone.</value>
    public IUpdateCompressor? Inner { get; } = inner is null or HalfRounding ? inner : inner.Encoding == UpdateEncoding.Sparse ? inner
        : throw new ArgumentException($"fp16 composes with sparsification only; {inner.GetType().Name} sends its own form.");

    public UpdateEncoding Encoding => Inner is null ? UpdateEncoding.Half : UpdateEncoding.SparseHalf;

    public void Compress(ReadOnlySpan<float> input, Span<float> output)
    {
        if (Inner is null) input.CopyTo(output);
        else Inner.Compress(input, output);
        for (var i = 0; i < output.Length; i++) output[i] = Round(output[i]);
    }

    /// <summary>The binary16 value nearest <paramref name="value"/>, as float32.</summary>
    public static float Round(float value) => (float)(Half)Math.Clamp(value, -HalfMax, HalfMax);
}

namespace ActorTrain.Tensors.Compression;

/// <summary>
/// Scaled sign compression (signSGD with error feedback, Karimireddy et al. 2019, "EF-SignSGD"): each tensor becomes
/// scale·sign(x) with scale = mean |x| over that tensor (its L1 norm / n), so one float and one bit per element travel.
/// Zero maps to +scale.
/// </summary>
/// <param name="segments">Element count of each tensor, in update order.</param>
public sealed class SignCompression(IReadOnlyList<int> segments) : IUpdateCompressor
{
    public IReadOnlyList<int> Segments { get; } = segments;

    public UpdateEncoding Encoding => UpdateEncoding.Sign;

    public void Compress(ReadOnlySpan<float> input, Span<float> output)
    {
        var total = Segments.Sum(s => (long)s);
        if (total != input.Length) throw new ArgumentException($"Sign compression: the tensors hold {total} elements, the update {input.Length}.");
        var start = 0;
        foreach (var length in Segments)
        {
            var segment = input.Slice(start, length);
            double l1 = 0;
            foreach (var v in segment) l1 += Math.Abs(v);
            var scale = length == 0 ? 0f : (float)(l1 / length);
            for (var i = 0; i < length; i++) output[start + i] = segment[i] < 0 ? -scale : scale;
            start += length;
        }
    }
}

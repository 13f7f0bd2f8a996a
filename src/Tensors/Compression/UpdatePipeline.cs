using ActorTrain.Tensors.Defenses;

namespace ActorTrain.Tensors.Compression;

/// <summary>
/// One worker's update transforms (<see cref="UpdateTransformOptions"/>), with the state they keep between steps: the
/// noise generator and the error-feedback residual. Not thread-safe; one per worker.
/// </summary>
public sealed class UpdatePipeline
{
    private readonly UpdateClipping? _clipping;
    private readonly ErrorFeedback? _feedback;
    private readonly int[] _segments;

    /// <param name="segments">Element count of each tensor in update order (sign compression scales per tensor).</param>
    /// <param name="seed">Seeds the noise; give each worker its own.</param>
    public UpdatePipeline(UpdateTransformOptions options, IReadOnlyList<int> segments, int seed)
    {
        if (options.Problem() is { } problem) throw new ArgumentException($"Update transforms: {problem}.");
        Options = options;
        _segments = [.. segments];
        var length = _segments.Sum();
        if (options.ClipNorm > 0) _clipping = new UpdateClipping(options.ClipNorm, options.NoiseMultiplier, seed);
        IUpdateCompressor? compressor = options.Compression switch
        {
            "topk" => new TopK(options.Ratio),
            "gaussiank" => new GaussianK(options.Ratio),
            "sign" => new SignCompression(_segments),
            _ => null,
        };
        if (options.Half) compressor = new HalfRounding(compressor);
        if (compressor is not null) _feedback = new ErrorFeedback(compressor, length);
    }

    public UpdateTransformOptions Options { get; }

    /// <value>How the output travels: Dense when nothing compresses.</value>
    public UpdateEncoding Encoding => _feedback?.Compressor.Encoding ?? UpdateEncoding.Dense;

    /// <value>The residual error feedback keeps (empty without compression).</value>
    public ReadOnlySpan<float> Residual => _feedback is null ? [] : _feedback.Residual;

    /// <summary>
    /// Transforms <paramref name="update"/> (clipped and noised in place) and returns what the parameter server will
    /// decode: the dense values, and their encoded form (null when the update travels as plain float32).
    /// </summary>
    public (float[] Values, CompressedUpdate? Encoded) Apply(float[] update)
    {
        _clipping?.Apply(update);
        if (_feedback is null) return (update, null);
        var sent = _feedback.Apply(update);
        return (sent, UpdateCodec.Encode(sent, Encoding, _segments));
    }
}

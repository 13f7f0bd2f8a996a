namespace ActorTrain.Tensors.Compression;

/// <summary>A lossy map from an update to what is sent; <see cref="ErrorFeedback"/> keeps what it dropped.</summary>
public interface IUpdateCompressor
{
    /// <summary>The transport form the output fits (<see cref="UpdateCodec.Encode"/>).</summary>
    UpdateEncoding Encoding { get; }

    /// <summary>Writes the compressed update (dense, same length) to <paramref name="output"/>.</summary>
    void Compress(ReadOnlySpan<float> input, Span<float> output);
}

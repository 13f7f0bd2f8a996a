namespace ActorTrain.Tensors.Compression;

/// <summary>An update's values in their transport form (<see cref="UpdateCodec"/>): what the worker sends and the
/// parameter server decodes before it aggregates.</summary>
/// <param name="Length">Elements of the dense update it decodes to.</param>
/// <param name="Payload">The encoded bytes (layout per <see cref="UpdateEncoding"/>).</param>
public sealed record CompressedUpdate(UpdateEncoding Encoding, int Length, byte[] Payload)
{
    /// <value>Bytes of encoded values (what shrinks on the wire).</value>
    public long ByteCount => Payload.Length;
}

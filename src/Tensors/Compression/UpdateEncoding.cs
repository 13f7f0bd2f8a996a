namespace ActorTrain.Tensors.Compression;

/// <summary>How an update's values travel; the byte value is what goes on the wire (docs/wire-format.md).</summary>
public enum UpdateEncoding : byte
{
    /// <summary>float32 per element (no compression).</summary>
    Dense = 1,

    /// <summary>IEEE binary16 per element.</summary>
    Half = 2,

    /// <summary>Kept entries only: count, int32 indices (ascending), float32 values.</summary>
    Sparse = 3,

    /// <summary>Kept entries only: count, int32 indices (ascending), binary16 values.</summary>
    SparseHalf = 4,

    /// <summary>Per tensor one float32 scale, then one bit per element (1 = negative): value = ±scale.</summary>
    Sign = 5,
}

namespace ActorTrain.Tensors.Wire;

/// <summary>What a tensor payload says about itself: element type and shape.</summary>
public sealed record TensorHeader(WireDType DType, long[] Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <value>Bytes of raw element data.</value>
    public long PayloadLength => checked(ElementCount * DType.Size());

    public bool Equals(TensorHeader? other) => other is not null && DType == other.DType && Shape.SequenceEqual(other.Shape);

    public override int GetHashCode() => HashCode.Combine(DType, Shape.Length, Shape.Length > 0 ? Shape[0] : 0);

    public override string ToString() => $"{DType}[{string.Join(", ", Shape)}]";
}

namespace ActorTrain.Tensors.Data;

/// <summary>The contents of one IDX file of unsigned bytes: its dimensions and its elements in row-major order.</summary>
public sealed record IdxArray(int[] Dimensions, byte[] Elements)
{
    /// <summary>Elements per item: the product of every dimension after the first.</summary>
    public int ItemSize => Dimensions.Skip(1).Aggregate(1, (a, b) => a * b);

    public int ItemCount => Dimensions[0];
}

namespace ActorTrain.Tensors.Data;

/// <summary>A float array read from a <c>.npy</c> file, in row-major (C) order whatever the file's order.</summary>
/// <param name="Shape">One or more positive dimensions (at most two unless the reader was asked for more).</param>
/// <param name="Values">The elements, row-major, widened to double (exact for float32).</param>
/// <param name="BytesPerElement">4 for float32, 8 for float64: the precision the file carried.</param>
public sealed record NpyArray(int[] Shape, double[] Values, int BytesPerElement)
{
    public int Rows => Shape[0];

    /// <summary>Values per row: the product of the dimensions after the first (the second dimension in 2-D, 1 in 1-D).</summary>
    public int Columns => Shape.Skip(1).Aggregate(1, (product, n) => product * n);
}

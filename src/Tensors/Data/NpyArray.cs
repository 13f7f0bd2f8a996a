namespace ActorTrain.Tensors.Data;

/// <summary>A 1-D or 2-D float array read from a <c>.npy</c> file, in row-major (C) order whatever the file's order.</summary>
/// <param name="Shape">One or two positive dimensions.</param>
/// <param name="Values">The elements, row-major, widened to double (exact for float32).</param>
/// <param name="BytesPerElement">4 for float32, 8 for float64: the precision the file carried.</param>
public sealed record NpyArray(int[] Shape, double[] Values, int BytesPerElement)
{
    public int Rows => Shape[0];

    /// <summary>Second dimension; 1 for a 1-D array.</summary>
    public int Columns => Shape.Length == 2 ? Shape[1] : 1;
}

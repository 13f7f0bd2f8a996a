namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// The class points q_c scaled to unit length, without the (numerically) zero ones. The separability test only sees
/// directions: rᵀq_c &lt; 0 and q_c ∈ cone(others) are both invariant under q_c → a·q_c, a &gt; 0. A zero point lies in
/// every cone (absent) and adds nothing to one, so it is dropped.
/// </summary>
internal sealed class UnitPoints
{
    /// <summary>A point this much shorter than the longest counts as zero.</summary>
    public const double ZeroRelativeNorm = 1e-12;

    private UnitPoints(double[] values, int dimension, int[] classes, double[] norms) =>
        (Values, Dimension, Classes, Norms) = (values, dimension, classes, norms);

    /// <summary>Count × <see cref="Dimension"/>, row-major.</summary>
    public double[] Values { get; }

    public int Dimension { get; }

    /// <summary>The class each row belongs to.</summary>
    public int[] Classes { get; }

    /// <summary>‖q_c‖ before scaling (the reference code's ranking for its restricted constraint set).</summary>
    public double[] Norms { get; }

    public int Count => Classes.Length;

    public ReadOnlySpan<double> Row(int index) => Values.AsSpan(index * Dimension, Dimension);

    /// <param name="points">classes × <paramref name="dimension"/>, row-major.</param>
    public static UnitPoints From(double[] points, int dimension)
    {
        var classes = points.Length / dimension;
        var norms = new double[classes];
        for (var c = 0; c < classes; c++)
        {
            var row = points.AsSpan(c * dimension, dimension);
            norms[c] = Math.Sqrt(VectorMath.Dot(row, row));
        }
        var floor = ZeroRelativeNorm * norms.DefaultIfEmpty(0).Max();
        var kept = Enumerable.Range(0, classes).Where(c => norms[c] > floor).ToArray();
        var values = new double[kept.Length * dimension];
        for (var i = 0; i < kept.Length; i++)
        {
            var target = values.AsSpan(i * dimension, dimension);
            points.AsSpan(kept[i] * dimension, dimension).CopyTo(target);
            VectorMath.Scale(target, 1 / norms[kept[i]]);
        }
        return new UnitPoints(values, dimension, kept, kept.Select(c => norms[c]).ToArray());
    }
}

namespace ActorTrain.Tensors.Tests.Defenses;

/// <summary>
/// Sample distance correlation the textbook way, in double precision with plain loops: explicit Euclidean distances,
/// double centring for the V-statistic (Székely et al. 2007) and U-centring for the bias-corrected form (Székely and
/// Rizzo 2014). Independent of the library's Gram-matrix, tensor implementation.
/// </summary>
internal static class TextbookDistanceCorrelation
{
    public static (double Squared, double Unbiased) Of(double[][] x, double[][] z)
    {
        var a = Distances(x);
        var b = Distances(z);
        var (vA, vB) = (DoubleCentred(a), DoubleCentred(b));
        var squared = Inner(vA, vB, false) / Math.Sqrt(Inner(vA, vA, false) * Inner(vB, vB, false));
        var (uA, uB) = (UCentred(a), UCentred(b));
        var unbiased = Inner(uA, uB, true) / Math.Sqrt(Inner(uA, uA, true) * Inner(uB, uB, true));
        return (squared, unbiased);
    }

    private static double[,] Distances(double[][] rows)
    {
        var n = rows.Length;
        var d = new double[n, n];
        for (var j = 0; j < n; j++)
            for (var k = 0; k < n; k++)
            {
                var sum = 0.0;
                for (var c = 0; c < rows[j].Length; c++) sum += (rows[j][c] - rows[k][c]) * (rows[j][c] - rows[k][c]);
                d[j, k] = Math.Sqrt(sum);
            }
        return d;
    }

    private static double[,] DoubleCentred(double[,] a)
    {
        var n = a.GetLength(0);
        var (row, column, all) = Sums(a);
        var centred = new double[n, n];
        for (var j = 0; j < n; j++)
            for (var k = 0; k < n; k++)
                centred[j, k] = a[j, k] - row[j] / n - column[k] / n + all / ((double)n * n);
        return centred;
    }

    private static double[,] UCentred(double[,] a)
    {
        var n = a.GetLength(0);
        var (row, column, all) = Sums(a);
        var centred = new double[n, n];
        for (var j = 0; j < n; j++)
            for (var k = 0; k < n; k++)
                centred[j, k] = j == k ? 0 : a[j, k] - row[j] / (n - 2) - column[k] / (n - 2) + all / ((n - 1.0) * (n - 2));
        return centred;
    }

    /// <summary>V: (1/n²) Σ; U: (1/(n(n−3))) Σ over j ≠ k (the diagonal is 0 anyway).</summary>
    private static double Inner(double[,] a, double[,] b, bool unbiased)
    {
        var n = a.GetLength(0);
        var sum = 0.0;
        for (var j = 0; j < n; j++)
            for (var k = 0; k < n; k++) sum += a[j, k] * b[j, k];
        return unbiased ? sum / ((double)n * (n - 3)) : sum / ((double)n * n);
    }

    private static (double[] Row, double[] Column, double All) Sums(double[,] a)
    {
        var n = a.GetLength(0);
        var row = new double[n];
        var column = new double[n];
        var all = 0.0;
        for (var j = 0; j < n; j++)
            for (var k = 0; k < n; k++)
            {
                row[j] += a[j, k];
                column[k] += a[j, k];
                all += a[j, k];
            }
        return (row, column, all);
    }
}

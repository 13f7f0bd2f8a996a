using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Defenses;

/// <summary>
/// Pairwise Euclidean distances a_ij of n samples, in float64, from their Gram matrix, and the double-centred
/// A_ij = a_ij − ā_i· − ā_·j + ā_·· (Székely et al. 2007, eq. 2.8) on demand; the element-wise half of
/// <see cref="DistanceCorrelation.DcorGradient"/>. Both are symmetric: only the upper triangle is filled.
/// </summary>
internal sealed class DoubleCentredDistances : IDisposable
{
    private readonly int _n;
    private readonly double[] _distances;
    private readonly double[] _rowMeans;
    private readonly double _grandMean;

    private DoubleCentredDistances(int n, double[] distances, double[] rowMeans, double grandMean) =>
        (_n, _distances, _rowMeans, _grandMean) = (n, distances, rowMeans, grandMean);

    /// <summary>
    /// a_ij = √s_ij where s_ij = G_ii + G_jj − G_ij − G_ji exceeds <see cref="DistanceCorrelation.SquaredDistanceFloor"/>,
    /// else 0: the symmetrised Gram identity and the floor of <see cref="DistanceCorrelation.Compute"/>, with the
    /// squared norms read off the diagonal so that s_ii = 0 exactly.
    /// </summary>
    /// <param name="gram">x xᵀ of the (column-centred) samples: n × n, float32 or float64, contiguous, on the CPU.</param>
    public static DoubleCentredDistances Of(Tensor gram) => gram.dtype == ScalarType.Float64
        ? Of(MemoryMarshal.Cast<byte, double>(gram.bytes), (int)gram.shape[0])
        : Of(MemoryMarshal.Cast<byte, float>(gram.bytes), (int)gram.shape[0]);

    private static DoubleCentredDistances Of<T>(ReadOnlySpan<T> g, int n) where T : unmanaged, INumberBase<T>
    {
        // Pooled: one n × n buffer per call and side would otherwise reach the GC every training step.
        var distances = ArrayPool<double>.Shared.Rent(n * n);
        var rowMeans = new double[n];
        for (var i = 0; i < n; i++)
        {
            distances[i * n + i] = 0;
            var gii = double.CreateTruncating(g[i * n + i]);
            double sum = 0;
            for (var j = i + 1; j < n; j++)
            {
                var squared = gii + double.CreateTruncating(g[j * n + j]) - double.CreateTruncating(g[i * n + j]) - double.CreateTruncating(g[j * n + i]);
                var distance = squared > DistanceCorrelation.SquaredDistanceFloor ? Math.Sqrt(squared) : 0;
                distances[i * n + j] = distance;
                sum += distance;
                rowMeans[j] += distance;
            }
            rowMeans[i] += sum;
        }
        double grandMean = 0;
        for (var i = 0; i < n; i++) grandMean += rowMeans[i] /= n;
        return new DoubleCentredDistances(n, distances, rowMeans, grandMean / n);
    }

    public void Dispose() => ArrayPool<double>.Shared.Return(_distances);

    /// <summary>a_ij for i &lt; j.</summary>
    public double Distance(int i, int j) => _distances[i * _n + j];

    /// <summary>A_ij for i ≤ j.</summary>
    public double Centred(int i, int j) => _distances[i * _n + j] - _rowMeans[i] - _rowMeans[j] + _grandMean;

    /// <summary>The V-statistic's inner products (1/n²)⟨A, A⟩, (1/n²)⟨B, B⟩ and (1/n²)⟨A, B⟩ in one pass.</summary>
    public static (double AA, double BB, double AB) Inner(DoubleCentredDistances a, DoubleCentredDistances b)
    {
        double aa = 0, bb = 0, ab = 0;
        for (var i = 0; i < a._n; i++)
        {
            // Each off-diagonal pair counts twice, the diagonal once.
            var (x, y) = (a.Centred(i, i), b.Centred(i, i));
            double rowAa = x * x / 2, rowBb = y * y / 2, rowAb = x * y / 2;
            for (var j = i + 1; j < a._n; j++)
            {
                (x, y) = (a.Centred(i, j), b.Centred(i, j));
                rowAa += x * x;
                rowBb += y * y;
                rowAb += x * y;
            }
            (aa, bb, ab) = (aa + 2 * rowAa, bb + 2 * rowBb, ab + 2 * rowAb);
        }
        var n2 = (double)a._n * a._n;
        return (aa / n2, bb / n2, ab / n2);
    }
}

using System.Numerics;
using System.Runtime.InteropServices;

namespace ActorTrain.Tensors.Attacks;

/// <summary>Vectorised double-precision kernels for the cone computations (rows of length S ≈ 10–1000).</summary>
internal static class VectorMath
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b[..a.Length]);
        var sum = Vector<double>.Zero;
        for (var v = 0; v < va.Length; v++) sum += va[v] * vb[v];
        var total = Vector.Sum(sum);
        for (var i = va.Length * Vector<double>.Count; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    /// <summary>y += alpha · x.</summary>
    public static void AddScaled(Span<double> y, double alpha, ReadOnlySpan<double> x)
    {
        var width = Vector<double>.Count;
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x[..y.Length]);
        for (var v = 0; v < vy.Length; v++) vy[v] += alpha * vx[v];
        for (var i = vy.Length * width; i < y.Length; i++) y[i] += alpha * x[i];
    }

    public static void Scale(Span<double> y, double alpha)
    {
        for (var i = 0; i < y.Length; i++) y[i] *= alpha;
    }
}

using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Defenses;

public static partial class DistanceCorrelation
{
    /// <summary>
    /// dCor(X, Z) and <paramref name="scale"/>·∂dCor/∂Z in closed form, without autograd: the gradient that
    /// <see cref="Compute"/>'s backward pass gives for <see cref="DistanceCorrelationForm.Dcor"/>, floors included,
    /// at a fraction of its cost (NoPeek's per-step term).
    /// </summary>
    /// <remarks>
    /// With a = dist(X), b = dist(Z), A = HaH and B = HbH their double-centred forms (H = I − 11ᵀ/n),
    /// AB = ⟨A, B⟩/n², AA = ⟨A, A⟩/n², BB = ⟨B, B⟩/n², r = AB/√(AA·BB) and dCor = √r: double centring is a
    /// self-adjoint projection, so ∂AB/∂b = A/n² and ∂BB/∂b = 2B/n², and G = ∂dCor/∂b = dCor/(2n²)·(A/AB − B/BB).
    /// Through b_ij = √s_ij with s_ij = ‖z_i‖² + ‖z_j‖² − 2z_i·z_j, ∇_Z dCor = 2(diag(W1) − W)Z with W = G/b, 0 where
    /// s_ij is at or below <see cref="SquaredDistanceFloor"/> (there √ saw the constant floor). The two Gram matrices
    /// and the final product are TorchSharp matrix products; the n × n work between them is one pass or two over
    /// the upper triangle in float64, which keeps A/AB − B/BB (close to cancelling when dCor is near 1) accurate.
    /// </remarks>
    /// <param name="inputs">X, first axis = samples; constant (no gradient).</param>
    /// <param name="activations">Z, first axis = samples, the same n as X.</param>
    /// <param name="scale">Multiplies the gradient (NoPeek's α).</param>
    /// <returns>scale·∂dCor/∂Z with Z's shape, in the working type (float32, or float64 when either is float64), and dCor.</returns>
    internal static (Tensor Gradient, double Dcor) DcorGradient(Tensor inputs, Tensor activations, double scale = 1)
    {
        var n = SampleCount(inputs, activations, 2);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var dtype = WorkingType(inputs, activations);
        var z = CentredOnCpu(activations.detach(), n, dtype);
        using var a = DoubleCentredDistances.Of(Gram(CentredOnCpu(inputs.detach(), n, dtype)));
        using var b = DoubleCentredDistances.Of(Gram(z));
        var (aa, bb, ab) = DoubleCentredDistances.Inner(a, b);
        var (dAb, dBb, dcor) = ScalarGradients(aa, bb, ab);
        if (dAb == 0 && dBb == 0)
            return (zeros(activations.shape, dtype: dtype, device: activations.device).MoveToOuterDisposeScope(), dcor);
        var laplacian = empty(n, n, dtype: dtype);
        var (gA, gB) = (scale * dAb, scale * 2 * dBb);
        if (dtype == ScalarType.Float64) FillLaplacian(MemoryMarshal.Cast<byte, double>(laplacian.bytes), a, b, gA, gB, n);
        else FillLaplacian(MemoryMarshal.Cast<byte, float>(laplacian.bytes), a, b, gA, gB, n);
        return (laplacian.matmul(z).reshape(activations.shape).to(activations.device).MoveToOuterDisposeScope(), dcor);
    }

    /// <summary>
    /// The flattened rows minus their column means, as <see cref="Distances"/> centres them (smaller norms cancel
    /// less in the Gram identity), into a new contiguous CPU tensor: one vectorised pass to sum, one to subtract.
    /// </summary>
    private static Tensor CentredOnCpu(Tensor samples, int n, ScalarType dtype)
    {
        var x = samples.reshape(n, -1).to(dtype, CPU).contiguous();
        var centred = empty_like(x);
        if (dtype == ScalarType.Float64) CentreColumns(MemoryMarshal.Cast<byte, double>(x.bytes), MemoryMarshal.Cast<byte, double>(centred.bytes), n);
        else CentreColumns(MemoryMarshal.Cast<byte, float>(x.bytes), MemoryMarshal.Cast<byte, float>(centred.bytes), n);
        return centred;
    }

    private static void CentreColumns<T>(ReadOnlySpan<T> x, Span<T> centred, int n) where T : unmanaged, INumber<T>
    {
        var d = x.Length / n;
        var means = new T[d];
        for (var i = 0; i < n; i++) Combine(means, x.Slice(i * d, d), means, subtract: false);
        var inverse = T.One / T.CreateTruncating(n);
        for (var k = 0; k < d; k++) means[k] *= inverse;
        for (var i = 0; i < n; i++) Combine(x.Slice(i * d, d), means, centred.Slice(i * d, d), subtract: true);
    }

    /// <summary>result = left ± right, element-wise, with <see cref="Vector{T}"/> where the hardware has it.</summary>
    private static void Combine<T>(ReadOnlySpan<T> left, ReadOnlySpan<T> right, Span<T> result, bool subtract) where T : unmanaged, INumber<T>
    {
        var k = 0;
        if (Vector.IsHardwareAccelerated)
            for (; k <= left.Length - Vector<T>.Count; k += Vector<T>.Count)
            {
                var (l, r) = (new Vector<T>(left[k..]), new Vector<T>(right[k..]));
                (subtract ? l - r : l + r).CopyTo(result[k..]);
            }
        for (; k < left.Length; k++) result[k] = subtract ? left[k] - right[k] : left[k] + right[k];
    }

    /// <summary>x xᵀ on the CPU, contiguous, for the element-wise passes.</summary>
    private static Tensor Gram(Tensor x) => x.matmul(x.t()).cpu().contiguous();

    /// <summary>
    /// 2(diag(W1) − W) for W_ij = (g_A·A_ij + g_B·B_ij)/(n²·b_ij), 0 where b_ij = 0: the operator that takes Z to
    /// the gradient, since Σ_j W_ij ∂b_ij/∂z_i summed over both (i, j) and (j, i) gives 2 Σ_j W_ij (z_i − z_j).
    /// </summary>
    private static void FillLaplacian<T>(Span<T> m, DoubleCentredDistances a, DoubleCentredDistances b, double gA, double gB, int n)
        where T : unmanaged, INumberBase<T>
    {
        var rowSums = new double[n];
        var (cA, cB) = (2 * gA / ((double)n * n), 2 * gB / ((double)n * n));
        for (var i = 0; i < n; i++)
        {
            double sum = 0;
            for (var j = i + 1; j < n; j++)
            {
                var distance = b.Distance(i, j);
                var w = distance > 0 ? (cA * a.Centred(i, j) + cB * b.Centred(i, j)) / distance : 0;
                m[i * n + j] = m[j * n + i] = T.CreateTruncating(-w);
                sum += w;
                rowSums[j] += w;
            }
            m[i * n + i] = T.CreateTruncating(sum + rowSums[i]);
        }
    }

    /// <summary>
    /// dCor = √r, r = AB / max(√AA·√BB, floor), each root √t where t exceeds <see cref="StatisticFloor"/>, else 0 (as
    /// <see cref="Compute"/>), with ∂dCor/∂AB and ∂dCor/∂BB as autograd takes them: where a floor or clamp selects the
    /// constant, the derivative through it is 0.
    /// </summary>
    private static (double DAb, double DBb, double Dcor) ScalarGradients(double aa, double bb, double ab)
    {
        static double Root(double t) => t > StatisticFloor ? Math.Sqrt(t) : 0;
        var (rootAa, rootBb) = (Root(aa), Root(bb));
        var product = rootAa * rootBb;
        var denominator = Math.Max(product, StatisticFloor);
        var r = ab / denominator;
        if (r <= StatisticFloor) return (0, 0, 0);
        var dcor = Math.Sqrt(r);
        var dR = 0.5 / dcor;
        var dDenominator = product >= StatisticFloor ? -dR * ab / (denominator * denominator) : 0;
        var dBb = bb > StatisticFloor ? dDenominator * rootAa * 0.5 / rootBb : 0;
        return (dR / denominator, dBb, dcor);
    }
}

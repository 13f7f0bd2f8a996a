using ActorTrain.Tensors.Defenses;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Defenses;

/// <summary>
/// The closed-form ∂dCor/∂Z against autograd through <see cref="DistanceCorrelation.Compute"/>, the differentiable
/// reference. Error = max |closed − autograd| / max |autograd| over all entries (entries near 0 make an element-wise
/// relative error meaningless).
/// </summary>
public sealed class DistanceCorrelationGradientTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(64)]
    [InlineData(128)]
    public void DcorGradient_RandomFloat64_MatchesAutograd(int n)
    {
        var (x, z) = DependentPair(n, seed: 20 + n);

        var (closed, dcor) = DistanceCorrelation.DcorGradient(x, z);
        var (reference, referenceDcor) = Autograd(x, z);

        Assert.Equal(referenceDcor, dcor, 1e-12);
        Assert.InRange(RelativeError(closed, reference), 0, 1e-9); // measured ≤ 5.8e-14
        Assert.True(reference.abs().max().item<double>() > 1e-6, "the reference gradient should not vanish");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(64)]
    [InlineData(128)]
    public void DcorGradient_DuplicateRows_MatchesAutogradWithFlooredDistancesMasked(int n)
    {
        var rows = DistanceCorrelationTests.Gaussian(n, 12, seed: 30 + n);
        rows[1] = rows[0]; // duplicate in X, hence in Z: a = b = 0 for that pair
        var x = Tensor(rows);
        var zRows = DistanceCorrelationTests.Gaussian(n, 5, seed: 40 + n);
        for (var i = 0; i < n; i++)
            for (var j = 0; j < 5; j++) zRows[i][j] = Math.Tanh(rows[i][j] * rows[i][j + 1]) + 0.1 * zRows[i][j];
        zRows[1] = zRows[0];
        zRows[3] = zRows[2]; // duplicate in Z only: b = 0, a > 0
        var z = Tensor(zRows);

        var (closed, dcor) = DistanceCorrelation.DcorGradient(x, z);
        var (reference, referenceDcor) = Autograd(x, z);

        Assert.True(closed.isfinite().all().item<bool>());
        Assert.Equal(referenceDcor, dcor, 1e-12);
        Assert.InRange(RelativeError(closed, reference), 0, 1e-9); // measured ≤ 2.4e-14
    }

    [Theory]
    [InlineData(4)]
    [InlineData(64)]
    [InlineData(128)]
    public void DcorGradient_ConstantActivations_IsZeroWithoutNaN(int n)
    {
        var x = Tensor(DistanceCorrelationTests.Gaussian(n, 6, seed: 50 + n));
        using var z = full(n, 3, 0.7, dtype: ScalarType.Float64);

        var (closed, dcor) = DistanceCorrelation.DcorGradient(x, z);
        var (reference, referenceDcor) = Autograd(x, z);

        Assert.Equal(0, dcor);
        Assert.Equal(0, referenceDcor);
        Assert.Equal(0, closed.abs().max().item<double>());
        Assert.Equal(0, reference.abs().max().item<double>());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(64)]
    [InlineData(128)]
    public void DcorGradient_Float32_MatchesFloat64AutogradAsCloselyAsFloat32Autograd(int n)
    {
        var (x, z) = DependentPair(n, seed: 60 + n);
        var (exact, _) = Autograd(x, z);
        var (x32, z32) = (x.to_type(ScalarType.Float32), z.to_type(ScalarType.Float32));

        var (closed, dcor) = DistanceCorrelation.DcorGradient(x32, z32);
        var (reference, referenceDcor) = Autograd(x32, z32);

        Assert.Equal(ScalarType.Float32, closed.dtype);
        Assert.Equal(referenceDcor, dcor, 1e-5);
        // Against float64, measured at n = 4 / 64 / 128: closed form 1.1e-7 / 3.1e-7 / 4.5e-7, float32 autograd
        // 1.6e-7 / 4.3e-7 / 8.3e-7; closed form against float32 autograd 1.3e-7 / 4.9e-7 / 7.6e-7.
        var closedError = RelativeError(closed, exact);
        Assert.InRange(closedError, 0, 1e-5);
        Assert.InRange(closedError, 0, 2 * RelativeError(reference, exact));
        Assert.InRange(RelativeError(closed, reference), 0, 1e-5);
    }

    [Fact]
    public void NoPeekGradient_Float32Batch_IsAlphaTimesTheAutogradGradient()
    {
        const int n = 64, dx = 20, dz = 8;
        var (x, z) = DependentPair(n, seed: 70);
        var inputs = x.to_type(ScalarType.Float32).data<float>().ToArray();
        var activations = z.to_type(ScalarType.Float32).data<float>().ToArray();
        var (reference, referenceDcor) = Autograd(tensor(inputs, [n, dx]), tensor(activations, [n, dz]));

        var (gradient, dcor) = NoPeekGradient.Compute(inputs, dx, activations, dz, alpha: 3);

        Assert.Equal(referenceDcor, dcor, 1e-5);
        Assert.InRange(RelativeError(tensor(gradient, [n, dz]) / 3, reference), 0, 1e-5); // measured 6.3e-7
    }

    /// <summary>X (n × 20) Gaussian; Z (n × 8) a nonlinear function of X plus noise, so dCor is well inside (0, 1).</summary>
    private static (Tensor X, Tensor Z) DependentPair(int n, int seed)
    {
        var x = DistanceCorrelationTests.Gaussian(n, 20, seed);
        var noise = DistanceCorrelationTests.Gaussian(n, 8, seed + 1000);
        var z = x.Select((row, i) => Enumerable.Range(0, 8).Select(j => Math.Tanh(row[j] * row[j + 8]) + row[j + 4] * row[j + 4] + 0.3 * noise[i][j]).ToArray()).ToArray();
        return (Tensor(x), Tensor(z));
    }

    private static (Tensor Gradient, double Dcor) Autograd(Tensor x, Tensor z)
    {
        var leaf = z.detach().clone().requires_grad_(true);
        using var value = DistanceCorrelation.Compute(x, leaf);
        value.backward();
        return (leaf.grad!, value.to_type(ScalarType.Float64).item<double>());
    }

    private static double RelativeError(Tensor actual, Tensor expected)
    {
        var scale = expected.abs().max().to_type(ScalarType.Float64).item<double>();
        var difference = (actual.to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs().max().item<double>();
        return scale == 0 ? difference : difference / scale;
    }

    private static Tensor Tensor(double[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);
}

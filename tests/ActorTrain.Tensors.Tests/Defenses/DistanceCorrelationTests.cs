using ActorTrain.Tensors.Defenses;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Defenses;

public sealed class DistanceCorrelationTests
{
    [Fact]
    public void Measure_NonlinearPair_MatchesTextbookLoops()
    {
        var x = Gaussian(40, 7, seed: 1);
        var z = Map(x, row => [Math.Tanh(row[0] * row[1]), row[2] * row[2] - row[3], Math.Sin(3 * row[4]) + row[5], Math.Abs(row[6])]);
        var (squared, unbiased) = TextbookDistanceCorrelation.Of(x, z);

        var result = DistanceCorrelation.Measure(Tensor(x), Tensor(z));

        // float64 Gram identity against explicit differences: 1e-9 absolute.
        Assert.Equal(squared, result.DcorSquared, 1e-9);
        Assert.Equal(Math.Sqrt(squared), result.Dcor, 1e-9);
        Assert.Equal(unbiased, result.DcorUnbiased, 1e-9);
        Assert.Equal(40, result.N);
        Assert.InRange(unbiased, 0.05, squared - 0.05); // a nonlinear dependence, and the V-statistic's upward bias
    }

    [Theory]
    [InlineData(DistanceCorrelationForm.Dcor)]
    [InlineData(DistanceCorrelationForm.DcorSquared)]
    [InlineData(DistanceCorrelationForm.UnbiasedDcorSquared)]
    public void Compute_Float32_MatchesTextbookWithinSinglePrecision(DistanceCorrelationForm form)
    {
        var x = Gaussian(64, 30, seed: 2);
        var z = Map(x, row => row.Take(10).Select(v => v * v * v + Math.Cos(v)).ToArray());
        var (squared, unbiased) = TextbookDistanceCorrelation.Of(x, z);
        var expected = form switch
        {
            DistanceCorrelationForm.Dcor => Math.Sqrt(squared),
            DistanceCorrelationForm.DcorSquared => squared,
            _ => unbiased,
        };

        using var value = DistanceCorrelation.Compute(Tensor(x).to_type(ScalarType.Float32), Tensor(z).to_type(ScalarType.Float32), form);

        Assert.Equal(ScalarType.Float32, value.dtype);
        Assert.Equal(0, value.dim());
        Assert.Equal(expected, value.item<float>(), 1e-4); // fp32 Gram and sums over 64² terms: 1e-4 absolute
    }

    [Fact]
    public void Measure_IndependentSamplesLargeN_UnbiasedFormNearZero()
    {
        var result = DistanceCorrelation.Measure(Tensor(Gaussian(2000, 20, seed: 3)), Tensor(Gaussian(2000, 20, seed: 4)));

        Assert.InRange(result.DcorUnbiased, -0.003, 0.003);
        Assert.True(result.DcorSquared > 0.01, $"the V-statistic should carry its upward bias; got {result.DcorSquared}");
    }

    [Fact]
    public void Measure_AffineAndCubicImagesOfX_AreHighlyCorrelated()
    {
        var x = Gaussian(300, 5, seed: 5);
        var a = Gaussian(5, 5, seed: 6);
        var affine = Map(x, row => Enumerable.Range(0, 5).Select(c => Enumerable.Range(0, 5).Sum(r => row[r] * a[r][c]) + c).ToArray());
        var cubic = Map(x, row => row.Select(v => v * v * v).ToArray());

        var linear = DistanceCorrelation.Measure(Tensor(x), Tensor(affine));
        var cubed = DistanceCorrelation.Measure(Tensor(x), Tensor(cubic));

        // dCor is invariant to rotations and uniform scaling only; an unequal stretch (A's condition number) lowers it.
        Assert.True(linear.Dcor > 0.85, $"dCor(X, XA + b) = {linear.Dcor}");
        Assert.True(cubed.Dcor > 0.8, $"dCor(X, X³) = {cubed.Dcor}");
        Assert.True(cubed.DcorUnbiased > 0.6, $"unbiased dCor²(X, X³) = {cubed.DcorUnbiased}");
    }

    [Fact]
    public void ComputeAndMeasure_SameData_AreOne()
    {
        var x = Tensor(Gaussian(50, 12, seed: 7));

        var measured = DistanceCorrelation.Measure(x, x);
        using var dcor = DistanceCorrelation.Compute(x.to_type(ScalarType.Float32), x.to_type(ScalarType.Float32));

        Assert.Equal(1, measured.Dcor, 1e-12);
        Assert.Equal(1, measured.DcorUnbiased, 1e-12);
        Assert.Equal(1, dcor.item<float>(), 1e-5);
    }

    [Fact]
    public void Measure_ScaledTranslatedRotatedData_IsUnchanged()
    {
        var x = Gaussian(60, 8, seed: 8);
        var z = Map(x, row => [row[0] * row[1], Math.Exp(row[2] / 2), row[3], Math.Sin(row[4])]);
        var (q, _) = linalg.qr(Tensor(Gaussian(4, 4, seed: 9)));
        var reference = DistanceCorrelation.Measure(Tensor(x), Tensor(z));

        var moved = DistanceCorrelation.Measure(Tensor(x) * 0.01 + 5, Tensor(z).matmul(q) * 250 - 3);

        Assert.Equal(reference.DcorSquared, moved.DcorSquared, 1e-10);
        Assert.Equal(reference.DcorUnbiased, moved.DcorUnbiased, 1e-10);
    }

    [Theory]
    [InlineData(DistanceCorrelationForm.Dcor)]
    [InlineData(DistanceCorrelationForm.DcorSquared)]
    [InlineData(DistanceCorrelationForm.UnbiasedDcorSquared)]
    public void Compute_DuplicateRows_GradientIsFinite(DistanceCorrelationForm form)
    {
        var rows = Gaussian(16, 6, seed: 10);
        rows[1] = rows[0];
        rows[5] = rows[4];
        using var x = Tensor(rows).to_type(ScalarType.Float32);
        using var z = x[.., ..3].tanh().detach().requires_grad_(true);

        using var value = DistanceCorrelation.Compute(x, z, form);
        value.backward();

        Assert.True(float.IsFinite(value.item<float>()));
        Assert.True(z.grad!.isfinite().all().item<bool>(), "gradient holds NaN or ∞");
        Assert.True(z.grad!.abs().sum().item<float>() > 0);
    }

    [Theory]
    [InlineData(DistanceCorrelationForm.Dcor)]
    [InlineData(DistanceCorrelationForm.UnbiasedDcorSquared)]
    public void Compute_SmallFloat64Case_GradientMatchesCentralDifferences(DistanceCorrelationForm form)
    {
        var x = Tensor(Gaussian(7, 3, seed: 11));
        var start = Gaussian(7, 2, seed: 12);
        using var z = Tensor(start).requires_grad_(true);
        DistanceCorrelation.Compute(x, z, form).backward();
        var gradient = z.grad!.data<double>().ToArray();

        const double h = 1e-6;
        for (var i = 0; i < 7; i++)
            for (var j = 0; j < 2; j++)
            {
                double At(double delta)
                {
                    var moved = start.Select(row => row.ToArray()).ToArray();
                    moved[i][j] += delta;
                    using var value = DistanceCorrelation.Compute(x, Tensor(moved), form);
                    return value.item<double>();
                }
                var numeric = (At(h) - At(-h)) / (2 * h);
                Assert.Equal(numeric, gradient[i * 2 + j], 1e-7); // central differences: O(h²) + rounding/h ≈ 1e-9
            }
    }

    [Fact]
    public void Compute_ConstantActivations_IsZeroWithFiniteGradient()
    {
        using var z = zeros(10, 4).requires_grad_(true);
        using var value = DistanceCorrelation.Compute(Tensor(Gaussian(10, 3, seed: 13)), z);
        value.backward();

        Assert.Equal(0, value.item<double>());
        Assert.True(z.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void Compute_MismatchedSamples_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => DistanceCorrelation.Compute(zeros(10, 3), zeros(9, 3)));
        Assert.Contains("10 samples but activations hold 9", error.Message);
    }

    [Fact]
    public void Measure_ThreeSamples_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => DistanceCorrelation.Measure(randn(3, 2), randn(3, 2)));
        Assert.Contains("at least 4 samples", error.Message);
    }

    [Fact]
    public void Measure_ImageShapedSamples_AreFlattened()
    {
        var flat = Gaussian(20, 12, seed: 14);
        var z = Tensor(Gaussian(20, 2, seed: 15));

        var images = DistanceCorrelation.Measure(Tensor(flat).reshape(20, 1, 3, 4), z);

        Assert.Equal(DistanceCorrelation.Measure(Tensor(flat), z), images);
    }

    internal static double[][] Gaussian(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, columns)
            .Select(_ => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray()).ToArray();
    }

    private static double[][] Map(double[][] rows, Func<double[], double[]> f) => rows.Select(f).ToArray();

    private static Tensor Tensor(double[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);
}

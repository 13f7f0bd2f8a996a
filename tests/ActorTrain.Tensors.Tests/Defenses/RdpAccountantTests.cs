using ActorTrain.Tensors.Defenses;

namespace ActorTrain.Tensors.Tests.Defenses;

public sealed class RdpAccountantTests
{
    [Fact]
    public void Epsilon_MatchesOpacusPublishedValue()
    {
        // Opacus opacus/tests/accountants_test.py::test_rdp_accountant: q = 0.04, σ = 1.5, 2,250 steps, δ = 1e-5 →
        // ε = 7.32911117143 over Opacus's orders (fractional 1.1–10.9 and integers 12–63). Our integer orders can only
        // give an ε at least as large; an independent Python quadrature of A_α over orders 2–63 gave 7.329877.
        var (epsilon, order) = RdpAccountant.Epsilon(0.04, 1.5, 2250, 1e-5);
        Assert.InRange(epsilon, 7.32911117143, 7.32911117143 * 1.001);
        Assert.InRange(order, 2, 20);
    }

    [Fact]
    public void Epsilon_AbadiSetting_MatchesAnIndependentQuadrature()
    {
        // q = 0.01, σ = 1.1, 10⁴ steps, δ = 1e-5 (Abadi et al. 2016's MNIST setting): a separate Python program integrating
        // A_α numerically (200,000-panel trapezoid in log space, orders 2–63, the same Balle et al. conversion) gave
        // ε = 5.654308. Tolerance 0.1%: the quadrature's error is far smaller; the orders are the same up to 63.
        var (epsilon, _) = RdpAccountant.Epsilon(0.01, 1.1, 10_000, 1e-5);
        Assert.Equal(5.654308, epsilon, 5.654308 * 1e-3);
    }

    [Theory]
    [InlineData(0.01, 1.1, 2)]
    [InlineData(0.01, 1.1, 32)]
    [InlineData(0.04, 1.5, 7)]
    [InlineData(0.2, 0.8, 5)]
    [InlineData(0.5, 3.0, 40)]
    public void LogA_MatchesNumericalIntegration(double q, double sigma, int alpha)
    {
        // A_α = E_{x~N(0,σ²)}[((1 − q) + q·exp((2x − 1)/(2σ²)))^α] (Mironov et al. 2019, Eq. 3), by the trapezoid rule in
        // log space on [−60σ − 10, 60σ + 10] with 400,000 panels: the integrand is smooth, error far below 1e-8.
        const int panels = 400_000;
        var (lo, hi) = (-60 * sigma - 10, 60 * sigma + 10);
        var h = (hi - lo) / panels;
        var logs = new double[panels + 1];
        for (var i = 0; i <= panels; i++)
        {
            var x = lo + i * h;
            var logDensity = -x * x / (2 * sigma * sigma) - Math.Log(sigma * Math.Sqrt(2 * Math.PI));
            var r = Math.Log(q) + (2 * x - 1) / (2 * sigma * sigma);
            var m = Math.Max(Math.Log(1 - q), r);
            var logRatio = m + Math.Log(Math.Exp(Math.Log(1 - q) - m) + Math.Exp(r - m));
            logs[i] = logDensity + alpha * logRatio + Math.Log(h) + (i == 0 || i == panels ? Math.Log(0.5) : 0);
        }
        var max = logs.Max();
        var numeric = max + Math.Log(logs.Sum(l => Math.Exp(l - max)));
        Assert.Equal(numeric, RdpAccountant.LogA(q, sigma, alpha), 1e-7);
    }

    [Fact]
    public void Epsilon_FullBatchIsThePlainGaussian()
    {
        // q = 1: rdp(α) = α/(2σ²) per step, in closed form; the accountant's minimum over integer orders must equal the
        // minimum of the conversion formula evaluated by hand at those orders.
        var expected = RdpAccountant.Orders.Min(a => 100 * a / (2 * 4.0 * 4.0) + Math.Log((a - 1.0) / a) - (Math.Log(1e-5) + Math.Log(a)) / (a - 1));
        Assert.Equal(expected, RdpAccountant.Epsilon(1, 4, 100, 1e-5).Epsilon, 1e-9);
    }

    [Fact]
    public void Epsilon_GrowsWithStepsAndShrinksWithNoise()
    {
        var (base1, _) = RdpAccountant.Epsilon(0.01, 1.0, 1000, 1e-5);
        Assert.True(RdpAccountant.Epsilon(0.01, 1.0, 4000, 1e-5).Epsilon > base1);
        Assert.True(RdpAccountant.Epsilon(0.01, 2.0, 1000, 1e-5).Epsilon < base1);
    }
}

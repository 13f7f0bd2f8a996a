using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Tensors.Tests.Attacks;

public sealed class ConeNnlsTests
{
    /// <summary>
    /// Against brute force: the NNLS optimum is the least-squares solution on some support with all coefficients ≥ 0;
    /// trying every support of ≤ 7 columns and keeping the best feasible one is an independent computation.
    /// Seeds 1–40; tolerance 1e-9 on the residual norm (both are double-precision least squares on unit columns).
    /// </summary>
    [Fact]
    public void Solve_SmallProblems_MatchesBestFeasibleSupport()
    {
        for (var seed = 1; seed <= 40; seed++)
        {
            var random = new Random(seed);
            var dimension = random.Next(1, 5);
            var count = random.Next(1, 8);
            var points = UnitRows(random, count, dimension);
            var target = Enumerable.Range(0, dimension).Select(_ => random.NextDouble() * 2 - 1).ToArray();

            var nnls = new ConeNnls(points, dimension);
            nnls.Reset(target);
            for (var j = 0; j < count; j++) nnls.AddCandidate(j);
            Assert.True(nnls.Solve(1000));

            Assert.Equal(BruteForceResidual(points, dimension, target), nnls.ResidualNorm, 1e-9);
        }
    }

    [Fact]
    public void Solve_TargetOutsideCone_ResidualSeparates()
    {
        // Cone of (1, 0) and (0, 1) is the positive quadrant; b = (−1, 0.5) projects to (0, 0.5), ρ = (1, 0).
        var nnls = new ConeNnls([1, 0, 0, 1], 2);
        nnls.Reset([-1, 0.5]);
        nnls.AddCandidate(0);
        nnls.AddCandidate(1);
        Assert.True(nnls.Solve(100));

        Assert.Equal(1.0, nnls.Residual[0], 12);
        Assert.Equal(0.0, nnls.Residual[1], 12);
    }

    [Fact]
    public void Solve_AddingCandidates_ContinuesFromPreviousOptimum()
    {
        // b = (−1, 0) is outside cone{(1, 0), (0, 1)}; adding (−1, 0) puts it inside.
        var nnls = new ConeNnls([1, 0, 0, 1, -1, 0], 2);
        nnls.Reset([-1, 0]);
        nnls.AddCandidate(0);
        nnls.AddCandidate(1);
        Assert.True(nnls.Solve(100));
        Assert.Equal(1.0, nnls.ResidualNorm, 12);

        nnls.AddCandidate(2);
        Assert.True(nnls.Solve(100));
        Assert.Equal(0.0, nnls.ResidualNorm, 12);
    }

    private static double[] UnitRows(Random random, int count, int dimension)
    {
        var values = new double[count * dimension];
        for (var j = 0; j < count; j++)
        {
            var row = values.AsSpan(j * dimension, dimension);
            for (var k = 0; k < dimension; k++) row[k] = random.NextDouble() * 2 - 1;
            var norm = Math.Sqrt(row.ToArray().Sum(v => v * v));
            for (var k = 0; k < dimension; k++) row[k] /= norm;
        }
        return values;
    }

    private static double BruteForceResidual(double[] points, int dimension, double[] target)
    {
        var count = points.Length / dimension;
        var best = Math.Sqrt(target.Sum(v => v * v)); // empty support
        for (var mask = 1; mask < 1 << count; mask++)
        {
            var support = Enumerable.Range(0, count).Where(j => (mask >> j & 1) == 1).ToArray();
            if (support.Length > dimension) continue;
            var coefficients = LeastSquares(points, dimension, support, target);
            if (coefficients is null || coefficients.Any(c => c < 0)) continue;
            var residual = (double[])target.Clone();
            for (var s = 0; s < support.Length; s++)
                for (var k = 0; k < dimension; k++) residual[k] -= coefficients[s] * points[support[s] * dimension + k];
            best = Math.Min(best, Math.Sqrt(residual.Sum(v => v * v)));
        }
        return best;
    }

    /// <summary>Normal equations by Gaussian elimination with partial pivoting; null when singular.</summary>
    private static double[]? LeastSquares(double[] points, int dimension, int[] support, double[] target)
    {
        var n = support.Length;
        var a = new double[n, n + 1];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
                for (var k = 0; k < dimension; k++) a[i, j] += points[support[i] * dimension + k] * points[support[j] * dimension + k];
            for (var k = 0; k < dimension; k++) a[i, n] += points[support[i] * dimension + k] * target[k];
        }
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
            if (Math.Abs(a[pivot, col]) < 1e-12) return null;
            for (var j = 0; j <= n; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (var r = 0; r < n; r++)
            {
                if (r == col) continue;
                var factor = a[r, col] / a[col, col];
                for (var j = col; j <= n; j++) a[r, j] -= factor * a[col, j];
            }
        }
        return Enumerable.Range(0, n).Select(i => a[i, n] / a[i, i]).ToArray();
    }
}

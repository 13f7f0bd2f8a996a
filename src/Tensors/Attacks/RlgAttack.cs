using System.Diagnostics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// RLG, label revelation from a projection layer's gradient (Dang, Thakkar, Mathews, Chen and Beaufays, "Revealing and
/// Protecting Labels in Distributed Training", NeurIPS 2021, Algorithm 1). The weight gradient of z = W h + b under
/// softmax cross-entropy is ΔW = Σ_i g_i h_iᵀ with g_i = softmax(z_i) − e_{y_i}, which has exactly one negative entry,
/// at the label. After the SVD ΔW ≈ P_S Σ_S Q_Sᵀ each class c becomes a point q_c (row c of P_S Σ_S), and class c
/// occurred in the batch iff some r has rᵀq_c &lt; 0 ≤ rᵀq_j for all j ≠ c: iff q_c lies outside the cone of the other
/// classes' points. Exact when S &lt; d and S &lt; C (with S = samples seen); when S ≥ d recall collapses, when S ≥ C
/// precision falls (every point becomes separable). The bias gradient, when given, adds counts (<see cref="LabelCounts"/>).
/// </summary>
public static class RlgAttack
{
    /// <summary>Reveals the labels behind a projection layer's weight gradient or update (the update divided by the learning rate).</summary>
    /// <param name="update">The matrix, row-major: C × d or d × C as <paramref name="orientation"/> says.</param>
    /// <param name="rows">Rows of <paramref name="update"/>.</param>
    /// <param name="columns">Columns of <paramref name="update"/>.</param>
    /// <param name="samples">S, samples behind the update (N for one step, K·N after K local steps); null: chosen at the
    /// largest gap of the singular values. Capped at the numerical rank either way (<see cref="RlgResult.RankRule"/>).</param>
    /// <param name="biasGradient">∇b averaged over the S samples (length C) for counts; empty for labels only. Counts
    /// need the true S: without <paramref name="samples"/> they assume S = the rank used, which repeated labels can lower.</param>
    /// <exception cref="ArgumentException">Wrong shapes, fewer than two classes, S &lt; 1, a non-finite value, or a zero update.</exception>
    public static RlgResult RevealLabels(ReadOnlySpan<float> update, int rows, int columns, MatrixOrientation orientation,
        int? samples = null, ReadOnlySpan<float> biasGradient = default, RlgOptions? options = null)
    {
        var clock = Stopwatch.StartNew();
        var bias = new double[biasGradient.Length];
        for (var i = 0; i < bias.Length; i++) bias[i] = biasGradient[i];
        options ??= RlgOptions.Default;
        RlgInput.Validate(update, rows, columns, orientation, samples, bias, options);
        using var scope = NewDisposeScope();
        return Run(clock, Matrix(update, rows, columns, ScalarType.Float32).to_type(ScalarType.Float64), orientation, samples, bias, options);
    }

    /// <inheritdoc cref="RevealLabels(ReadOnlySpan{float}, int, int, MatrixOrientation, int?, ReadOnlySpan{float}, RlgOptions?)"/>
    public static RlgResult RevealLabels(ReadOnlySpan<double> update, int rows, int columns, MatrixOrientation orientation,
        int? samples = null, ReadOnlySpan<double> biasGradient = default, RlgOptions? options = null)
    {
        var clock = Stopwatch.StartNew();
        var bias = biasGradient.ToArray();
        options ??= RlgOptions.Default;
        RlgInput.Validate(update, rows, columns, orientation, samples, bias, options);
        using var scope = NewDisposeScope();
        return Run(clock, Matrix(update, rows, columns, ScalarType.Float64), orientation, samples, bias, options);
    }

    private static Tensor Matrix<T>(ReadOnlySpan<T> values, int rows, int columns, ScalarType type) where T : unmanaged
    {
        var matrix = empty(rows, columns, type);
        MemoryMarshal.AsBytes(values).CopyTo(matrix.bytes);
        return matrix;
    }

    /// <param name="matrix">float64, as laid out by <paramref name="orientation"/>.</param>
    /// <param name="bias">Empty when not given.</param>
    private static RlgResult Run(Stopwatch clock, Tensor matrix, MatrixOrientation orientation, int? samples, double[] bias, RlgOptions options)
    {
        var callerThreads = get_num_threads();
        if (options.TorchThreads is { } threads) set_num_threads(threads);
        try
        {
            if (orientation == MatrixOrientation.FeaturesByClasses) matrix = matrix.T.contiguous();
            var points = ClassPoints.Compute(matrix, samples);
            var unit = UnitPoints.From(points.Points, points.Rank);
            var (present, stats) = options.Method switch
            {
                RlgMethod.ExactLp => (GlopSeparability.Naive(unit), null),
                RlgMethod.RestrictedLp => (GlopSeparability.Restricted(unit, options.RestrictedConstraints), null),
                _ => ConeSeparability.Decide(unit) is var outcome ? (outcome.Present, outcome.Stats) : default,
            };
            var labels = unit.Classes.Where((_, i) => present[i]).ToArray();
            var counts = bias.Length == 0 ? null : LabelCounts.Estimate(labels, bias, samples ?? points.Rank);
            return new RlgResult(labels, counts, points.Rank, points.Rule, points.NumericalRank, points.Gap,
                points.SingularValues.Take(points.Rank + 1).ToArray(), stats, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            set_num_threads(callerThreads);
        }
    }
}

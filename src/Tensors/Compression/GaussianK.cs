namespace ActorTrain.Tensors.Compression;

/// <summary>
/// GaussianK (Shi et al. 2019, "Understanding Top-k Sparsification in Distributed Deep Learning", Alg. 2): a cheap
/// stand-in for top-k that assumes the entries are Gaussian, N(μ, s²), and keeps those with |x − μ| above the threshold
/// t = s·Φ⁻¹(1 − k/(2n)), so about k of n survive, with one pass for the moments and one to select (no sort, no
/// selection). As in the paper, the threshold is relaxed (×0.5, up to 3 times) while fewer than k/3 entries pass
/// it: real updates have heavier tails, and then the estimate keeps too few. The kept count is only near k.
/// </summary>
public sealed class GaussianK(double ratio) : IUpdateCompressor
{
    public double Ratio { get; } = ratio is > 0 and <= 1 ? ratio : throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "the kept fraction must be in (0, 1]");

    public UpdateEncoding Encoding => UpdateEncoding.Sparse;

    public void Compress(ReadOnlySpan<float> input, Span<float> output)
    {
        output.Clear();
        var n = input.Length;
        if (n == 0) return;
        var k = TopK.Count(Ratio, n);
        if (k == n)
        {
            input.CopyTo(output);
            return;
        }
        double sum = 0, squares = 0;
        foreach (var v in input)
        {
            sum += v;
            squares += (double)v * v;
        }
        var mean = sum / n;
        var sd = Math.Sqrt(Math.Max(squares / n - mean * mean, 0));
        var threshold = sd * NormalQuantile(1 - k / (2.0 * n));
        var kept = 0;
        for (var attempt = 0; attempt < 4; attempt++, threshold *= 0.5)
        {
            kept = 0;
            foreach (var v in input) if (Math.Abs(v - mean) > threshold) kept++;
            if (3 * kept >= k) break;
        }
        for (var i = 0; i < n; i++) if (Math.Abs(input[i] - mean) > threshold) output[i] = input[i];
        if (kept == 0) output[IndexOfLargest(input)] = input[IndexOfLargest(input)]; // all equal: send one entry, not none
    }

    private static int IndexOfLargest(ReadOnlySpan<float> input)
    {
        var best = 0;
        for (var i = 1; i < input.Length; i++) if (Math.Abs(input[i]) > Math.Abs(input[best])) best = i;
        return best;
    }

    /// <summary>Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error below 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        if (p is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "must lie in (0, 1)");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) return -NormalQuantile(1 - p);
        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}

namespace ActorTrain.Tensors.Compression;

/// <summary>
/// Top-k sparsification: keep the k = ⌈ratio·n⌉ entries of largest magnitude, zero the rest (Aji &amp; Heafield 2017;
/// with error feedback, Stich et al. 2018). The k-th largest magnitude is found by quickselect (expected O(n)); ties
/// at the threshold are kept in index order until exactly k entries are kept.
/// </summary>
public sealed class TopK(double ratio) : IUpdateCompressor
{
    public double Ratio { get; } = ratio is > 0 and <= 1 ? ratio : throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "the kept fraction must be in (0, 1]");

    public UpdateEncoding Encoding => UpdateEncoding.Sparse;

    /// <summary>Entries kept out of <paramref name="length"/>.</summary>
    public static int Count(double ratio, int length) => Math.Clamp((int)Math.Ceiling(ratio * length), Math.Min(1, length), length);

    public void Compress(ReadOnlySpan<float> input, Span<float> output)
    {
        var k = Count(Ratio, input.Length);
        output.Clear();
        if (k == 0) return;
        var magnitudes = new float[input.Length];
        for (var i = 0; i < input.Length; i++) magnitudes[i] = Math.Abs(input[i]);
        var threshold = Select(magnitudes, input.Length - k);
        var above = 0;
        foreach (var v in input) if (Math.Abs(v) > threshold) above++;
        var ties = k - above;
        for (var i = 0; i < input.Length; i++)
        {
            var m = Math.Abs(input[i]);
            if (m > threshold || (m == threshold && ties-- > 0)) output[i] = input[i];
        }
    }

    /// <summary>The value that would sit at <paramref name="rank"/> (0-based) if <paramref name="values"/> were sorted
    /// ascending; reorders the array (Hoare partition, middle pivot).</summary>
    internal static float Select(float[] values, int rank)
    {
        var (lo, hi) = (0, values.Length - 1);
        while (lo < hi)
        {
            var pivot = values[lo + (hi - lo) / 2];
            var (i, j) = (lo, hi);
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i > j) break;
                (values[i], values[j]) = (values[j], values[i]);
                i++;
                j--;
            }
            if (rank <= j) hi = j;
            else if (rank >= i) lo = i;
            else return values[rank];
        }
        return values[rank];
    }
}

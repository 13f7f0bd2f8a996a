using System.Numerics;
using System.Runtime.InteropServices;
using ActorTrain.Tensors.Training;

namespace ActorTrain.Nodes.Bench;

/// <summary>One case of the aggregate suite.</summary>
/// <param name="CandidateGbps">The parameter server's weighted sum (<see cref="WeightedSum.Compute"/>), source bytes read per second.</param>
/// <param name="BaselineGbps">A plain vectorised unweighted sum of the same arrays, in one fused pass.</param>
public sealed record AggregateMeasurement(int Sources, long BytesPerSource, double CandidateGbps, double BaselineGbps, double Ratio);

/// <summary>Suite `aggregate`: how fast the parameter server sums K worker updates.</summary>
public static class AggregateBenchmark
{
    public static AggregateMeasurement Measure(int sources, long bytesPerSource, int rounds)
    {
        var length = checked((int)(bytesPerSource / 4));
        var random = new Random(3);
        var arrays = Enumerable.Range(0, sources).Select(_ =>
        {
            var a = GC.AllocateUninitializedArray<float>(length);
            for (var i = 0; i < a.Length; i += 1024) a[i] = (float)random.NextDouble();
            return a;
        }).ToArray();
        var weights = Enumerable.Repeat(1f / sources, sources).ToArray();
        var candidate = new float[length];
        var baseline = new float[length];
        var seconds = Throughput.MedianSeconds(rounds, 2,
            () => WeightedSum.Compute(arrays, weights, candidate),
            () => PlainSum(arrays, baseline));
        var read = (long)sources * length * 4;
        var (c, b) = (Throughput.GigabytesPerSecond(read, seconds[0]), Throughput.GigabytesPerSecond(read, seconds[1]));
        return new AggregateMeasurement(sources, bytesPerSource, c, b, c / b);
    }

    /// <summary>destination = Σ sources, one vector at a time across all sources (the memory-bound ideal).</summary>
    private static void PlainSum(float[][] sources, float[] destination)
    {
        var output = MemoryMarshal.Cast<float, Vector<float>>(destination.AsSpan());
        var inputs = sources.Select(s => s).ToArray();
        for (var i = 0; i < output.Length; i++)
        {
            var acc = Vector<float>.Zero;
            foreach (var source in inputs) acc += MemoryMarshal.Cast<float, Vector<float>>(source.AsSpan())[i];
            output[i] = acc;
        }
        for (var i = output.Length * Vector<float>.Count; i < destination.Length; i++)
            destination[i] = sources.Sum(s => s[i]);
    }
}

using static TorchSharp.torch;

namespace ActorTrain.Tensors.Defenses;

public static partial class DistanceCorrelation
{
    /// <summary>All three statistics for reporting, in float64 and without autograd; distances are computed once.</summary>
    /// <param name="inputs">X, first axis = samples (n ≥ <see cref="MinimumSamplesUnbiased"/>).</param>
    /// <param name="activations">Z, first axis = samples.</param>
    public static DistanceCorrelationResult Measure(Tensor inputs, Tensor activations)
    {
        var n = SampleCount(inputs, activations, MinimumSamplesUnbiased);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var a = Distances(inputs.detach(), n, ScalarType.Float64);
        var b = Distances(activations.detach(), n, ScalarType.Float64);
        var squared = Ratio(DoubleCentre(a), DoubleCentre(b), VInner).item<double>();
        var unbiased = Ratio(UCentre(a), UCentre(b), UInner).item<double>();
        return new DistanceCorrelationResult(Math.Sqrt(Math.Max(squared, 0)), squared, unbiased, n);
    }

    /// <summary><see cref="Measure(Tensor, Tensor)"/> on flat row-major arrays of <paramref name="n"/> samples each.</summary>
    public static DistanceCorrelationResult Measure(double[] inputs, double[] activations, int n)
    {
        if (n < 1 || inputs.Length % n != 0 || activations.Length % n != 0 || inputs.Length == 0 || activations.Length == 0)
            throw new ArgumentException($"{inputs.Length} input and {activations.Length} activation values do not split into {n} non-empty samples.");
        using var x = tensor(inputs, [n, inputs.Length / n]);
        using var z = tensor(activations, [n, activations.Length / n]);
        return Measure(x, z);
    }
}

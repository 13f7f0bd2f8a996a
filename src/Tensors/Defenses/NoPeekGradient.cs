using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Defenses;

/// <summary>
/// NoPeek's term for one batch (Vepakomma et al. 2020): dCor(X, Z) between the raw inputs and the split activations,
/// and α·∂dCor/∂Z, which the client adds to the server's ∂L/∂Z before finishing backpropagation. The gradient is
/// the closed form of <see cref="DistanceCorrelation.DcorGradient"/>, not autograd.
/// </summary>
public static class NoPeekGradient
{
    /// <param name="inputs">X, n × <paramref name="inputWidth"/>, row-major.</param>
    /// <param name="activations">Z, n × <paramref name="activationWidth"/>, row-major (before any noise).</param>
    /// <param name="alpha">α ≥ 0; 0 measures dCor and returns no gradient.</param>
    /// <returns>α·∂dCor/∂Z (empty when α = 0) and dCor.</returns>
    /// <exception cref="Training.NonFiniteValueException">The gradient is not finite.</exception>
    public static (float[] Gradient, double DistanceCorrelation) Compute(float[] inputs, int inputWidth, float[] activations, int activationWidth, double alpha)
    {
        if (inputWidth < 1 || activationWidth < 1 || inputs.Length % inputWidth != 0 || activations.Length % activationWidth != 0
            || inputs.Length / inputWidth != activations.Length / activationWidth)
            throw new ArgumentException($"NoPeek: {inputs.Length} input values of width {inputWidth} and {activations.Length} activation values of width {activationWidth} are not the same samples.");
        var n = activations.Length / activationWidth;
        using var scope = NewDisposeScope();
        // Views of the arrays, not copies; neither is written.
        var x = frombuffer(inputs, ScalarType.Float32).view(n, inputWidth);
        var z = frombuffer(activations, ScalarType.Float32).view(n, activationWidth);
        if (alpha <= 0)
        {
            using var noGrad = no_grad();
            return ([], DistanceCorrelation.Compute(x, z).to_type(ScalarType.Float64).item<double>());
        }
        var (scaled, value) = DistanceCorrelation.DcorGradient(x, z, alpha);
        var gradient = MemoryMarshal.Cast<byte, float>(scaled.contiguous().bytes).ToArray();
        foreach (var g in gradient)
            if (!float.IsFinite(g))
                throw new Training.NonFiniteValueException($"NoPeek: the dCor gradient is not finite (dCor {value}).");
        return (gradient, value);
    }
}

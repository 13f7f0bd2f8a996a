using static TorchSharp.torch;

namespace ActorTrain.Tensors.Defenses;

/// <summary>
/// NoPeek's term for one batch (Vepakomma et al. 2020): dCor(X, Z) between the raw inputs and the split activations,
/// and α·∂dCor/∂Z, which the client adds to the server's ∂L/∂Z before finishing backpropagation.
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
        var x = tensor(inputs, [n, inputWidth]);
        var z = tensor(activations, [n, activationWidth]).requires_grad_(alpha > 0);
        var dcor = DistanceCorrelation.Compute(x, z);
        var value = dcor.to_type(ScalarType.Float64).item<double>();
        if (alpha <= 0) return ([], value);
        dcor.backward();
        var gradient = (z.grad! * alpha).data<float>().ToArray();
        if (gradient.Any(g => !float.IsFinite(g)))
            throw new Training.NonFiniteValueException($"NoPeek: the dCor gradient is not finite (dCor {value}).");
        return (gradient, value);
    }
}

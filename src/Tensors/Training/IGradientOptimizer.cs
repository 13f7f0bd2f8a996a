using static TorchSharp.torch;

namespace ActorTrain.Tensors.Training;

/// <summary>
/// Applies an (aggregated) gradient to named parameters in place. State (momentum, moments) is kept by name, so the
/// same optimizer serves a local model or a parameter server that only holds tensors.
/// </summary>
public interface IGradientOptimizer
{
    /// <summary>Steps taken so far.</summary>
    int StepCount { get; }

    /// <param name="parameters">Parameters to update in place.</param>
    /// <param name="gradients">One gradient per parameter, same name and shape.</param>
    void Step(IReadOnlyList<(string Name, Tensor Parameter)> parameters, IReadOnlyDictionary<string, Tensor> gradients);

    /// <summary>The state (step count, per-parameter buffers) as flat vectors in <paramref name="layout"/>'s order.</summary>
    OptimizerState ExportState(ParameterLayout layout);

    /// <summary>Replaces the state with an exported one (e.g. from a snapshot).</summary>
    void ImportState(OptimizerState state, ParameterLayout layout);
}

/// <summary>An optimizer's state: steps taken and its buffers (momentum; Adam's two moments), each flat.</summary>
public sealed record OptimizerState(int Steps, float[][] Buffers)
{
    internal static Dictionary<string, Tensor> Restore(ParameterLayout layout, float[] flat) =>
        layout.Restore(flat).ToDictionary(p => p.Key, p => p.Value.DetachFromDisposeScope(), StringComparer.Ordinal);
}

/// <summary>Creates an optimizer by its command-line name.</summary>
public static class Optimizers
{
    public static readonly IReadOnlyList<string> Names = ["sgd", "adam"];

    public static IGradientOptimizer Create(string name, double learningRate, double momentum = 0.9, double weightDecay = 0)
    {
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
            throw new ArgumentException($"Learning rate must be a positive number, got {learningRate}.");
        return name switch
        {
            "sgd" => new SgdOptimizer(learningRate, momentum, weightDecay),
            "adam" => new AdamOptimizer(learningRate, WeightDecay: weightDecay),
            _ => throw new ArgumentException($"Unknown optimizer '{name}'; choose one of: {string.Join(", ", Names)}."),
        };
    }

    internal static Tensor GradientFor(string name, Tensor parameter, IReadOnlyDictionary<string, Tensor> gradients)
    {
        if (!gradients.TryGetValue(name, out var gradient))
            throw new ArgumentException($"No gradient for parameter '{name}'.");
        if (!gradient.shape.SequenceEqual(parameter.shape))
            throw new ArgumentException($"Gradient for '{name}' has shape [{string.Join(", ", gradient.shape)}]; the parameter has [{string.Join(", ", parameter.shape)}].");
        return gradient.device == parameter.device ? gradient.alias() : gradient.to(parameter.device);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Training;

/// <summary>
/// SGD with heavy-ball momentum, as PyTorch defines it (no dampening):
/// g ← ∇ + λ·p;  b ← g on the first step, else μ·b + g;  p ← p − η·b.
/// </summary>
public sealed class SgdOptimizer(double learningRate, double momentum = 0.9, double weightDecay = 0) : IGradientOptimizer
{
    private readonly Dictionary<string, Tensor> _momentum = new(StringComparer.Ordinal);

    public int StepCount { get; private set; }

    public void Step(IReadOnlyList<(string Name, Tensor Parameter)> parameters, IReadOnlyDictionary<string, Tensor> gradients)
    {
        using var noGrad = no_grad();
        // Explicit Scalars, alive until the step ends: an implicit one can be finalized during the native call that
        // reads it (docs/cluster.md, "Scalar lifetime"; ScalarLifetimeTests).
        using var one = 1.0.ToScalar();
        using var mu = momentum.ToScalar();
        using var decay = weightDecay.ToScalar();
        using var step = (-learningRate).ToScalar();
        foreach (var (name, parameter) in parameters)
        {
            using var gradient = Optimizers.GradientFor(name, parameter, gradients);
            using var decayed = weightDecay != 0 ? gradient.add(parameter, decay) : gradient.alias();
            var direction = decayed;
            if (momentum != 0)
            {
                if (_momentum.TryGetValue(name, out var buffer)) buffer.mul_(mu).add_(decayed, one);
                else _momentum[name] = buffer = decayed.detach().clone().DetachFromDisposeScope(); // optimizer state outlives any caller scope
                direction = buffer;
            }
            parameter.add_(direction, step);
        }
        StepCount++;
    }

    public OptimizerState ExportState(ParameterLayout layout) =>
        new(StepCount, _momentum.Count == 0 ? [] : [layout.Flatten(_momentum)]);

    public void ImportState(OptimizerState state, ParameterLayout layout)
    {
        if (state.Buffers.Length > 1) throw new ArgumentException($"SGD state has one buffer (momentum), not {state.Buffers.Length}.");
        foreach (var buffer in _momentum.Values) buffer.Dispose();
        _momentum.Clear();
        if (state.Buffers.Length == 1)
            foreach (var (name, tensor) in OptimizerState.Restore(layout, state.Buffers[0])) _momentum[name] = tensor;
        StepCount = state.Steps;
    }
}

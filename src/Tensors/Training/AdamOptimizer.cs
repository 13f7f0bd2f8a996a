using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Training;

/// <summary>
/// Adam (Kingma and Ba, 2015, Algorithm 1) with L2 weight decay added to the gradient, as PyTorch's Adam:
/// m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − η·(m / (1−β1^t)) / (√(v / (1−β2^t)) + ε).
/// </summary>
public sealed record AdamOptimizer(double LearningRate, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0)
    : IGradientOptimizer
{
    private readonly Dictionary<string, (Tensor First, Tensor Second)> _moments = new(StringComparer.Ordinal);

    public int StepCount { get; private set; }

    /// <summary>Multiplies <see cref="LearningRate"/> from the next step on, for step-decay schedules that keep the moments (default 1).</summary>
    public double RateScale { get; set; } = 1;

    public void Step(IReadOnlyList<(string Name, Tensor Parameter)> parameters, IReadOnlyDictionary<string, Tensor> gradients)
    {
        using var noGrad = no_grad();
        var t = StepCount + 1;
        var firstCorrection = 1 - Math.Pow(Beta1, t);
        var secondCorrection = 1 - Math.Pow(Beta2, t);
        // Explicit Scalars, alive until the step ends: an implicit one can be finalized during the native call that
        // reads it (docs/cluster.md, "Scalar lifetime"; ScalarLifetimeTests).
        using var one = 1.0.ToScalar();
        using var beta1 = Beta1.ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var firstWeight = (1 - Beta1).ToScalar();
        using var secondWeight = (1 - Beta2).ToScalar();
        using var epsilon = Epsilon.ToScalar();
        using var decay = WeightDecay.ToScalar();
        using var correction = secondCorrection.ToScalar();
        using var step = (-LearningRate * RateScale / firstCorrection).ToScalar();
        foreach (var (name, parameter) in parameters)
        {
            using var gradient = Optimizers.GradientFor(name, parameter, gradients);
            using var g = WeightDecay != 0 ? gradient.add(parameter, decay) : gradient.alias();
            if (!_moments.TryGetValue(name, out var moments))
                _moments[name] = moments = (zeros_like(parameter).DetachFromDisposeScope(), zeros_like(parameter).DetachFromDisposeScope());
            moments.First.mul_(beta1).add_(g, firstWeight);
            moments.Second.mul_(beta2).addcmul_(g, g, secondWeight);
            using var denominator = moments.Second.div(correction).sqrt_().add_(epsilon, one);
            parameter.addcdiv_(moments.First, denominator, step);
        }
        StepCount = t;
    }

    public OptimizerState ExportState(ParameterLayout layout) => _moments.Count == 0
        ? new(StepCount, [])
        : new(StepCount, [
            layout.Flatten(_moments.ToDictionary(m => m.Key, m => m.Value.First, StringComparer.Ordinal)),
            layout.Flatten(_moments.ToDictionary(m => m.Key, m => m.Value.Second, StringComparer.Ordinal))]);

    public void ImportState(OptimizerState state, ParameterLayout layout)
    {
        if (state.Buffers.Length is not (0 or 2)) throw new ArgumentException($"Adam state has two buffers (moments), not {state.Buffers.Length}.");
        foreach (var (first, second) in _moments.Values)
        {
            first.Dispose();
            second.Dispose();
        }
        _moments.Clear();
        if (state.Buffers.Length == 2)
        {
            var first = OptimizerState.Restore(layout, state.Buffers[0]);
            var second = OptimizerState.Restore(layout, state.Buffers[1]);
            foreach (var name in first.Keys) _moments[name] = (first[name], second[name]);
        }
        StepCount = state.Steps;
    }
}

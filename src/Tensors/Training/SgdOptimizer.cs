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
        foreach (var (name, parameter) in parameters)
        {
            using var gradient = Optimizers.GradientFor(name, parameter, gradients);
            using var decayed = weightDecay != 0 ? gradient.add(parameter, weightDecay) : gradient.alias();
            var direction = decayed;
            if (momentum != 0)
            {
                if (_momentum.TryGetValue(name, out var buffer)) buffer.mul_(momentum).add_(decayed);
                else _momentum[name] = buffer = decayed.detach().clone().DetachFromDisposeScope(); // optimizer state outlives any caller scope
                direction = buffer;
            }
            parameter.add_(direction, -learningRate);
        }
        StepCount++;
    }
}

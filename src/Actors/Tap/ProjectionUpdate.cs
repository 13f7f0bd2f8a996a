using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Recording;

namespace ActorTrain.Actors.Tap;

/// <summary>
/// The part of a worker update the label-revelation attack reads, as a mean gradient: the projection layer's weight
/// (classes × features, nn.Linear's layout) and bias, over <paramref name="Samples"/> samples.
/// </summary>
/// <param name="Bias">The bias gradient averaged over the samples; null when the update does not carry the bias.</param>
/// <param name="FromDelta">Built from a local-sgd weight delta rather than a gradient (the bias scale is then an estimate).</param>
public sealed record ProjectionUpdate(
    string RunId, long Version, string WorkerId, int Samples, float[] Weight, int Classes, int Features, float[]? Bias, bool FromDelta)
{
    /// <summary>From an update the parameter server published (online).</summary>
    public static ProjectionUpdate From(WorkerUpdate update, RunSpec spec, string layer) =>
        Build(update.RunId, update.Version, update.WorkerId, update.BatchSize, update.Kind, update.Tensors.Names, update.Tensors.Shapes,
            update.Tensors.Values, spec, layer);

    /// <summary>From a recorded update (replay).</summary>
    public static ProjectionUpdate From(UpdateCaptured captured, RunSpec spec, string layer) =>
        Build(captured.RunId, captured.Version, captured.WorkerId, captured.BatchSize, captured.Kind, captured.Names, captured.Shapes,
            captured.Values(), spec, layer);

    private static ProjectionUpdate Build(string run, long version, string worker, int samples, UpdateKind kind, string[] names,
        long[][] shapes, float[] values, RunSpec spec, string layer)
    {
        var weight = Slice(names, shapes, values, layer + ".weight")
            ?? throw new ArgumentException(
                $"Update {version} of worker {worker} has no '{layer}.weight' (it holds {string.Join(", ", names)}): record the projection layer (--capture projection).");
        if (weight.Shape.Length != 2)
            throw new ArgumentException($"'{layer}.weight' of update {version} has shape [{string.Join(", ", weight.Shape)}]; the attack needs a matrix.");
        var bias = Slice(names, shapes, values, layer + ".bias")?.Values;
        if (bias is not null && bias.Length != weight.Shape[0])
            throw new ArgumentException($"'{layer}.bias' of update {version} has {bias.Length} values for {weight.Shape[0]} classes.");
        if (samples < 1) throw new ArgumentException($"Update {version} of worker {worker} claims {samples} samples.");
        var fromDelta = kind == UpdateKind.WeightDelta;
        if (fromDelta)
        {
            // A delta is −lr·(sum of momentum-filtered gradients): flip it for the set, and rescale the bias to a mean gradient.
            var scale = -1.0 / (spec.LearningRate * MomentumSteps(spec.Momentum, spec.Period.StepsAt(version)));
            Scale(weight.Values, -1);
            if (bias is not null) Scale(bias, (float)scale);
        }
        return new ProjectionUpdate(run, version, worker, samples, weight.Values, (int)weight.Shape[0], (int)weight.Shape[1], bias, fromDelta);
    }

    /// <summary>
    /// Σ_{t=1..K} (1 − μ^t)/(1 − μ): how many gradients' worth K heavy-ball steps move the weights when the gradient
    /// stays the same (K when μ = 0).
    /// </summary>
    internal static double MomentumSteps(double momentum, int steps)
    {
        if (momentum == 0) return steps;
        var total = 0.0;
        for (var t = 1; t <= steps; t++) total += (1 - Math.Pow(momentum, t)) / (1 - momentum);
        return total;
    }

    private static void Scale(float[] values, float factor)
    {
        for (var i = 0; i < values.Length; i++) values[i] *= factor;
    }

    private static (long[] Shape, float[] Values)? Slice(string[] names, long[][] shapes, float[] values, string name)
    {
        var offset = 0L;
        for (var i = 0; i < names.Length; i++)
        {
            var length = shapes[i].Aggregate(1L, (a, b) => a * b);
            if (names[i] == name)
            {
                if (offset + length > values.Length)
                    throw new ArgumentException($"'{name}' claims values {offset}..{offset + length} of {values.Length}.");
                return (shapes[i], values.AsSpan((int)offset, (int)length).ToArray());
            }
            offset += length;
        }
        return null;
    }
}

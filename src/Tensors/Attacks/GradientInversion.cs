using System.Diagnostics;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// Reconstruction of a batch from its gradient, the DLG / inverting-gradients family: dummy inputs (and, when the
/// labels are unknown, dummy soft labels) are optimised so that the gradient they produce on the recorded weights
/// matches the recorded gradient. Zhu, Liu and Han, "Deep Leakage from Gradients", NeurIPS 2019 (joint soft labels,
/// L2 distance); Geiping, Bauermeister, Dröge and Moeller, "Inverting Gradients", NeurIPS 2020 (cosine distance over
/// all parameters, total-variation prior, signed Adam with step decay at 3/8, 5/8, 7/8, restarts keeping the best
/// match). The RLG paper (Dang et al., NeurIPS 2021, §5) reports that such attacks succeed more often once the labels
/// are known; <see cref="LabelKnowledge"/> selects what the attacker knows. The objective's gradient needs second-order
/// autograd (the dummy's parameter gradient is built with create_graph); ReLU's zero second derivative does not stop
/// it, because the parameter gradient depends on the input through the activations and the outer products.
/// </summary>
public static class GradientInversion
{
    /// <summary>Reconstructs the <paramref name="batchSize"/> samples behind <paramref name="target"/>.</summary>
    /// <param name="model">The model with the weights the worker used (not changed).</param>
    /// <param name="target">∇θ of the mean cross-entropy over the batch, one tensor per model parameter, by name.</param>
    /// <param name="sampleShape">One input's shape, e.g. [1, 28, 28].</param>
    /// <param name="labels">The batch's labels when known, in any order (the dummies carry them ascending); null optimises
    /// soft labels jointly.</param>
    public static GradientInversionResult Invert(LayeredModel model, IReadOnlyDictionary<string, Tensor> target, int batchSize,
        long[] sampleShape, long[]? labels, GradientInversionOptions? options = null)
    {
        options ??= GradientInversionOptions.Default;
        options.Validate();
        if (batchSize < 1) throw new ArgumentException($"Batch size must be at least 1, got {batchSize}.");
        if (labels is not null && labels.Length != batchSize)
            throw new ArgumentException($"{labels.Length} labels were given for a batch of {batchSize}; give one per sample.");
        var clock = Stopwatch.StartNew();
        var parameters = model.named_parameters().Select(p => (p.name, Parameter: (Tensor)p.parameter)).ToArray();
        var projection = parameters.FirstOrDefault(p => p.name == $"{model.ProjectionLayer}.weight").Parameter
            ?? throw new ArgumentException($"Model '{model.GetName()}' has no projection layer: inversion needs a classifier.");
        var classes = projection.shape[0];
        if (labels is not null && labels.Any(l => l < 0 || l >= classes))
            throw new ArgumentException($"Labels must lie in 0..{classes - 1}: [{string.Join(", ", labels)}].");
        var (type, device) = (projection.dtype, projection.device);
        var targets = Targets(parameters, target);
        // Ascending: a batch's gradient is a sum, so which dummy carries which label is arbitrary; sorting makes the same
        // multiset (e.g. the true labels and RLG's, when RLG is right) give the very same inversion.
        using var labelTensor = labels is null ? null : tensor(labels.Order().ToArray(), device: device);

        Tensor? bestInputs = null;
        long[] bestLabels = [];
        var bestDistance = double.PositiveInfinity;
        var (iterations, stoppedEarly) = (0, 0);
        try
        {
            for (var restart = 0; restart < options.Restarts; restart++)
            {
                var run = Restart(model, parameters, targets, batchSize, sampleShape, classes, type, device, labelTensor, options, options.Seed + restart);
                iterations += run.Iterations;
                if (run.StoppedEarly) stoppedEarly++;
                if (run.Distance < bestDistance || bestInputs is null)
                {
                    bestInputs?.Dispose();
                    (bestInputs, bestLabels, bestDistance) = (run.Inputs, run.Labels, run.Distance);
                }
                else run.Inputs.Dispose();
            }
        }
        finally
        {
            foreach (var t in targets) t.Dispose();
        }
        return new GradientInversionResult(bestInputs!, bestLabels, bestDistance, iterations, stoppedEarly, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The labels RLG reveals from the target's projection weight and bias gradient, with their counts, as one
    /// label per sample (ascending): N labels, since the counts sum to N; none when RLG reveals no class.</summary>
    public static long[] RevealLabels(LayeredModel model, IReadOnlyDictionary<string, Tensor> target, int batchSize)
    {
        var name = model.ProjectionLayer ?? throw new ArgumentException($"Model '{model.GetName()}' has no projection layer for RLG to read.");
        if (!target.TryGetValue($"{name}.weight", out var weight) || !target.TryGetValue($"{name}.bias", out var bias))
            throw new ArgumentException($"RLG needs the gradient of '{name}.weight' and '{name}.bias'.");
        using var scope = NewDisposeScope();
        var w = weight.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var b = bias.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var result = RlgAttack.RevealLabels(w.data<float>().ToArray(), (int)w.shape[0], (int)w.shape[1], MatrixOrientation.ClassesByFeatures,
            batchSize, b.data<float>().ToArray());
        return result.Labels.SelectMany((label, i) => Enumerable.Repeat((long)label, result.Counts![i])).ToArray();
    }

    private sealed record RestartOutcome(Tensor Inputs, long[] Labels, double Distance, int Iterations, bool StoppedEarly);

    private static RestartOutcome Restart(LayeredModel network, (string Name, Tensor Parameter)[] parameters, Tensor[] targets, int batchSize, long[] sampleShape,
        long classes, ScalarType type, Device device, Tensor? labels, GradientInversionOptions options, long seed)
    {
        using var generator = new Generator((ulong)seed, device);
        var inputs = randn([batchSize, .. sampleShape], type, device, generator: generator).requires_grad_();
        var labelLogits = labels is null ? randn([batchSize, classes], type, device, generator: generator).requires_grad_() : null;
        var dummies = labelLogits is null ? new[] { ("inputs", inputs) } : [("inputs", inputs), ("labels", labelLogits)];
        var optimizer = new AdamOptimizer(options.LearningRate);
        var model = parameters.Select(p => p.Parameter).ToArray();
        var milestones = new[] { 3, 5, 7 }.Select(k => options.Iterations * k / 8).ToArray();
        using var tvWeight = options.TotalVariation.ToScalar();
        using var low = options.InputBounds?.Low.ToScalar();
        using var high = options.InputBounds?.High.ToScalar();
        Tensor? best = null;
        long[] bestLabels = [];
        var (bestObjective, bestDistance, since, step) = (double.PositiveInfinity, double.PositiveInfinity, 0, 0);
        try
        {
            var (stage, stalled) = (0, false);
            for (; step < options.Iterations; step++)
            {
                // Step decay ×0.1 at 3/8, 5/8, 7/8 of the iterations, or earlier when the objective has stalled for
                // Patience steps; stalled at the lowest rate, the restart ends.
                if (since >= options.Patience)
                {
                    if (stage == milestones.Length) { stalled = true; break; }
                    (stage, since) = (stage + 1, 0);
                }
                while (stage < milestones.Length && step >= milestones[stage]) stage++;
                optimizer.RateScale = Math.Pow(0.1, stage);
                using var scope = NewDisposeScope();
                var gradients = DummyGradient(network, model, inputs, labels, labelLogits, createGraph: true);
                var distance = Distance(gradients, targets, options.Distance);
                var objective = options.TotalVariation > 0 && inputs.dim() == 4 ? distance.add(TotalVariation(inputs), tvWeight) : distance;
                var value = objective.to_type(ScalarType.Float64).item<double>();
                if (!double.IsFinite(value)) break;
                // A change is an improvement of Tolerance relative to the best so far, but at least Tolerance · 1e-3 absolute:
                // near a perfect match (objective ~1e-7) float32 noise alone would otherwise keep "improving" it.
                if (bestObjective - value > options.Tolerance * Math.Max(Math.Abs(bestObjective), 1e-3) || best is null)
                {
                    best?.Dispose();
                    best = inputs.detach().clone().DetachFromDisposeScope();
                    bestLabels = labels?.cpu().data<long>().ToArray() ?? labelLogits!.argmax(1).cpu().data<long>().ToArray();
                    (bestObjective, bestDistance, since) = (value, distance.to_type(ScalarType.Float64).item<double>(), 0);
                }
                else since++;
                var steps = autograd.grad([objective], dummies.Select(d => d.Item2).ToArray());
                optimizer.Step(dummies, dummies.Select((d, i) => (d.Item1, options.SignedGradients ? steps[i].sign() : steps[i]))
                    .ToDictionary(d => d.Item1, d => d.Item2, StringComparer.Ordinal));
                if (low is not null)
                    using (no_grad())
                        inputs.clamp_(low, high);
            }
            return best is null
                ? throw new ArgumentException("The inversion objective is not finite at the start: is the target gradient's scale extreme? Try the cosine distance.")
                : new RestartOutcome(best, bestLabels, bestDistance, step, stalled);
        }
        finally
        {
            inputs.Dispose();
            labelLogits?.Dispose();
        }
    }

    /// <summary>
    /// ∇θ of the mean cross-entropy of <paramref name="inputs"/> under the model, the formula a worker's update follows
    /// (<see cref="GradientStep"/>): with hard <paramref name="labels"/>, or with soft labels softmax(<paramref name="labelLogits"/>)
    /// as −(1/N) Σ_i Σ_c softmax(ỹ_i)_c log softmax(z_i)_c. With <paramref name="createGraph"/> the result stays
    /// differentiable in the inputs and label logits.
    /// </summary>
    internal static Tensor[] DummyGradient(nn.Module<Tensor, Tensor> model, Tensor[] parameters, Tensor inputs, Tensor? labels, Tensor? labelLogits,
        bool createGraph)
    {
        var logits = model.forward(inputs);
        var loss = labels is not null
            ? nn.functional.cross_entropy(logits, labels)
            : -(labelLogits!.softmax(1) * logits.log_softmax(1)).sum(1).mean();
        // retain_graph with create_graph, as PyTorch defaults it: TorchSharp passes false, and the second differentiation then
        // finds the saved tensors freed (c10 "Trying to backward through the graph a second time", raised on an autograd thread).
        return autograd.grad([loss], parameters, retain_graph: createGraph, create_graph: createGraph).ToArray();
    }

    /// <summary>Cosine distance 1 − Σ⟨g, t⟩ / (‖g‖‖t‖) or squared L2 distance, summed over all parameters.</summary>
    /// <remarks>
    /// No implicit Scalars (docs/cluster.md, "Scalar lifetime"; this runs every inversion step): TorchSharp's
    /// <c>square()</c> is <c>pow(2)</c> and tensor <c>+</c> passes a hidden alpha of 1 (<c>sub</c> has none), and a garbage collection
    /// freed such a Scalar during <c>pow</c> in a bench run (c10 "INTERNAL ASSERT FAILED at Scalar.h"). Products and
    /// explicit Scalars only.
    /// </remarks>
    internal static Tensor Distance(IReadOnlyList<Tensor> gradients, IReadOnlyList<Tensor> targets, GradientDistance kind)
    {
        using var one = 1.0.ToScalar();
        Tensor? dot = null, gradientNorm = null, targetNorm = null;
        Tensor Accumulate(Tensor? sum, Tensor term) => sum is null ? term : sum.add(term, one);
        for (var i = 0; i < gradients.Count; i++)
        {
            if (kind == GradientDistance.L2)
            {
                var difference = gradients[i].sub(targets[i]);
                dot = Accumulate(dot, difference.mul(difference).sum());
                continue;
            }
            dot = Accumulate(dot, gradients[i].mul(targets[i]).sum());
            gradientNorm = Accumulate(gradientNorm, gradients[i].mul(gradients[i]).sum());
            targetNorm = Accumulate(targetNorm, targets[i].mul(targets[i]).sum());
        }
        if (kind == GradientDistance.L2) return dot!;
        using var floor = 1e-12.ToScalar();
        // floor before sqrt: a zero gradient (all ReLUs dead) would divide by zero
        var cosine = dot!.div(gradientNorm!.clamp_min(floor).sqrt().mul(targetNorm!.clamp_min(floor).sqrt()));
        return cosine.neg().add_(one);
    }

    /// <summary>Anisotropic total variation of [N, C, H, W] images: mean |vertical difference| + mean |horizontal difference|.</summary>
    internal static Tensor TotalVariation(Tensor images)
    {
        using var one = 1.0.ToScalar(); // explicit, as in Distance
        var vertical = images[.., .., 1.., ..].sub(images[.., .., ..^1, ..]).abs().mean();
        var horizontal = images[.., .., .., 1..].sub(images[.., .., .., ..^1]).abs().mean();
        return vertical.add(horizontal, one);
    }

    /// <summary>The target tensors in parameter order, detached copies in the parameters' type and device.</summary>
    private static Tensor[] Targets((string Name, Tensor Parameter)[] parameters, IReadOnlyDictionary<string, Tensor> target)
    {
        var missing = parameters.Where(p => !target.ContainsKey(p.Name)).Select(p => p.Name).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"The target gradient lacks parameter(s) {string.Join(", ", missing)}; inversion needs the gradient of every parameter.");
        var unknown = target.Keys.Where(k => parameters.All(p => p.Name != k)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"The target gradient names parameter(s) the model does not have: {string.Join(", ", unknown)}.");
        var result = new List<Tensor>();
        foreach (var (name, parameter) in parameters)
        {
            var t = target[name];
            if (!t.shape.SequenceEqual(parameter.shape))
                throw new ArgumentException($"Target gradient '{name}' is {string.Join(" × ", t.shape)}; the parameter is {string.Join(" × ", parameter.shape)}.");
            using var finite = t.isfinite().all();
            if (!finite.item<bool>()) throw new ArgumentException($"Target gradient '{name}' holds NaN or ∞.");
            result.Add(t.detach().to(parameter.dtype, parameter.device).clone());
        }
        return result.ToArray();
    }
}

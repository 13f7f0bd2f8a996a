using System.Diagnostics;
using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using static TorchSharp.torch;

namespace ActorTrain.Actors.Tap;

/// <summary>One worker update, inverted.</summary>
/// <param name="Labels">The labels the reconstruction carried (ascending, or the joint regime's arg-max per dummy).</param>
/// <param name="TrueLabels">The batch's recorded labels, ascending; null when the run did not record them.</param>
/// <param name="LabelAccuracy">Multiset overlap of <paramref name="Labels"/> with the true labels, / N; null without them.</param>
/// <param name="Mse">Against the recorded inputs in [0, 1], each reconstruction paired with its closest true image; null
/// when the run did not record inputs (also <paramref name="Psnr"/>, in dB, and <paramref name="Ssim"/>).</param>
/// <param name="Seconds">Wall-clock time of the inversion, RLG included.</param>
/// <param name="Truth">The recorded inputs in [0, 1] (for a picture), or null.</param>
/// <param name="Reconstruction">The reconstructions in [0, 1], paired with the truth's order when it is known.</param>
public sealed record InvertedUpdate(
    long Version, string WorkerId, int BatchSize, long[] Labels, long[]? TrueLabels, double? LabelAccuracy, double? Mse, double? Psnr,
    double? Ssim, double GradientDistance, int Iterations, double Seconds, float[]? Truth, float[] Reconstruction);

/// <summary>A data-parallel worker update to invert: its mean gradient and the weights it was computed on.</summary>
/// <param name="Gradient">∇θ of the mean loss over the batch, every model parameter, by name.</param>
/// <param name="Weights">The weights of <paramref name="Version"/>, every model parameter, by name.</param>
/// <param name="TrueLabels">The batch's labels when the run records them (scoring and the "true" regime only).</param>
/// <param name="TrueInputs">The batch's raw inputs when the run records them: used for the score alone, never by the attack.</param>
public sealed record UpdateToInvert(
    long Version, string WorkerId, int BatchSize, TensorSet Gradient, TensorSet Weights, long[]? TrueLabels, float[]? TrueInputs);

/// <summary>
/// Gradient inversion (<see cref="GradientInversion"/>) of one data-parallel worker update, the step that offline
/// replay (<see cref="Recording.InversionReplay"/>) and the online tap (<see cref="GradientInverter"/>) share: loads the
/// update's weights into the run's model, picks the labels by what the attacker knows (<see cref="LabelKnowledge"/>),
/// reconstructs the batch and scores it against the recorded truth when there is one. Fashion-MNIST runs of mlp or cnn
/// in sync or async mode only (<see cref="Refusal"/>). Not thread-safe: one inversion at a time.
/// </summary>
public sealed class UpdateInverter : IDisposable
{
    private static readonly long[] ImageShape = [1, 28, 28];
    private readonly LayeredModel _model;
    private readonly (string Name, Tensor Parameter)[] _parameters;

    /// <summary>Builds the model the run trained (its seeded initial weights are replaced before each inversion).</summary>
    /// <exception cref="ArgumentException">The run cannot be inverted (<see cref="Refusal"/>).</exception>
    public UpdateInverter(RunSpec spec)
    {
        if (Refusal(spec) is { } refusal) throw new ArgumentException(refusal);
        _model = new ModelSpec(spec.Model, ImageShape, FashionMnist.ClassCount, spec.Hidden).Build(spec.Seed);
        _parameters = _model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
    }

    /// <summary>Every parameter of the model, by name: an update lacking one cannot be inverted.</summary>
    public IReadOnlyList<string> ParameterNames => _parameters.Select(p => p.Name).ToArray();

    /// <summary>Why the run's updates cannot be inverted, or null.</summary>
    public static string? Refusal(RunSpec spec)
    {
        if (spec.Mode == "local-sgd")
            return $"Run {spec.RunId} trained local-sgd: its updates are weight deltas over several local steps, not one batch's gradient. Gradient inversion needs a sync or async run.";
        if (spec.Dataset != "fashion-mnist" || spec.Model is not ("mlp" or "cnn"))
            return $"Run {spec.RunId} trained {spec.Model} on {spec.Dataset}: gradient inversion reconstructs images, from mlp or cnn runs on fashion-mnist.";
        return null;
    }

    /// <param name="labels">What the attacker knows of the labels; <see cref="LabelKnowledge.True"/> needs <see cref="UpdateToInvert.TrueLabels"/>.</param>
    /// <exception cref="ArgumentException">The update or its weights do not fit the model, or true labels are missing.</exception>
    public InvertedUpdate Invert(UpdateToInvert update, LabelKnowledge labels, GradientInversionOptions options)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        Load(update.Weights);
        var target = ByName(update.Gradient, "gradient");
        var n = update.BatchSize;
        var known = labels switch
        {
            LabelKnowledge.True => update.TrueLabels ?? throw new ArgumentException(
                $"Labels 'true': the batch of worker {update.WorkerId} at version {update.Version} has no recorded labels (record with --record-labels)."),
            LabelKnowledge.Rlg => GradientInversion.RevealLabels(_model, target, n),
            _ => null,
        };
        using var result = GradientInversion.Invert(_model, target, n, ImageShape, known, options with { InputBounds = FashionMnist.NormalisedPixelRange });
        var reconstructions = FashionMnist.ToUnitRange(result.Inputs);
        var trueLabels = update.TrueLabels;
        var accuracy = trueLabels is null ? (double?)null : GradientInversionScoring.LabelAccuracy(result.Labels, trueLabels);
        InversionScore? image = null;
        float[]? truth = null;
        if (update.TrueInputs is { } trueInputs)
        {
            if (trueInputs.Length != n * ImageShape.Aggregate(1L, (a, b) => a * b))
                throw new InvalidDataException($"The recorded inputs of worker {update.WorkerId} at version {update.Version} hold {trueInputs.Length} values, not {n} images of 28 × 28.");
            var images = FashionMnist.ToUnitRange(tensor(trueInputs, [n, .. ImageShape]));
            image = GradientInversionScoring.Score(reconstructions, images, result.Labels, trueLabels ?? result.Labels).Image;
            reconstructions = GradientInversionScoring.Paired(reconstructions, images);
            truth = images.data<float>().ToArray();
        }
        return new InvertedUpdate(update.Version, update.WorkerId, n, result.Labels, trueLabels?.Order().ToArray(), accuracy, image?.Mse, image?.Psnr,
            image?.Ssim, result.Distance, result.Iterations, clock.Elapsed.TotalSeconds, truth, reconstructions.contiguous().data<float>().ToArray());
    }

    public void Dispose() => _model.Dispose();

    /// <summary>Copies the weights into the model's parameters, by name.</summary>
    private void Load(TensorSet weights)
    {
        var values = ByName(weights, "weights");
        using var noGrad = no_grad();
        foreach (var (name, parameter) in _parameters)
        {
            if (!values.TryGetValue(name, out var value))
                throw new ArgumentException($"The weights lack parameter '{name}'. Record with --capture all --capture-weights.");
            if (!value.shape.SequenceEqual(parameter.shape))
                throw new ArgumentException($"The weights of '{name}' are {string.Join(" × ", value.shape)}; the model's parameter is {string.Join(" × ", parameter.shape)}.");
            parameter.copy_(value);
        }
    }

    /// <summary>Flat values split into one tensor per name (in the current dispose scope).</summary>
    private static Dictionary<string, Tensor> ByName(TensorSet set, string what)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var flat = tensor(set.Values);
        long offset = 0;
        for (var i = 0; i < set.Names.Length; i++)
        {
            var length = set.Shapes[i].Aggregate(1L, (a, b) => a * b);
            if (offset + length > set.Values.Length) throw new InvalidDataException($"The {what} hold {set.Values.Length} values, fewer than their shapes name.");
            result[set.Names[i]] = flat.narrow(0, offset, length).reshape(set.Shapes[i]);
            offset += length;
        }
        return result;
    }
}

using System.Diagnostics;
using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using Akka.Configuration;
using static TorchSharp.torch;

namespace ActorTrain.Actors.Recording;

/// <summary>What `replay --attack invert` does to each recorded update.</summary>
/// <param name="Labels">What the attacker knows of the labels: none (optimised jointly), rlg (revealed from the update
/// itself) or true (the recorded labels: the upper bound).</param>
/// <param name="MaxUpdates">Most updates inverted (the first ones in range that have their version's weights).</param>
public sealed record InversionReplayOptions(LabelKnowledge Labels, int MaxUpdates, GradientInversionOptions Inversion);

/// <summary>One recorded update, inverted.</summary>
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

/// <summary>What an inversion replay did.</summary>
/// <param name="Captured">Captured updates in range the stream held.</param>
/// <param name="WithoutWeights">Of those, the ones passed over because their version's weights were not recorded.</param>
public sealed record InversionReplayReport(
    string RunId, RunSpec Spec, IReadOnlyList<InvertedUpdate> Updates, long Events, long Captured, long WithoutWeights,
    IReadOnlyList<SkippedEvent> Corrupt, double Seconds);

/// <summary>
/// Offline gradient inversion (<see cref="GradientInversion"/>) of a run's recorded full updates: rebuilds the model the
/// run trained from its <see cref="RecordingStarted"/> spec, loads the weights of each update's version
/// (<see cref="WeightsCaptured"/>, --capture all --capture-weights), and reconstructs the worker's batch from its mean
/// gradient; scored against the evaluation stream (labels-RUN) when the run recorded the labels (--record-labels) and
/// inputs (--record-inputs) there. Fashion-MNIST runs of sync or async mode only: a local-sgd update is a weight delta
/// over several batches, not one batch's gradient.
/// </summary>
public static class InversionReplay
{
    private static readonly long[] ImageShape = [1, 28, 28];

    public static async Task<InversionReplayReport> RunAsync(Config journal, string runId, ReplayRange range, InversionReplayOptions options,
        Action<InvertedUpdate>? progress = null, CancellationToken cancellation = default)
    {
        if (options.MaxUpdates < 1) throw new ArgumentException($"--max-updates {options.MaxUpdates}: must be at least 1.");
        if (options.Inversion.Iterations < 1 || options.Inversion.Restarts < 1)
            throw new ArgumentException($"--iterations {options.Inversion.Iterations}, --restarts {options.Inversion.Restarts}: each must be at least 1.");
        var clock = Stopwatch.StartNew();
        var corrupt = new List<SkippedEvent>();
        var work = new List<(UpdateCaptured Update, WeightsCaptured Weights)>();
        Dictionary<(long, string), long[]> labels;
        Dictionary<(long, string), float[]> inputs;
        RunSpec? spec = null;
        string[] parameters = [];
        string? refusal = null;
        long events = 0, captured = 0, withoutWeights = 0;
        var anyWeights = false;
        await using (var reader = JournalReader.Open(journal, "actortrain-invert"))
        {
            WeightsCaptured? weights = null;
            var updates = RecordingStreams.Updates(runId);
            // Refusals are raised after the stream: thrown inside it, Akka would log the stream's failure with a stack trace.
            await reader.ForEach(updates, envelope =>
            {
                events++;
                if (refusal is not null) return Task.CompletedTask;
                switch (envelope.Event)
                {
                    case RecordingStarted started when spec is null:
                        spec = started.Spec;
                        refusal = Refusal(spec, runId);
                        if (refusal is null)
                            using (var model = Build(spec)) parameters = model.named_parameters().Select(p => p.name).ToArray();
                        break;
                    case WeightsCaptured w:
                        (weights, anyWeights) = (w, true);
                        break;
                    case UpdateCaptured update when range.Contains(update.Version):
                        captured++;
                        if (spec is null)
                            refusal = $"The recording of run {runId} starts with an update, not with what the run trained: it cannot be replayed.";
                        else if (update.Kind != UpdateKind.Gradient)
                            refusal = $"Run {runId} recorded weight deltas (local-sgd), not one batch's gradient: gradient inversion needs a sync or async run.";
                        else if (parameters.Except(update.Names).ToArray() is { Length: > 0 } missing)
                            refusal = $"Run {runId} captured only {string.Join(", ", update.Names)} of each update; inversion needs every parameter's gradient (missing {string.Join(", ", missing)}). Record with --capture all --capture-weights.";
                        if (refusal is not null || work.Count >= options.MaxUpdates) break;
                        if (weights?.Version != update.Version) withoutWeights++;
                        else work.Add((update, weights));
                        break;
                    case UndecodableEvent undecodable:
                        corrupt.Add(new SkippedEvent(updates, envelope.SequenceNr, undecodable.Reason));
                        break;
                }
                return Task.CompletedTask;
            }, (sequenceNr, error) => corrupt.Add(new SkippedEvent(updates, sequenceNr, $"unreadable: {error.Message}")), cancellation);
            // Only the batches to invert: a long run's recorded inputs need not fit in memory.
            (labels, inputs) = await Evaluation(reader, runId, work.Select(w => (w.Update.Version, w.Update.WorkerId)).ToHashSet(), corrupt);
        }

        if (refusal is not null) throw new ArgumentException(refusal);
        if (spec is null)
            throw new ArgumentException(events == 0
                ? $"The journal holds no recorded updates of run '{runId}'. `actortrain runs --journal ...` lists the recorded runs."
                : $"The recording of run {runId} does not say what the run trained: it cannot be replayed.");
        if (captured == 0) throw new ArgumentException($"Run {runId} has no captured update in versions {range}.");
        if (!anyWeights)
            throw new ArgumentException($"Run {runId} recorded no weights: gradient inversion needs the weights each update was computed on. Record with --capture all --capture-weights.");
        if (work.Count == 0)
            throw new ArgumentException($"No captured update of run {runId} in versions {range} has its version's weights recorded (weights are recorded once per captured version).");
        if (options.Labels == LabelKnowledge.True && work.FirstOrDefault(w => !labels.ContainsKey((w.Update.Version, w.Update.WorkerId))) is { Update: { } missing })
            throw new ArgumentException(
                $"--labels true: run {runId} recorded no labels for worker {missing.WorkerId} at version {missing.Version}. Record with --record-labels, or use --labels rlg | none.");

        using var model = Build(spec);
        var results = new List<InvertedUpdate>();
        foreach (var (update, weights) in work)
        {
            cancellation.ThrowIfCancellationRequested();
            var result = Invert(model, update, weights, labels.GetValueOrDefault((update.Version, update.WorkerId)),
                inputs.GetValueOrDefault((update.Version, update.WorkerId)), options);
            results.Add(result);
            progress?.Invoke(result);
        }
        return new InversionReplayReport(runId, spec, results, events, captured, withoutWeights, corrupt, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Why the run's updates cannot be inverted, or null.</summary>
    private static string? Refusal(RunSpec spec, string runId)
    {
        if (spec.Mode == "local-sgd")
            return $"Run {runId} trained local-sgd: its updates are weight deltas over several local steps, not one batch's gradient. Gradient inversion needs a sync or async run.";
        if (spec.Dataset != "fashion-mnist" || spec.Model is not ("mlp" or "cnn"))
            return $"Run {runId} trained {spec.Model} on {spec.Dataset}: replay --attack invert reconstructs images, from mlp or cnn runs on fashion-mnist.";
        return null;
    }

    /// <summary>The model the run trained, with its seeded initial weights (replaced by the recorded ones before each inversion).</summary>
    private static LayeredModel Build(RunSpec spec) => new ModelSpec(spec.Model, ImageShape, FashionMnist.ClassCount, spec.Hidden).Build(spec.Seed);

    private static InvertedUpdate Invert(LayeredModel model, UpdateCaptured update, WeightsCaptured weights, long[]? trueLabels, float[]? trueInputs,
        InversionReplayOptions options)
    {
        var clock = Stopwatch.StartNew();
        var parameters = model.named_parameters().Select(p => (p.name, Parameter: (Tensor)p.parameter)).ToArray();
        using var scope = NewDisposeScope();
        Load(parameters, weights.Names, weights.Shapes, weights.Values(), "weights");
        var target = ByName(update.Names, update.Shapes, update.Values());
        var n = update.BatchSize;
        var labels = options.Labels switch
        {
            LabelKnowledge.True => trueLabels,
            LabelKnowledge.Rlg => GradientInversion.RevealLabels(model, target, n),
            _ => null,
        };
        var inversion = options.Inversion with { InputBounds = FashionMnist.NormalisedPixelRange };
        using var result = GradientInversion.Invert(model, target, n, ImageShape, labels, inversion);
        var reconstructions = FashionMnist.ToUnitRange(result.Inputs);
        var accuracy = trueLabels is null ? (double?)null : GradientInversionScoring.LabelAccuracy(result.Labels, trueLabels);
        InversionScore? image = null;
        float[]? truth = null;
        if (trueInputs is not null)
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

    /// <summary>Copies recorded values into the model's parameters, by name.</summary>
    private static void Load((string Name, Tensor Parameter)[] parameters, string[] names, long[][] shapes, float[] values, string what)
    {
        var recorded = ByName(names, shapes, values);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            if (!recorded.TryGetValue(name, out var value))
                throw new ArgumentException($"The recorded {what} lack parameter '{name}'. Record with --capture all --capture-weights.");
            if (!value.shape.SequenceEqual(parameter.shape))
                throw new ArgumentException($"The recorded {what} of '{name}' are {string.Join(" × ", value.shape)}; the model's parameter is {string.Join(" × ", parameter.shape)}.");
            parameter.copy_(value);
        }
    }

    /// <summary>Flat recorded values split into one tensor per name (in the current dispose scope).</summary>
    private static Dictionary<string, Tensor> ByName(string[] names, long[][] shapes, float[] values)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var flat = tensor(values);
        long offset = 0;
        for (var i = 0; i < names.Length; i++)
        {
            var length = shapes[i].Aggregate(1L, (a, b) => a * b);
            if (offset + length > values.Length) throw new InvalidDataException($"The recording holds {values.Length} values, fewer than its shapes name.");
            result[names[i]] = flat.narrow(0, offset, length).reshape(shapes[i]);
            offset += length;
        }
        return result;
    }

    /// <summary>The recorded labels and inputs of the <paramref name="wanted"/> batches by (version, worker); undecodable
    /// events are skipped and reported.</summary>
    private static async Task<(Dictionary<(long, string), long[]>, Dictionary<(long, string), float[]>)> Evaluation(
        JournalReader reader, string runId, HashSet<(long, string)> wanted, List<SkippedEvent> corrupt)
    {
        var labels = new Dictionary<(long, string), long[]>();
        var inputs = new Dictionary<(long, string), float[]>();
        var stream = RecordingStreams.Labels(runId);
        await reader.ForEach(stream, envelope =>
        {
            switch (envelope.Event)
            {
                case LabelsRecorded l when wanted.Contains((l.Version, l.WorkerId)): labels[(l.Version, l.WorkerId)] = l.Labels; break;
                case InputsRecorded i when wanted.Contains((i.Version, i.WorkerId)): inputs[(i.Version, i.WorkerId)] = i.Values; break;
                case UndecodableEvent u: corrupt.Add(new SkippedEvent(stream, envelope.SequenceNr, u.Reason)); break;
            }
            return Task.CompletedTask;
        }, (sequenceNr, error) => corrupt.Add(new SkippedEvent(stream, sequenceNr, $"unreadable: {error.Message}")), CancellationToken.None);
        return (labels, inputs);
    }
}

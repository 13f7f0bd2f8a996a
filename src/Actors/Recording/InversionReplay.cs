using System.Diagnostics;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Tap;
using ActorTrain.Tensors.Attacks;
using Akka.Configuration;

namespace ActorTrain.Actors.Recording;

/// <summary>What `replay --attack invert` does to each recorded update.</summary>
/// <param name="Labels">What the attacker knows of the labels: none (optimised jointly), rlg (revealed from the update
/// itself) or true (the recorded labels: the upper bound).</param>
/// <param name="MaxUpdates">Most updates inverted (the first ones in range that have their version's weights).</param>
public sealed record InversionReplayOptions(LabelKnowledge Labels, int MaxUpdates, GradientInversionOptions Inversion);

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
/// gradient (<see cref="UpdateInverter"/>, the step the online tap takes too); scored against the evaluation stream
/// (labels-RUN) when the run recorded the labels (--record-labels) and inputs (--record-inputs) there. Fashion-MNIST runs of sync or async mode only: a local-sgd update is a weight delta
/// over several batches, not one batch's gradient.
/// </summary>
public static class InversionReplay
{
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
                        refusal = UpdateInverter.Refusal(spec);
                        if (refusal is null)
                            using (var inverter = new UpdateInverter(spec)) parameters = inverter.ParameterNames.ToArray();
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

        using var inverter = new UpdateInverter(spec);
        var results = new List<InvertedUpdate>();
        foreach (var (update, weights) in work)
        {
            cancellation.ThrowIfCancellationRequested();
            var key = (update.Version, update.WorkerId);
            var result = inverter.Invert(new UpdateToInvert(update.Version, update.WorkerId, update.BatchSize,
                new TensorSet(update.Names, update.Shapes, update.Values()), new TensorSet(weights.Names, weights.Shapes, weights.Values()),
                labels.GetValueOrDefault(key), inputs.GetValueOrDefault(key)), options.Labels, options.Inversion);
            results.Add(result);
            progress?.Invoke(result);
        }
        return new InversionReplayReport(runId, spec, results, events, captured, withoutWeights, corrupt, clock.Elapsed.TotalSeconds);
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

using System.Diagnostics;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Tap;
using ActorTrain.Actors.UpdateStream;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;

namespace ActorTrain.Actors.Recording;

/// <summary>Versions to replay, both ends included; null: open.</summary>
public sealed record ReplayRange(long? From = null, long? To = null)
{
    public bool Contains(long version) => (From is null || version >= From) && (To is null || version <= To);

    public override string ToString() => $"{From?.ToString() ?? "first"}..{To?.ToString() ?? "last"}";
}

/// <summary>A stored event that could not be decoded, reported and skipped.</summary>
public sealed record SkippedEvent(string PersistenceId, long SequenceNr, string Reason);

/// <summary>Where a replay stands (progress) or ended.</summary>
/// <param name="Events">Events of the updates stream read so far.</param>
/// <param name="Replayed">Captured updates in range handed to the tap.</param>
/// <param name="PayloadBytes">Bytes of captured tensor payload replayed.</param>
public sealed record ReplayProgress(long Events, long Replayed, long PayloadBytes, double Seconds);

/// <summary>What a replay did, with the tap's totals.</summary>
/// <param name="Corrupt">Undecodable events, skipped.</param>
/// <param name="WithTruth">Replayed updates whose batch labels were recorded (those are scored).</param>
public sealed record ReplayReport(string RunId, RunSpec Spec, ReplayRange Range, ReplayProgress Done, IReadOnlyList<SkippedEvent> Corrupt, long WithTruth, TapReport Tap);

/// <summary>
/// Offline attacks: streams a run's recorded updates (stream updates-RUN) through Akka.Persistence.Query, in order,
/// into the same <see cref="LabelRevealer"/> the online tap runs, one update at a time (nothing is dropped), with the
/// recorded labels (stream labels-RUN) as the truth to score against when the run recorded them.
/// </summary>
public static class UpdateReplay
{
    public static async Task<ReplayReport> RunAsync(Config journal, string runId, ReplayRange range, TapSettings tap,
        Action<ReplayProgress>? progress = null, CancellationToken cancellation = default)
    {
        await using var reader = JournalReader.Open(journal, "actortrain-replay");
        var corrupt = new List<SkippedEvent>();
        var truth = await Truth(reader, runId, corrupt);
        var clock = Stopwatch.StartNew();
        RunSpec? spec = null;
        IActorRef? revealer = null;
        long events = 0, replayed = 0, bytes = 0, withTruth = 0;
        var lastShown = TimeSpan.Zero;

        var updates = RecordingStreams.Updates(runId);
        await reader.ForEach(updates, async envelope =>
        {
            events++;
            switch (envelope.Event)
            {
                case RecordingStarted started when spec is null:
                    spec = started.Spec;
                    revealer = reader.System.ActorOf(LabelRevealer.Props(spec, tap, publish: false), "tap");
                    break;
                case UpdateCaptured captured when range.Contains(captured.Version):
                    if (revealer is null)
                        throw new InvalidOperationException(
                            $"The recording of run {runId} starts with an update, not with what the run trained (it predates ActorTrain's run metadata): it cannot be replayed.");
                    var labels = truth.GetValueOrDefault((captured.Version, captured.WorkerId));
                    await revealer.Ask<ConsumerReady>(new ReplayedUpdate(captured, labels), TimeSpan.FromMinutes(5), cancellation);
                    replayed++;
                    bytes += captured.Payload.Length;
                    if (labels is not null) withTruth++;
                    break;
                case UndecodableEvent undecodable:
                    corrupt.Add(new SkippedEvent(updates, envelope.SequenceNr, undecodable.Reason));
                    break;
            }
            if (progress is not null && clock.Elapsed - lastShown > TimeSpan.FromSeconds(1))
            {
                lastShown = clock.Elapsed;
                progress(new ReplayProgress(events, replayed, bytes, clock.Elapsed.TotalSeconds));
            }
        }, (sequenceNr, error) => corrupt.Add(new SkippedEvent(updates, sequenceNr, $"unreadable: {error.Message}")), cancellation);

        if (spec is null || revealer is null)
            throw new ArgumentException(events == 0
                ? $"The journal holds no recorded updates of run '{runId}'. `actortrain runs --journal ...` lists the recorded runs."
                : $"The recording of run {runId} does not say what the run trained: it cannot be replayed.");
        var report = await revealer.Ask<TapReport>(GetTapReport.Instance, TimeSpan.FromSeconds(30), cancellation);
        var done = new ReplayProgress(events, replayed, bytes, clock.Elapsed.TotalSeconds);
        return new ReplayReport(runId, spec, range, done, corrupt, withTruth, report with { UpdatesSeen = replayed });
    }

    /// <summary>The recorded labels by (version, worker); undecodable events are skipped and reported.</summary>
    private static async Task<Dictionary<(long, string), long[]>> Truth(JournalReader reader, string runId, List<SkippedEvent> corrupt)
    {
        var truth = new Dictionary<(long, string), long[]>();
        var stream = RecordingStreams.Labels(runId);
        await reader.ForEach(stream, envelope =>
        {
            if (envelope.Event is LabelsRecorded labels) truth[(labels.Version, labels.WorkerId)] = labels.Labels;
            else if (envelope.Event is UndecodableEvent undecodable) corrupt.Add(new SkippedEvent(stream, envelope.SequenceNr, undecodable.Reason));
            return Task.CompletedTask;
        }, (sequenceNr, error) => corrupt.Add(new SkippedEvent(stream, sequenceNr, $"unreadable: {error.Message}")), CancellationToken.None);
        return truth;
    }
}

using Akka.Configuration;

namespace ActorTrain.Actors.Recording;

/// <summary>One recorded run in a journal.</summary>
/// <param name="Updates">Captured updates (stream updates-RUN).</param>
/// <param name="UpdateBytes">Bytes of captured tensor payload.</param>
/// <param name="FirstVersion">Lowest captured version, or null when none was captured.</param>
/// <param name="LastVersion">Highest captured version.</param>
/// <param name="Labels">Recorded label batches (stream labels-RUN).</param>
/// <param name="Recoverable">The parameter server's own stream exists (a server started on this journal resumes it).</param>
public sealed record RecordedRun(string RunId, long Updates, long UpdateBytes, long? FirstVersion, long? LastVersion, long Labels, bool Recoverable);

/// <summary>Lists the runs a journal holds, reading it through Akka.Persistence.Query as replay does.</summary>
public static class RecordedRuns
{
    private const string ServerPrefix = "parameter-server-";

    public static async Task<IReadOnlyList<RecordedRun>> ListAsync(Config journal, CancellationToken cancellation = default)
    {
        await using var reader = JournalReader.Open(journal, "actortrain-runs");
        var ids = await reader.StreamIds();
        var runIds = ids.Select(RunOf).Where(r => r is not null).Select(r => r!).Distinct().Order(StringComparer.Ordinal);
        var runs = new List<RecordedRun>();
        foreach (var run in runIds)
        {
            cancellation.ThrowIfCancellationRequested();
            var captured = (await reader.AllEvents(RecordingStreams.Updates(run))).Select(e => e.Event).OfType<UpdateCaptured>().ToArray();
            var labels = (await reader.AllEvents(RecordingStreams.Labels(run))).Count(e => e.Event is LabelsRecorded);
            runs.Add(new RecordedRun(run, captured.Length, captured.Sum(u => (long)u.Payload.Length),
                captured.Length == 0 ? null : captured.Min(u => u.Version), captured.Length == 0 ? null : captured.Max(u => u.Version),
                labels, ids.Contains(ServerPrefix + run)));
        }
        return runs;
    }

    private static string? RunOf(string persistenceId)
    {
        foreach (var prefix in new[] { ServerPrefix, RecordingStreams.Updates(""), RecordingStreams.Labels("") })
            if (persistenceId.StartsWith(prefix, StringComparison.Ordinal)) return persistenceId[prefix.Length..];
        return null;
    }
}

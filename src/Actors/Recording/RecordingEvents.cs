using ActorTrain.Actors.Protocol;

namespace ActorTrain.Actors.Recording;

/// <summary>
/// An accepted worker update as the capture policy keeps it: the chosen parameters only, as float32 or float16
/// little-endian bytes (<paramref name="Half"/>), in the order of <paramref name="Names"/>.
/// </summary>
/// <param name="Kind">A mean gradient, or a local-sgd weight delta.</param>
public sealed record UpdateCaptured(
    string RunId, long Version, string WorkerId, int BatchSize, double Loss, string[] Names, long[][] Shapes, bool Half, byte[] Payload,
    UpdateKind Kind = UpdateKind.Gradient)
    : ITensorMessage
{
    /// <summary>The captured values widened to float32.</summary>
    public float[] Values()
    {
        if (!Half) return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Payload).ToArray();
        var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, System.Half>(Payload);
        var values = new float[halves.Length];
        for (var i = 0; i < values.Length; i++) values[i] = (float)halves[i];
        return values;
    }
}

/// <summary>
/// First event of a run's updates stream: what the run trained, so a replay knows how to read the updates (mode,
/// learning rate, momentum and local steps turn a weight delta back into a gradient).
/// </summary>
public sealed record RecordingStarted(RunSpec Spec) : IControlMessage;

/// <summary>The true labels of a worker's batch: the evaluation stream, written only with --record-labels.</summary>
public sealed record LabelsRecorded(string RunId, long Version, string WorkerId, long[] Labels) : IControlMessage;

/// <summary>Journal stream names of a run's recordings.</summary>
public static class RecordingStreams
{
    public static string Updates(string runId) => $"updates-{runId}";

    public static string Labels(string runId) => $"labels-{runId}";
}

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
    public float[] Values() => CapturedValues.Widen(Payload, Half);
}

/// <summary>
/// First event of a run's updates stream: what the run trained, so a replay knows how to read the updates (mode,
/// learning rate, momentum and local steps turn a weight delta back into a gradient).
/// </summary>
public sealed record RecordingStarted(RunSpec Spec) : IControlMessage;

/// <summary>The true labels of a worker's batch: the evaluation stream (labels-RUN), written only with --record-labels.</summary>
public sealed record LabelsRecorded(string RunId, long Version, string WorkerId, long[] Labels) : IControlMessage;

/// <summary>
/// The weights of version <paramref name="Version"/>, the ones the workers computed that version's updates on, written
/// to the updates stream just before the first captured update of that version (once per version) with
/// --capture all --capture-weights: what an offline gradient inversion needs besides the gradient. Every parameter,
/// float32 or float16 little-endian bytes (<paramref name="Half"/>) in the order of <paramref name="Names"/>.
/// </summary>
public sealed record WeightsCaptured(string RunId, long Version, string[] Names, long[][] Shapes, bool Half, byte[] Payload) : ITensorMessage
{
    /// <summary>The captured weights widened to float32.</summary>
    public float[] Values() => CapturedValues.Widen(Payload, Half);
}

/// <summary>
/// The raw inputs of a worker's batch, [batch size, ...sample shape] row-major as the dataset normalises them: the
/// evaluation stream (beside <see cref="LabelsRecorded"/>), written only with --record-inputs on a data-parallel run,
/// so an offline inversion can be scored. Never on the attack-facing updates stream.
/// </summary>
public sealed record InputsRecorded(string RunId, long Version, string WorkerId, float[] Values) : IControlMessage;

/// <summary>Float32 or float16 little-endian bytes of a recording, widened to float32.</summary>
public static class CapturedValues
{
    public static float[] Widen(byte[] payload, bool half)
    {
        if (!half) return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(payload).ToArray();
        var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, System.Half>(payload);
        var values = new float[halves.Length];
        for (var i = 0; i < values.Length; i++) values[i] = (float)halves[i];
        return values;
    }

    /// <summary>The values as float32 or float16 little-endian bytes.</summary>
    public static byte[] Narrow(ReadOnlySpan<float> source, bool half)
    {
        var payload = new byte[source.Length * (half ? 2 : 4)];
        NarrowInto(source, half, payload);
        return payload;
    }

    /// <summary>Writes the values as float32 or float16 little-endian bytes; returns the bytes written.</summary>
    public static int NarrowInto(ReadOnlySpan<float> source, bool half, Span<byte> target)
    {
        if (!half)
        {
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(source).CopyTo(target);
            return source.Length * 4;
        }
        var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, System.Half>(target[..(source.Length * 2)]);
        for (var i = 0; i < source.Length; i++) halves[i] = (System.Half)source[i];
        return source.Length * 2;
    }
}

/// <summary>Journal stream names of a run's recordings.</summary>
public static class RecordingStreams
{
    public static string Updates(string runId) => $"updates-{runId}";

    public static string Labels(string runId) => $"labels-{runId}";
}

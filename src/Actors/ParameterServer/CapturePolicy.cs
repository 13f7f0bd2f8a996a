using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Recording;
using ActorTrain.Tensors.Training;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// Which parts of accepted worker updates are recorded: the projection layer's weight and bias (what the
/// label-revelation attacks need; the default), all parameters, none, or named ones; every k-th version; as
/// float32 or float16.
/// </summary>
/// <param name="Parameters">"projection", "all", "none" or a comma-separated list of parameter names.</param>
/// <param name="Weights">With "all": also record the weights of each captured version (<see cref="WeightsCaptured"/>),
/// which an offline gradient inversion needs.</param>
public sealed record CapturePolicy(string Parameters = "projection", int Every = 1, bool Half = false, bool Weights = false)
{
    public static CapturePolicy Parse(string parameters, int every, string dtype, bool weights = false)
    {
        if (every < 1) throw new ArgumentException($"--capture-every {every}: must be at least 1.");
        if (dtype is not ("fp32" or "fp16")) throw new ArgumentException($"--capture-dtype {dtype}: choose fp32 or fp16.");
        if (string.IsNullOrWhiteSpace(parameters)) throw new ArgumentException("--capture: write projection, all, none or parameter names.");
        if (weights && parameters.Trim() != "all")
            throw new ArgumentException($"--capture-weights records the weights for inverting full updates: give --capture all (not {parameters.Trim()}).");
        return new CapturePolicy(parameters.Trim(), every, dtype == "fp16", weights);
    }

    /// <summary>The recorded form of the weights of <paramref name="version"/> (every parameter, in layout order).</summary>
    public WeightsCaptured CaptureWeights(string runId, long version, ParameterLayout layout, ReadOnlySpan<float> weights) =>
        new(runId, version, layout.Slots.Select(s => s.Name).ToArray(), layout.Slots.Select(s => s.Shape).ToArray(), Half,
            CapturedValues.Narrow(weights, Half));

    /// <summary>The layout slots to keep; unknown names are an error naming the model's parameters.</summary>
    public IReadOnlyList<ParameterSlot> Select(ParameterLayout layout, string? projectionLayer)
    {
        string[] names = Parameters switch
        {
            "none" => [],
            "all" => layout.Slots.Select(s => s.Name).ToArray(),
            "projection" => layout.Slots.Where(s => projectionLayer is not null && s.Name.StartsWith(projectionLayer + ".", StringComparison.Ordinal))
                .Select(s => s.Name).ToArray(),
            _ => Parameters.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        };
        var unknown = names.FirstOrDefault(n => layout.Slots.All(s => s.Name != n));
        if (unknown is not null)
            throw new ArgumentException($"--capture: no parameter '{unknown}'; this model has {string.Join(", ", layout.Slots.Select(s => s.Name))}.");
        return names.Select(n => layout[n]).ToArray();
    }

    /// <summary>The recorded form of an accepted update, or null when this version is not captured.</summary>
    public UpdateCaptured? Capture(WorkerUpdate update, IReadOnlyList<ParameterSlot> slots)
    {
        if (slots.Count == 0 || update.Version % Every != 0) return null;
        var payload = new byte[slots.Sum(s => s.Length) * (Half ? 2 : 4)];
        var offset = 0;
        foreach (var slot in slots)
            offset += CapturedValues.NarrowInto(update.Tensors.Values.AsSpan(slot.Offset, slot.Length), Half, payload.AsSpan(offset));
        return new UpdateCaptured(update.RunId, update.Version, update.WorkerId, update.BatchSize, update.Loss,
            slots.Select(s => s.Name).ToArray(), slots.Select(s => s.Shape).ToArray(), Half, payload, update.Kind);
    }
}

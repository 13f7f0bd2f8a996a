using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Training;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// Checks a worker update before it can touch the weights: run, kind, names and shapes against the layout,
/// size, finiteness, batch size. Version rules depend on the mode and are checked by the server.
/// </summary>
public sealed class UpdateValidator(string runId, ParameterLayout layout, UpdateKind expectedKind, long maxBytes)
{
    /// <returns>null when the update is acceptable, else the reason it is not (also the counter's key).</returns>
    public string? Problem(WorkerUpdate update)
    {
        if (update.RunId != runId) return $"unknown run '{update.RunId}'";
        if (update.Kind != expectedKind) return $"wrong update kind {update.Kind} (this run expects {expectedKind})";
        var tensors = update.Tensors;
        if (tensors.ByteCount > maxBytes) return $"oversized: {tensors.ByteCount} bytes exceeds the limit of {maxBytes}";
        if (update.BatchSize < 1) return $"batch size {update.BatchSize} is not positive";
        if (!double.IsFinite(update.Loss)) return "non-finite loss";
        if (tensors.Names.Length != tensors.Shapes.Length) return "malformed tensor set: names and shapes differ in count";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Names.Length; i++)
        {
            var name = tensors.Names[i];
            if (!seen.Add(name)) return $"parameter '{name}' appears twice";
            if (!layout.Slots.Any(s => s.Name == name)) return $"unknown parameter '{name}'";
            var slot = layout[name];
            if (!tensors.Shapes[i].SequenceEqual(slot.Shape))
                return $"parameter '{name}' has shape [{string.Join(", ", tensors.Shapes[i])}], expected [{string.Join(", ", slot.Shape)}]";
            if (slot.Offset != OffsetOf(tensors, i)) return $"parameter '{name}' is out of layout order";
        }
        if (seen.Count != layout.Slots.Count)
            return $"missing parameter '{layout.Slots.First(s => !seen.Contains(s.Name)).Name}'";
        if (tensors.Values.Length != layout.TotalLength)
            return $"{tensors.Values.Length} values where the shapes need {layout.TotalLength}";
        if (!WeightedSum.AllFinite(tensors.Values)) return "non-finite values (NaN or infinity)";
        return null;
    }

    private static long OffsetOf(TensorSet tensors, int index)
    {
        long offset = 0;
        for (var i = 0; i < index; i++) offset += tensors.Shapes[i].Aggregate(1L, (a, b) => a * b);
        return offset;
    }

    /// <summary>Whether a <see cref="Problem"/> says the update's loss or values were NaN or infinite (the run may have diverged).</summary>
    public static bool IsNonFinite(string reason) => reason.StartsWith("non-finite", StringComparison.Ordinal);

    /// <summary>The counter key of a reason: its words before any number or quote, e.g. "stale version".</summary>
    public static string Category(string reason)
    {
        var cut = reason.IndexOfAny(['\'', ':', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '(', '[']);
        return (cut < 0 ? reason : reason[..cut]).Trim();
    }
}

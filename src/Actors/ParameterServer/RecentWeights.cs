namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// The weights of the last few versions, by version, for what needs the weights an update was computed on after its
/// version may have moved on: subscribers that asked for weights (the online gradient inversion) and the recorder
/// (--capture-weights). Holds references to immutable arrays only; the oldest is forgotten first.
/// </summary>
/// <param name="capacity">Versions kept: async mode accepts updates up to max-staleness versions old, so it keeps
/// max-staleness + 1; sync and local-sgd only ever accept the current version's.</param>
public sealed class RecentWeights(int capacity)
{
    private readonly Queue<(long Version, float[] Weights)> _kept = new();

    public int Capacity { get; } = Math.Max(1, capacity);

    /// <summary>Keeps <paramref name="weights"/> as version <paramref name="version"/>'s; the caller never changes the array again.</summary>
    public float[] Remember(long version, float[] weights)
    {
        if (_kept.Count >= Capacity) _kept.Dequeue();
        _kept.Enqueue((version, weights));
        return weights;
    }

    /// <returns>The weights of <paramref name="version"/>, or null when they were not kept or are forgotten.</returns>
    public float[]? Find(long version)
    {
        foreach (var (v, weights) in _kept)
            if (v == version) return weights;
        return null;
    }
}

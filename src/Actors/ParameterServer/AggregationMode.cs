namespace ActorTrain.Actors.ParameterServer;

/// <summary>How the parameter server turns worker updates into steps.</summary>
public enum AggregationMode
{
    /// <summary>Wait for every live worker's gradient for version v, average, step, release v+1.</summary>
    Sync,

    /// <summary>Apply each gradient as it arrives if its staleness is within the bound; reject it otherwise.</summary>
    Async,

    /// <summary>Workers take H local steps; the server averages their weight deltas (FedAvg).</summary>
    LocalSgd,
}

public static class AggregationModes
{
    public static readonly IReadOnlyList<string> Names = ["sync", "async", "local-sgd"];

    public static AggregationMode Parse(string name) => name switch
    {
        "sync" => AggregationMode.Sync,
        "async" => AggregationMode.Async,
        "local-sgd" => AggregationMode.LocalSgd,
        _ => throw new ArgumentException($"Unknown mode '{name}'; choose one of: {string.Join(", ", Names)}."),
    };

    public static string Name(this AggregationMode mode) => Names[(int)mode];
}

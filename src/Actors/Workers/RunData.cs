using System.Collections.Concurrent;
using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Data;

namespace ActorTrain.Actors.Workers;

/// <summary>
/// Loads a run's dataset once per process: workers in one process share the (read-only) tensors instead of
/// holding a copy each.
/// </summary>
public static class RunData
{
    private static readonly ConcurrentDictionary<string, Lazy<DatasetSplits>> Cache = new();

    public static DatasetSplits Load(RunSpec spec, string fashionMnistDirectory)
    {
        var key = spec.Dataset == "synthetic" ? $"synthetic:{spec.Synthetic}" : $"{spec.Dataset}:{Path.GetFullPath(fashionMnistDirectory)}";
        return Cache.GetOrAdd(key, _ => new Lazy<DatasetSplits>(() => spec.Dataset switch
        {
            "fashion-mnist" => FashionMnist.Load(fashionMnistDirectory),
            "synthetic" => spec.Synthetic.Generate(),
            _ => throw new ArgumentException($"Unknown dataset '{spec.Dataset}'."),
        })).Value;
    }
}

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

    public static DatasetSplits Load(RunSpec spec, string fashionMnistDirectory, string fortunesDirectory)
    {
        var key = spec.Dataset switch
        {
            "synthetic" => $"synthetic:{spec.Synthetic}",
            "fortunes" => $"fortunes:{spec.Fortunes}:{Path.GetFullPath(fortunesDirectory)}",
            _ => $"{spec.Dataset}:{Path.GetFullPath(fashionMnistDirectory)}",
        };
        return Cache.GetOrAdd(key, _ => new Lazy<DatasetSplits>(() => spec.Dataset switch
        {
            "fashion-mnist" => FashionMnist.Load(fashionMnistDirectory),
            "synthetic" => spec.Synthetic.Generate(),
            "fortunes" => Fortunes.Load(fortunesDirectory, spec.Fortunes),
            _ => throw new ArgumentException($"Unknown dataset '{spec.Dataset}'."),
        })).Value;
    }
}

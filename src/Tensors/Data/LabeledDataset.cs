using static TorchSharp.torch;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// Samples and labels held as CPU tensors: <see cref="Inputs"/> is float32 [N, ...SampleShape],
/// <see cref="Labels"/> is int64 [N] with values in [0, ClassCount).
/// </summary>
public sealed class LabeledDataset : IDisposable
{
    public LabeledDataset(string name, Tensor inputs, Tensor labels, int classCount)
    {
        if (inputs.shape[0] != labels.shape[0])
            throw new ArgumentException($"{name}: {inputs.shape[0]} inputs but {labels.shape[0]} labels.");
        (Name, Inputs, Labels, ClassCount) = (name, inputs, labels, classCount);
    }

    public string Name { get; }

    public Tensor Inputs { get; }

    public Tensor Labels { get; }

    public int ClassCount { get; }

    public int Count => (int)Inputs.shape[0];

    /// <summary>Shape of one sample, without the leading sample dimension.</summary>
    public long[] SampleShape => Inputs.shape[1..];

    /// <summary>The samples at <paramref name="indices"/>, in that order, on <paramref name="device"/>.</summary>
    public (Tensor Inputs, Tensor Labels) Batch(ReadOnlySpan<int> indices, Device device)
    {
        using var index = tensor(indices.ToArray().Select(i => (long)i).ToArray(), ScalarType.Int64);
        using var inputs = Inputs.index_select(0, index);
        using var labels = Labels.index_select(0, index);
        return (inputs.to(device), labels.to(device));
    }

    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}

/// <summary>A training split and a test split of one dataset.</summary>
public sealed record DatasetSplits(LabeledDataset Train, LabeledDataset Test) : IDisposable
{
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}

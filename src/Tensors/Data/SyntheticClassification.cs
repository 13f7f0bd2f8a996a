using static TorchSharp.torch;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// A seeded many-class dataset: each class has a Gaussian prototype in R^InputSize, and a sample is its class's
/// prototype plus isotropic Gaussian noise. The label-revelation experiments need C ≫ batch size, which 10-class
/// data cannot give.
/// </summary>
/// <param name="Classes">Number of classes C (2 to 100,000).</param>
/// <param name="InputSize">Features per sample.</param>
/// <param name="TrainSamples">Training samples; labels are drawn uniformly.</param>
/// <param name="TestSamples">Test samples.</param>
/// <param name="Noise">Standard deviation of the noise relative to the prototypes' unit standard deviation.</param>
/// <param name="Seed">Same seed, same data, on any machine (no framework RNG is involved).</param>
public sealed record SyntheticClassification(
    int Classes = 100,
    int InputSize = 128,
    int TrainSamples = 20_000,
    int TestSamples = 2_000,
    double Noise = 1.0,
    int Seed = 1)
{
    public DatasetSplits Generate()
    {
        Validate();
        var random = new SplitMix64((ulong)Seed);
        var prototypes = new float[Classes * InputSize];
        for (var i = 0; i < prototypes.Length; i++) prototypes[i] = (float)random.NextGaussian();
        return new DatasetSplits(
            Samples("synthetic/train", TrainSamples, prototypes, random),
            Samples("synthetic/test", TestSamples, prototypes, random));
    }

    private LabeledDataset Samples(string name, int count, float[] prototypes, SplitMix64 random)
    {
        var inputs = new float[count * InputSize];
        var labels = new long[count];
        for (var s = 0; s < count; s++)
        {
            var label = (int)random.NextBelow((ulong)Classes);
            labels[s] = label;
            for (var j = 0; j < InputSize; j++)
                inputs[s * InputSize + j] = prototypes[label * InputSize + j] + (float)(Noise * random.NextGaussian());
        }
        return new LabeledDataset(name, tensor(inputs, [count, InputSize]), tensor(labels), Classes);
    }

    private void Validate()
    {
        if (Classes is < 2 or > 100_000)
            throw new ArgumentException($"Synthetic data: classes must be 2..100000, got {Classes}.");
        if (InputSize < 1)
            throw new ArgumentException($"Synthetic data: input size must be positive, got {InputSize}.");
        if (TrainSamples < 1 || TestSamples < 1)
            throw new ArgumentException($"Synthetic data: sample counts must be positive, got train={TrainSamples}, test={TestSamples}.");
        if ((long)Math.Max(TrainSamples, Classes) * InputSize > int.MaxValue)
            throw new ArgumentException($"Synthetic data: {TrainSamples} × {InputSize} features exceed one array; use fewer samples or features.");
        if (!(Noise >= 0) || double.IsInfinity(Noise))
            throw new ArgumentException($"Synthetic data: noise must be a finite number ≥ 0, got {Noise}.");
    }
}

using ActorTrain.Tensors.Data;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Data;

public sealed class SyntheticClassificationTests
{
    [Fact]
    public void Generate_SameSeed_SameData_OtherSeed_OtherData()
    {
        var spec = new SyntheticClassification(Classes: 50, InputSize: 16, TrainSamples: 500, TestSamples: 100, Seed: 4);
        using var a = spec.Generate();
        using var b = spec.Generate();
        using var c = (spec with { Seed = 5 }).Generate();
        Assert.True(a.Train.Inputs.equal(b.Train.Inputs).all().item<bool>());
        Assert.True(a.Test.Labels.equal(b.Test.Labels).all().item<bool>());
        Assert.False(a.Train.Inputs.equal(c.Train.Inputs).all().item<bool>());
    }

    [Fact]
    public void Generate_ThousandClasses_LabelsCoverTheRange()
    {
        using var data = new SyntheticClassification(Classes: 1000, InputSize: 8, TrainSamples: 20_000, TestSamples: 10).Generate();
        Assert.Equal(1000, data.Train.ClassCount);
        Assert.Equal(0, data.Train.Labels.min().item<long>());
        Assert.Equal(999, data.Train.Labels.max().item<long>());
        // 20 samples per class on average: every class appears (P(miss one) ≈ 1000·e^-20).
        Assert.Equal(1000, data.Train.Labels.unique().Item1.shape[0]);
    }

    [Fact]
    public void Generate_LowNoise_NearestClassMeanClassifiesTestSet()
    {
        // Independent check that labels match prototypes: class means estimated from training data
        // classify the test set almost perfectly when noise (0.3) is far below prototype spread (1.0).
        using var data = new SyntheticClassification(Classes: 20, InputSize: 32, TrainSamples: 2000, TestSamples: 500, Noise: 0.3).Generate();
        var means = stack(Enumerable.Range(0, 20).Select(c => data.Train.Inputs[data.Train.Labels.eq(c)].mean([0])).ToArray());
        var predicted = cdist(data.Test.Inputs, means).argmin(1);
        Assert.True(predicted.eq(data.Test.Labels).to_type(ScalarType.Float32).mean().item<float>() > 0.99f);
    }

    [Fact]
    public void Generate_InvalidSpec_SaysWhatIsWrong()
    {
        Assert.Contains("classes", Assert.Throws<ArgumentException>(() => new SyntheticClassification(Classes: 1).Generate()).Message);
        Assert.Contains("noise", Assert.Throws<ArgumentException>(() => new SyntheticClassification(Noise: double.NaN).Generate()).Message);
    }
}

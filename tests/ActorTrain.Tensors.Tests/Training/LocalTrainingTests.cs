using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Training;

public sealed class LocalTrainingTests
{
    private static readonly SyntheticClassification Data = new(Classes: 20, InputSize: 32, TrainSamples: 2000, TestSamples: 400, Noise: 0.5, Seed: 3);

    private static (TrainingResult Result, float[] Weights) Train(long seed)
    {
        using var data = Data.Generate();
        using var model = new ModelSpec("mlp", [32], 20, [64]).Build(seed);
        var result = LocalTraining.Run(model, data, new LocalTrainingOptions(BatchSize: 32, Epochs: 2, LearningRate: 0.05, Seed: seed));
        var weights = ParameterLayout.Of(model).Flatten(model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
        return (result, weights);
    }

    [Fact]
    public void Run_SeparableData_LearnsIt()
    {
        var (result, _) = Train(seed: 1);
        Assert.Equal(2 * 63, result.Steps); // ⌈2000 / 32⌉ = 63 batches per epoch
        Assert.True(result.TestAccuracy > 0.95, $"accuracy {result.TestAccuracy}");
        Assert.True(result.Losses[^1].Value < result.Losses[0].Value);
        Assert.Equal(result.Steps, result.TestAccuracies[^1].Step);
    }

    [Fact]
    public void Run_SameSeed_IsReproducibleBitForBit()
    {
        var first = Train(seed: 5);
        var second = Train(seed: 5);
        Assert.Equal(first.Weights, second.Weights);
        Assert.Equal(first.Result.Losses, second.Result.Losses);
    }

    [Fact]
    public void Run_StepsOverrideEpochs_AndProgressIsReported()
    {
        using var data = Data.Generate();
        using var model = new ModelSpec("mlp", [32], 20, [16]).Build(1);
        var reports = new List<TrainingProgress>();
        var result = LocalTraining.Run(model, data, new LocalTrainingOptions(BatchSize: 50, Steps: 7, EvaluationPoints: 2), new SynchronousProgress(reports.Add));
        Assert.Equal(7, result.Steps);
        Assert.Equal(Enumerable.Range(1, 7), reports.Select(r => r.Step));
        Assert.Equal([3, 6, 7], result.TestAccuracies.Select(a => a.Step));
    }

    [Fact]
    public void Run_WordMlpOnFortunes_LowersTheLossAndBeatsTheMostFrequentWord()
    {
        // The real corpus (Debian package fortunes), V = 2,000: the loss starts near ln 2000 ≈ 7.6 nats.
        using var data = Fortunes.Load(Fortunes.DefaultDirectory, new FortunesOptions());
        using var model = new ModelSpec("wordmlp", data.Train.SampleShape, data.Train.ClassCount, [128]).Build(1);

        var result = LocalTraining.Run(model, data, new LocalTrainingOptions(BatchSize: 64, Steps: 200, EvaluationPoints: 1));

        var first = result.Losses.Take(20).Average(p => p.Value);
        var last = result.Losses.TakeLast(20).Average(p => p.Value);
        Assert.True(last < first - 1.0, $"mean loss of the first 20 steps {first:F2}, of the last 20 {last:F2}");
        // Independent baseline: always guessing the test split's most frequent word.
        var majority = data.Test.Labels.bincount(null).max().item<long>() / (double)data.Test.Count;
        Assert.True(result.TestAccuracy > majority, $"accuracy {result.TestAccuracy:F3} ≤ most-frequent-word share {majority:F3}");
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

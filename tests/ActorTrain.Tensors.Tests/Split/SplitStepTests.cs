using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Split;
using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Split;

public sealed class SplitStepTests
{
    private static readonly SyntheticClassification Data = new(Classes: 10, InputSize: 16, TrainSamples: 200, TestSamples: 50, Noise: 0.5, Seed: 3);

    private static LayeredModel Model() => new ModelSpec("mlp", [16], 10, [32, 24]).Build(seed: 7);

    [Theory]
    [InlineData("act1")]
    [InlineData("act2")]
    public void OneSplitStep_EqualsOneStepOfTheWholeModel(string cut)
    {
        using var data = Data.Generate();
        using var client = new SplitClient(Model(), cut, data.Train, CPU, new SgdOptimizer(0.1, 0.9), seed: 5);
        using var server = new SplitServer(Model(), cut, [16], new SgdOptimizer(0.1, 0.9));
        client.Assign(Enumerable.Range(0, data.Train.Count).ToArray(), batchSize: 8);

        var batch = client.Forward();
        var step = server.Step(batch.Activations, batch.Labels);
        client.Backward(step.ActivationGradient);

        using var whole = Model();
        using var inputs = tensor(batch.Inputs, [batch.Samples, 16]);
        using var labels = tensor(batch.Labels);
        var parameters = whole.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        using (var gradients = GradientStep.Compute(whole, inputs, labels))
        {
            new SgdOptimizer(0.1, 0.9).Step(parameters, gradients.Gradients);
            Assert.Equal(gradients.Loss, step.Loss, 6);
        }
        var expected = ParameterLayout.Of(whole).Flatten(parameters);
        var actual = client.Weights().Concat(server.Weights()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f, $"weight {i}: split {actual[i]} vs whole {expected[i]}"); // fp32 rounding only
        Assert.Equal(batch.ActivationWidth, server.ActivationWidth);
    }

    [Fact]
    public void SplitTraining_LearnsTheTask()
    {
        using var data = Data.Generate();
        using var client = new SplitClient(Model(), "act1", data.Train, CPU, new SgdOptimizer(0.05, 0.9), seed: 5);
        using var server = new SplitServer(Model(), "act1", [16], new SgdOptimizer(0.05, 0.9));
        client.Assign(Enumerable.Range(0, data.Train.Count).ToArray(), batchSize: 16);

        for (var s = 0; s < 150; s++)
        {
            var batch = client.Forward();
            client.Backward(server.Step(batch.Activations, batch.Labels).ActivationGradient);
        }

        Assert.True(server.Accuracy(client.Weights(), data.Test) > 0.9, "a well-separated 10-class problem");
    }

    [Fact]
    public void Step_WrongActivationSize_SaysWhatItExpects()
    {
        using var server = new SplitServer(Model(), "act1", [16], new SgdOptimizer(0.1, 0));

        var error = Assert.Throws<ArgumentException>(() => server.Step(new float[10], [1, 2]));

        Assert.Contains("32 values", error.Message);
    }

    [Fact]
    public void Backward_NonFiniteGradient_IsRefused()
    {
        using var data = Data.Generate();
        using var client = new SplitClient(Model(), "act1", data.Train, CPU, new SgdOptimizer(0.1, 0), seed: 5);
        client.Assign(Enumerable.Range(0, data.Train.Count).ToArray(), batchSize: 4);
        var batch = client.Forward();
        var gradient = new float[batch.Activations.Length];
        gradient[3] = float.NaN;

        Assert.Throws<NonFiniteValueException>(() => client.Backward(gradient));
    }
}

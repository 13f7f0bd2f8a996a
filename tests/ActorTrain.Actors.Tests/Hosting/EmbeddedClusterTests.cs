using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Actors.Tests.Hosting;

public sealed class EmbeddedClusterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("actortrain-cluster-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task SyncStep_WithTwoWorkers_EqualsSingleProcessStepOnTheUnionOfTheirBatches()
    {
        var spec = TestSpecs.Spec(globalBatch: 16);
        var log = Path.Combine(_directory, "steps.jsonl");

        var outcome = await EmbeddedCluster.RunAsync(TestSpecs.Setup(spec, steps: 1, stepLog: log), workers: 2, "cpu", "unused");

        // The batches each worker drew in step 1, recomputed from the run's rules: shard by rendezvous hashing
        // over the step's workers, then the shard's first seeded batch of 16 / 2 = 8 samples.
        var step = StepLogEntry.ReadAll(log).Single();
        Assert.Equal(2, step.Workers.Length);
        using var data = TestSpecs.Data.Generate();
        var shards = Sharding.Assign(data.Train.Count, step.Workers, (ulong)spec.Seed);
        var union = step.Workers.SelectMany(w => new BatchSampler(shards[w], 8, (ulong)spec.Seed).Epoch(0).First()).ToArray();

        using var model = TestSpecs.BuildModel(spec);
        var parameters = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        var (inputs, labels) = data.Train.Batch(union, CPU);
        using (var gradients = GradientStep.Compute(model, inputs, labels))
            new SgdOptimizer(spec.LearningRate, momentum: 0).Step(parameters, gradients.Gradients);
        var expected = ParameterLayout.Of(model).Flatten(parameters);

        // Tolerance: fp32 gradients summed in a different order (two halves, weighted) differ by rounding only.
        Assert.Equal(expected.Length, outcome.FinalWeights.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - outcome.FinalWeights[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])),
                $"weight {i}: {outcome.FinalWeights[i]} vs single-process {expected[i]}");
        Assert.Equal(16, step.Samples);
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("async")]
    [InlineData("local-sgd")]
    public async Task Run_EachMode_LearnsTheSyntheticTask(string mode)
    {
        var spec = TestSpecs.Spec(mode, globalBatch: 32, lr: 0.05, momentum: 0.9, localSteps: 4);

        // A loose staleness bound: the bound itself is tested with scripted workers (ParameterServerActorTests).
        var outcome = await EmbeddedCluster.RunAsync(TestSpecs.Setup(spec, steps: null, epochs: 3) with { MaxStaleness = 16 }, workers: 2, "cpu", "unused");

        Assert.True(outcome.TestAccuracy > 0.9, $"{mode}: accuracy {outcome.TestAccuracy}");
        Assert.True(outcome.Samples >= 3 * 1200, $"{mode}: {outcome.Samples} samples");
        if (mode == "async")
        {
            // Three threads on two cores: a worker descheduled for a while comes back too stale and is refused.
            Assert.True(outcome.RejectedUpdates <= outcome.Steps / 20, $"{outcome.RejectedUpdates} of {outcome.Steps} rejected");
            Assert.All(outcome.RejectedByReason.Keys, reason => Assert.Equal("stale by", reason));
        }
        else
        {
            Assert.Equal(0, outcome.RejectedUpdates);
        }
    }
}

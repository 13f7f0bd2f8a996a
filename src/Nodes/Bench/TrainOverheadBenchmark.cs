using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Nodes.Training;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using TorchSharp;

namespace ActorTrain.Nodes.Bench;

/// <summary>One round of the train-overhead suite.</summary>
public sealed record TrainOverheadMeasurement(int Round, double TrainSamplesPerSecond, double RunSamplesPerSecond, double Ratio);

/// <summary>
/// Suite `train-overhead`: samples/s of `run` (an embedded cluster: parameter server + K in-process workers, sync)
/// against `train` at the same global batch, alternating in one process.
/// </summary>
public static class TrainOverheadBenchmark
{
    public static (IReadOnlyList<TrainOverheadMeasurement> Rounds, int Parameters) Measure(
        TrainSettings settings, int workers, int steps, int rounds, TextWriter output)
    {
        var data = TrainRun.LoadData(settings);
        var spec = new ModelSpec(settings.Model, data.Train.SampleShape, data.Train.ClassCount, settings.Hidden);
        var options = settings.Training with { Steps = steps, EvaluationPoints = 1 };
        int parameters;
        using (var probe = spec.Build(options.Seed)) parameters = ParameterLayout.Of(probe).TotalLength;
        output.WriteLine($"train-overhead: {settings.Model} ({parameters:N0} parameters, {4.0 * parameters / 1e6:F1} MB gradient), global batch {options.BatchSize}, {workers} workers, {steps} steps per measurement");

        var results = new List<TrainOverheadMeasurement>();
        for (var round = 0; round <= rounds; round++) // round 0 warms up (JIT, allocator, page cache) and is not kept
        {
            torch.set_num_threads(Environment.ProcessorCount);
            double trainRate;
            using (var model = spec.Build(options.Seed)) trainRate = LocalTraining.Run(model, data, options).SamplesPerSecond;

            var runSpec = new RunSpec($"bench-{round}", "sync", settings.Model, settings.Hidden, settings.Dataset, settings.Synthetic, settings.Fortunes,
                options.BatchSize, options.Seed, options.Optimizer, options.LearningRate, options.Momentum, LocalSteps: 1);
            var setup = new ParameterServerSetup(runSpec,
                () => new ParameterStore(spec.Build(options.Seed), Optimizers.Create(options.Optimizer, options.LearningRate, options.Momentum)),
                data.Test, data.Train.Count, 1, steps, 1, workers, TimeSpan.FromSeconds(60), 4, long.MaxValue, null, _ => { });
            var runRate = EmbeddedCluster.RunAsync(setup, workers, options.Device, settings.DataDirectory, logLevel: "ERROR",
                    threadsPerWorker: ClusterRun.ThreadsPerWorker(settings, workers), fortunesDirectory: settings.FortunesDirectory)
                .GetAwaiter().GetResult().SamplesPerSecond;

            var m = new TrainOverheadMeasurement(round, trainRate, runRate, runRate / trainRate);
            if (round == 0) continue;
            results.Add(m);
            output.WriteLine(FormattableString.Invariant($"round {round}: train {trainRate:F0} samples/s, run {runRate:F0} samples/s, ratio {m.Ratio:F3}"));
        }
        return (results, parameters);
    }
}

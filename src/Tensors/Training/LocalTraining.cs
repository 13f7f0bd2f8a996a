using System.Diagnostics;
using TorchSharp;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Devices;
using ActorTrain.Tensors.Models;

namespace ActorTrain.Tensors.Training;

/// <summary>Settings of a single-process training run.</summary>
/// <param name="Steps">Total optimizer steps; null means <paramref name="Epochs"/> full passes.</param>
/// <param name="EvaluationPoints">How many times test accuracy is measured along the way (the last is at the end).</param>
public sealed record LocalTrainingOptions(
    int BatchSize = 64,
    int Epochs = 1,
    int? Steps = null,
    string Optimizer = "sgd",
    double LearningRate = 0.05,
    double Momentum = 0.9,
    long Seed = 1,
    string Device = "cpu",
    int EvaluationPoints = 10);

/// <summary>Where a run stands, reported after every step.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, int Epoch, double Loss, double? TestAccuracy, double SamplesPerSecond);

/// <summary>A measured point of a training curve.</summary>
public sealed record CurvePoint(int Step, double Value);

/// <summary>What a finished run measured.</summary>
/// <param name="SamplesPerSecond">Training samples per second of training time (evaluation excluded).</param>
/// <param name="WallSeconds">Whole run, evaluation included.</param>
public sealed record TrainingResult(
    int Steps,
    int Parameters,
    double TestAccuracy,
    double FinalLoss,
    double SamplesPerSecond,
    double WallSeconds,
    IReadOnlyList<CurvePoint> Losses,
    IReadOnlyList<CurvePoint> TestAccuracies);

/// <summary>
/// The plain single-process training loop: the baseline every distributed mode is compared with. It uses the same
/// pieces a worker and the parameter server use: <see cref="GradientStep"/> then an <see cref="IGradientOptimizer"/>.
/// </summary>
public static class LocalTraining
{
    public static TrainingResult Run(
        LayeredModel model, DatasetSplits data, LocalTrainingOptions options, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        if (options.BatchSize < 1) throw new ArgumentException($"Batch size must be at least 1, got {options.BatchSize}.");
        if (options.Steps is < 1) throw new ArgumentException($"Steps must be at least 1, got {options.Steps}.");
        if (options.Steps is null && options.Epochs < 1) throw new ArgumentException($"Epochs must be at least 1, got {options.Epochs}.");

        var device = ComputeDevice.Parse(options.Device).ToTorch();
        model.to(device);
        var optimizer = Optimizers.Create(options.Optimizer, options.LearningRate, options.Momentum);
        var sampler = new BatchSampler(Enumerable.Range(0, data.Train.Count).ToArray(), options.BatchSize, (ulong)options.Seed);
        var totalSteps = options.Steps ?? options.Epochs * sampler.BatchesPerEpoch;
        var evaluateEvery = Math.Max(1, totalSteps / Math.Max(1, options.EvaluationPoints));
        var parameters = model.named_parameters().Select(p => (p.name, (TorchSharp.torch.Tensor)p.parameter)).ToArray();

        var losses = new List<CurvePoint>();
        var accuracies = new List<CurvePoint>();
        var wall = Stopwatch.StartNew();
        var training = new Stopwatch();
        long samples = 0;
        var step = 0;
        double loss = double.NaN;
        foreach (var batch in sampler.Forever())
        {
            if (step == totalSteps) break;
            cancellation.ThrowIfCancellationRequested();
            training.Start();
            var (inputs, labels) = data.Train.Batch(batch, device);
            using (inputs)
            using (labels)
            {
                loss = GradientStep.Backward(model, inputs, labels);
                using (TorchSharp.torch.NewDisposeScope())
                    optimizer.Step(parameters, GradientStep.Gradients(model).ToDictionary(g => g.Name, g => g.Gradient, StringComparer.Ordinal));
                model.zero_grad();
            }
            training.Stop();
            samples += batch.Length;
            step++;
            losses.Add(new CurvePoint(step, loss));

            double? accuracy = null;
            if (step % evaluateEvery == 0 || step == totalSteps)
            {
                accuracy = Evaluation.Accuracy(model, data.Test, device);
                accuracies.Add(new CurvePoint(step, accuracy.Value));
            }
            progress?.Report(new TrainingProgress(step, totalSteps, (step - 1) / sampler.BatchesPerEpoch + 1, loss, accuracy,
                samples / Math.Max(training.Elapsed.TotalSeconds, 1e-9)));
        }

        return new TrainingResult(
            step,
            parameters.Sum(p => (int)p.Item2.numel()),
            accuracies[^1].Value,
            loss,
            samples / Math.Max(training.Elapsed.TotalSeconds, 1e-9),
            wall.Elapsed.TotalSeconds,
            losses,
            accuracies);
    }
}

using ActorTrain.Nodes.Cli;
using ActorTrain.Nodes.Reports;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using TorchSharp;

namespace ActorTrain.Nodes.Training;

/// <summary>`actortrain train`: loads data, builds the model, trains locally, leaves a run directory.</summary>
public static class TrainRun
{
    public static TrainingReport Execute(TrainSettings settings, string? runId, ProgressView view, TextWriter output, CancellationToken cancellation)
    {
        if (settings.Threads > 0) torch.set_num_threads(settings.Threads);
        using var data = LoadData(settings);
        var spec = new ModelSpec(settings.Model, data.Train.SampleShape, data.Train.ClassCount, settings.Hidden);
        using var model = spec.Build(settings.Training.Seed);
        var run = RunDirectory.Create(settings.RunsDirectory, runId ?? RunDirectory.NewRunId("local"));
        File.WriteAllText(run.File("config.conf"), settings.ToHocon());

        output.WriteLine($"run {run.RunId}: {settings.Model} on {data.Train.Name} ({data.Train.Count} train / {data.Test.Count} test samples, {data.Train.ClassCount} classes), device {settings.Training.Device}");
        var result = view.Run($"training {settings.Model}", progress => LocalTraining.Run(model, data, settings.Training, progress, cancellation));

        var report = new TrainingReport(
            run.RunId, "local", settings.Model, settings.Dataset, data.Train.ClassCount, result.Parameters, result.Steps,
            settings.Training.BatchSize, settings.Training.Optimizer, settings.Training.LearningRate, settings.Training.Seed,
            settings.Training.Device, result.TestAccuracy, result.FinalLoss, result.SamplesPerSecond, result.WallSeconds, run.Path,
            result.TestAccuracies.Select(p => new AccuracyPoint(p.Step, p.Value)).ToArray());
        File.WriteAllText(run.File("result.json"), report.ToJson());
        if (TrainingPlot.TrySave(run.File("plot.png"), $"{settings.Model} on {settings.Dataset} ({run.RunId})", result.Losses, result.TestAccuracies) is { } problem)
            output.WriteLine($"warning: plot.png not written ({problem}); the result is complete.");
        return report;
    }

    internal static DatasetSplits LoadData(TrainSettings settings) => settings.Dataset switch
    {
        "fashion-mnist" => FashionMnist.Load(settings.DataDirectory),
        "synthetic" => settings.Synthetic.Generate(),
        "fortunes" => Fortunes.Load(settings.FortunesDirectory, settings.Fortunes),
        _ => throw new ArgumentException($"Unknown dataset '{settings.Dataset}'."),
    };
}

using System.CommandLine;
using ActorTrain.Nodes.Configuration;
using ActorTrain.Nodes.Reports;
using ActorTrain.Nodes.Training;

namespace ActorTrain.Nodes.Cli;

/// <summary>`actortrain train`: the single-process baseline training loop.</summary>
public static class TrainCommand
{
    public static Command Create(Option<string?> configOption)
    {
        var options = new TrainOptions();
        var command = new Command("train", "Train a model in this process: the baseline every distributed mode is compared with.");
        options.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            return Task.FromResult(UserErrors.Guard(parse.InvocationConfiguration.Error, () =>
            {
                var settings = TrainSettings.Resolve(ActorTrainConfiguration.Load(parse.GetValue(configOption)), options.Read(parse));
                var view = new ProgressView(output, ProgressView.IsInteractive(output));
                var report = TrainRun.Execute(settings, parse.GetValue(options.RunId), view, output, cancellation);
                Finish(report, parse.GetValue(options.Json), output);
                return 0;
            }));
        });
        return command;
    }

    /// <summary>Writes --json (if asked) and the closing line every training command prints.</summary>
    public static void Finish(TrainingReport report, string? jsonPath, TextWriter output)
    {
        if (jsonPath is not null) ReportFiles.Write(jsonPath, report.ToJson());
        output.WriteLine(FormattableString.Invariant(
            $"done: {report.Steps} steps, test accuracy {report.TestAccuracy:F4}, {report.SamplesPerSecond:F0} samples/s, {report.WallSeconds:F1} s. Run directory: {report.RunDirectory}"));
    }
}

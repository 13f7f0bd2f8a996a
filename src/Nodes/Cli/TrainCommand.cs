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
        var model = new Option<string?>("--model") { Description = "Model: mlp | cnn (config: actortrain.train.model)." };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset: fashion-mnist | synthetic (config: actortrain.train.dataset)." };
        var classes = new Option<int?>("--classes") { Description = "Classes of the synthetic dataset (config: actortrain.synthetic.classes)." };
        var inputSize = new Option<int?>("--input-size") { Description = "Features per sample of the synthetic dataset." };
        var hidden = new Option<string?>("--hidden") { Description = "Hidden layer widths, e.g. 256,128 (config: actortrain.train.hidden)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Samples per batch." };
        var epochs = new Option<int?>("--epochs") { Description = "Full passes over the training data (used unless --steps is given)." };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps; overrides --epochs." };
        var optimizer = new Option<string?>("--optimizer") { Description = "sgd | adam." };
        var lr = new Option<double?>("--lr") { Description = "Learning rate." };
        var momentum = new Option<double?>("--momentum") { Description = "SGD momentum." };
        var seed = new Option<long?>("--seed") { Description = "Seed for weights, data order and synthetic data." };
        var device = new Option<string?>("--device") { Description = "cpu | cuda | cuda:N." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp (0 = every core)." };
        var evaluations = new Option<int?>("--evaluations") { Description = "How many times test accuracy is measured." };
        var data = new Option<string?>("--data") { Description = $"Folder with the Fashion-MNIST IDX files (env {Tensors.Data.FashionMnist.DirectoryVariable}; default {Tensors.Data.FashionMnist.DefaultDirectory})." };
        var runsDir = new Option<string?>("--runs-dir") { Description = "Where run directories go (config: actortrain.runs-directory)." };
        var runId = new Option<string?>("--run-id") { Description = "Name of this run's directory (default: time, mode and a random suffix)." };
        var json = new Option<string?>("--json") { Description = "Also write the result object to this file." };

        var command = new Command("train", "Train a model in this process: the baseline every distributed mode is compared with.")
        {
            model, dataset, classes, inputSize, hidden, batchSize, epochs, steps, optimizer, lr, momentum, seed, device, threads,
            evaluations, data, runsDir, runId, json,
        };
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return Task.FromResult(UserErrors.Guard(error, () =>
            {
                var settings = TrainSettings.Resolve(
                    ActorTrainConfiguration.Load(parse.GetValue(configOption)),
                    new TrainOverrides(parse.GetValue(model), parse.GetValue(dataset), parse.GetValue(classes), parse.GetValue(inputSize),
                        parse.GetValue(hidden), parse.GetValue(batchSize), parse.GetValue(epochs), parse.GetValue(steps),
                        parse.GetValue(optimizer), parse.GetValue(lr), parse.GetValue(momentum), parse.GetValue(seed),
                        parse.GetValue(device), parse.GetValue(threads), parse.GetValue(evaluations), parse.GetValue(data),
                        parse.GetValue(runsDir)));
                var jsonPath = parse.GetValue(json);
                var view = new ProgressView(output, ProgressView.IsInteractive(output));
                var report = TrainRun.Execute(settings, parse.GetValue(runId), view, output, cancellation);
                if (jsonPath is not null) ReportFiles.Write(jsonPath, report.ToJson());
                output.WriteLine(FormattableString.Invariant(
                    $"done: {report.Steps} steps, test accuracy {report.TestAccuracy:F4}, {report.SamplesPerSecond:F0} samples/s, {report.WallSeconds:F1} s. Run directory: {report.RunDirectory}"));
                return 0;
            }));
        });
        return command;
    }
}

using System.CommandLine;
using ActorTrain.Nodes.Training;
using ActorTrain.Tensors.Data;

namespace ActorTrain.Nodes.Cli;

/// <summary>The options `train`, `run` and `node` share: what to train and where results go.</summary>
public sealed class TrainOptions
{
    private readonly Option<string?> _model = new("--model") { Description = "Model: mlp | cnn | wordmlp (config: actortrain.train.model). wordmlp is for --dataset fortunes only." };
    private readonly Option<string?> _dataset = new("--dataset") { Description = "Dataset: fashion-mnist | synthetic | fortunes (config: actortrain.train.dataset). fortunes needs --model wordmlp." };
    private readonly Option<int?> _classes = new("--classes") { Description = "Classes of the synthetic dataset (config: actortrain.synthetic.classes)." };
    private readonly Option<int?> _inputSize = new("--input-size") { Description = "Features per sample of the synthetic dataset." };
    private readonly Option<int?> _vocabulary = new("--vocabulary") { Description = "Target words V of the fortunes dataset (config: actortrain.fortunes.vocabulary)." };
    private readonly Option<int?> _context = new("--context") { Description = "Previous words k each fortunes sample sees (config: actortrain.fortunes.context)." };
    private readonly Option<string?> _hidden = new("--hidden") { Description = "Hidden layer widths, e.g. 256,128 (config: actortrain.train.hidden)." };
    private readonly Option<int?> _batchSize = new("--batch-size") { Description = "Samples per step (across all workers in a cluster)." };
    private readonly Option<int?> _epochs = new("--epochs") { Description = "Full passes over the training data (used unless --steps is given)." };
    private readonly Option<int?> _steps = new("--steps") { Description = "Optimizer steps; overrides --epochs." };
    private readonly Option<string?> _optimizer = new("--optimizer") { Description = "sgd | adam." };
    private readonly Option<double?> _lr = new("--lr") { Description = "Learning rate." };
    private readonly Option<double?> _momentum = new("--momentum") { Description = "SGD momentum." };
    private readonly Option<long?> _seed;
    private readonly Option<string?> _device = new("--device") { Description = "cpu | cuda | cuda:N." };
    private readonly Option<int?> _threads = new("--threads") { Description = "CPU threads for TorchSharp (0 = every core)." };
    private readonly Option<int?> _evaluations = new("--evaluations") { Description = "How many times test accuracy is measured." };
    private readonly Option<string?> _data = new("--data") { Description = $"Folder with the Fashion-MNIST IDX files (env {FashionMnist.DirectoryVariable}; default {FashionMnist.DefaultDirectory})." };
    private readonly Option<string?> _fortunesDir = new("--fortunes-dir") { Description = $"Folder with the fortune files (env {Fortunes.DirectoryVariable}; default {Fortunes.DefaultDirectory})." };
    private readonly Option<string?> _runsDir = new("--runs-dir") { Description = "Where run directories go (config: actortrain.runs-directory)." };

    public Option<string?> RunId { get; } = new("--run-id") { Description = "Name of this run's directory (default: time, mode and a random suffix)." };

    public Option<string?> Json { get; } = new("--json") { Description = "Also write the result object to this file." };

    private readonly bool _includeSteps;

    /// <param name="includeSteps">False for commands that define their own --steps (and --json, --run-id).</param>
    /// <param name="seedOption">The training seed's name: `node` keeps --seed for seed nodes.</param>
    public TrainOptions(bool includeSteps = true, string seedOption = "--seed")
    {
        _includeSteps = includeSteps;
        _seed = new(seedOption) { Description = "Seed for weights, data order and synthetic data." };
    }

    public void AddTo(Command command)
    {
        Option[] shared = [_model, _dataset, _classes, _inputSize, _hidden, _batchSize, _optimizer, _lr, _momentum, _seed, _device, _threads, _data, _vocabulary, _context, _fortunesDir];
        foreach (var option in shared) command.Add(option);
        if (!_includeSteps) return;
        foreach (var option in new Option[] { _epochs, _steps, _evaluations, _runsDir, RunId, Json }) command.Add(option);
    }

    public TrainOverrides Read(ParseResult parse) => new(
        parse.GetValue(_model), parse.GetValue(_dataset), parse.GetValue(_classes), parse.GetValue(_inputSize),
        parse.GetValue(_hidden), parse.GetValue(_batchSize), Value(parse, _epochs), Value(parse, _steps),
        parse.GetValue(_optimizer), parse.GetValue(_lr), parse.GetValue(_momentum), parse.GetValue(_seed),
        parse.GetValue(_device), parse.GetValue(_threads), Value(parse, _evaluations), parse.GetValue(_data),
        _includeSteps ? parse.GetValue(_runsDir) : null, parse.GetValue(_vocabulary), parse.GetValue(_context),
        parse.GetValue(_fortunesDir));

    private T? Value<T>(ParseResult parse, Option<T?> option) where T : struct => _includeSteps ? parse.GetValue(option) : null;
}

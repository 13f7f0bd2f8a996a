using System.CommandLine;
using ActorTrain.Nodes.Training;

namespace ActorTrain.Nodes.Cli;

/// <summary>The options `run` and `node` add to the training options.</summary>
public sealed class ClusterOptions
{
    private readonly Option<string?> _mode = new("--mode") { Description = "Aggregation: sync | async | local-sgd (config: actortrain.cluster.mode)." };
    private readonly Option<int?> _workers = new("--workers") { Description = "Workers in this process (run: default config actortrain.cluster.workers; node: one per device)." };
    private readonly Option<int?> _localSteps = new("--local-steps") { Description = "local-sgd: local steps between averagings." };
    private readonly Option<int?> _minWorkers = new("--min-workers") { Description = "Workers that must register before the first step (parameter server)." };
    private readonly Option<string?> _logLevel = new("--log-level") { Description = "Akka log level: DEBUG | INFO | WARNING | ERROR." };
    private readonly Option<string?> _capture = new("--capture") { Description = "With a journal: record projection (default) | all | none | NAME,NAME of each accepted update." };
    private readonly Option<int?> _captureEvery = new("--capture-every") { Description = "Record every k-th version (1)." };
    private readonly Option<string?> _captureDtype = new("--capture-dtype") { Description = "fp32 (default) | fp16." };
    private readonly Option<bool> _recordLabels = new("--record-labels") { Description = "Experiments: record each batch's true labels in a separate evaluation stream." };
    private readonly Option<string?> _attack = new("--attack") { Description = "run: attack every worker update beside training: rlg (label revelation; the result gains \"tap\")." };
    private readonly Option<string?> _journal = new("--journal") { Description = "Parameter-server journal: none | sqlite (journal.db in the run directory) | sqlite:PATH." };

    public Option<int?> Workers => _workers;

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _mode, _workers, _localSteps, _minWorkers, _logLevel, _journal, _capture, _captureEvery, _captureDtype, _recordLabels, _attack })
            command.Add(option);
    }

    public ClusterOverrides Read(ParseResult parse) => new(
        parse.GetValue(_mode), parse.GetValue(_workers), parse.GetValue(_localSteps), parse.GetValue(_minWorkers), parse.GetValue(_logLevel),
        parse.GetValue(_journal), parse.GetValue(_capture), parse.GetValue(_captureEvery), parse.GetValue(_captureDtype), parse.GetValue(_recordLabels),
        parse.GetValue(_attack));
}

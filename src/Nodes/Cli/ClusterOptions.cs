using System.CommandLine;
using ActorTrain.Nodes.Training;

namespace ActorTrain.Nodes.Cli;

/// <summary>The options `run` and `node` add to the training options.</summary>
public sealed class ClusterOptions
{
    private readonly Option<string?> _mode = new("--mode") { Description = "Aggregation: sync | async | local-sgd (config: actortrain.cluster.mode)." };
    private readonly Option<int?> _workers = new("--workers") { Description = "Workers in this process (run: default config actortrain.cluster.workers; node: one per device)." };
    private readonly Option<int?> _localSteps = new("--local-steps") { Description = "local-sgd: local steps between averagings." };
    private readonly Option<int?> _localStepsMax = new("--local-steps-max") { Description = "local-sgd, adaptive period (ADPSGD-style): double the local steps every --period-double-every rounds up to this many; 0 = fixed (config: actortrain.cluster.local-steps-max)." };
    private readonly Option<int?> _periodDoubleEvery = new("--period-double-every") { Description = "With --local-steps-max: rounds between doublings (config: actortrain.cluster.period-double-every)." };
    private readonly Option<int?> _minWorkers = new("--min-workers") { Description = "Workers that must register before the first step (parameter server)." };
    private readonly Option<string?> _logLevel = new("--log-level") { Description = "Akka log level: DEBUG | INFO | WARNING | ERROR." };
    private readonly Option<string?> _capture = new("--capture") { Description = "With a journal: record projection (default) | all | none | NAME,NAME of each accepted update." };
    private readonly Option<int?> _captureEvery = new("--capture-every") { Description = "Record every k-th version (1)." };
    private readonly Option<string?> _captureDtype = new("--capture-dtype") { Description = "fp32 (default) | fp16." };
    private readonly Option<bool> _captureWeights = new("--capture-weights") { Description = "With --capture all: also record the weights of each captured version, for `replay --attack invert`." };
    private readonly Option<bool> _recordLabels = new("--record-labels") { Description = "Experiments: record each batch's true labels in a separate evaluation stream." };
    private readonly Option<string?> _attack = new("--attack") { Description = "run: attack beside training: rlg (label revelation on every worker update; the result gains \"tap\"), or invert (gradient inversion of every worker update it keeps up with; with --split, reconstruct every activation batch; the result gains \"inversion\")." };
    private readonly Option<string?> _invertLabels = new("--invert-labels") { Description = "--attack invert on a data-parallel run: what the attacker knows of the labels: none | rlg (default) | true (needs --record-labels) (config: actortrain.tap.inversion.updates.labels)." };
    private readonly Option<int?> _invertIterations = new("--invert-iterations") { Description = "--attack invert on a data-parallel run: most optimisation steps per restart (300)." };
    private readonly Option<int?> _invertRestarts = new("--invert-restarts") { Description = "--attack invert on a data-parallel run: random restarts per update, keeping the best gradient match (1)." };
    private readonly Option<bool> _recordInputs = new("--record-inputs") { Description = "Experiments: split clients also send each batch's raw inputs to the inversion tap (never to the split server); data-parallel workers attach them to their updates for the evaluation stream (with a journal), never the attack-facing one. Scores inversions." };
    private readonly Option<string?> _split = new("--split") { Description = "Split learning at this cut point (e.g. act1): workers run the layers up to it, the split server the rest." };
    private readonly Option<string?> _defense = new("--defense") { Description = "With --split: nopeek (α·dCor(X, Z) in each client's loss) | none." };
    private readonly Option<double?> _alpha = new("--alpha") { Description = "With --defense nopeek: the weight α of dCor (1)." };
    private readonly Option<double?> _noise = new("--activation-noise") { Description = "With --split: scale of noise added to the activations before they leave the client (0)." };
    private readonly Option<string?> _noiseKind = new("--noise") { Description = "With --activation-noise: laplace (default) | gaussian." };
    private readonly Option<int?> _splitFed = new("--splitfed") { Description = "With --split: SplitFed, average the client segments (FedAvg) every H server steps; 0 = off (config: actortrain.split.average-every)." };
    private readonly Option<double?> _clipNorm = new("--clip-norm") { Description = "Workers: clip each update to this L2 norm C before it leaves; 0 = off (config: actortrain.worker.updates.clip-norm)." };
    private readonly Option<double?> _noiseMultiplier = new("--noise-multiplier") { Description = "Workers: add N(0, (σ·C)²) to every entry after clipping; needs --clip-norm (0)." };
    private readonly Option<string?> _compress = new("--compress") { Description = "Workers: none | topk | gaussiank | sign, with error feedback; sparse and sign payloads travel compressed (none)." };
    private readonly Option<double?> _keepRatio = new("--keep-ratio") { Description = "With --compress topk | gaussiank: fraction of entries kept, in (0, 1] (0.01)." };
    private readonly Option<bool> _fp16 = new("--fp16") { Description = "Workers: send update values as binary16 (alone or with topk / gaussiank)." };
    private readonly Option<string?> _journal = new("--journal") { Description = "Parameter-server journal: none | sqlite (journal.db in the run directory) | sqlite:PATH | postgres:CONNECTION-STRING." };

    public Option<int?> Workers => _workers;

    public Option<string?> SplitCut => _split;

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _mode, _workers, _localSteps, _minWorkers, _logLevel, _journal, _capture, _captureEvery, _captureDtype, _captureWeights, _recordLabels, _recordInputs, _attack, _split, _defense, _alpha, _noise, _noiseKind, _splitFed,
                     _clipNorm, _noiseMultiplier, _compress, _keepRatio, _fp16, _localStepsMax, _periodDoubleEvery, _invertLabels, _invertIterations, _invertRestarts })
            command.Add(option);
    }

    public ClusterOverrides Read(ParseResult parse) => new(
        parse.GetValue(_mode), parse.GetValue(_workers), parse.GetValue(_localSteps), parse.GetValue(_minWorkers), parse.GetValue(_logLevel),
        parse.GetValue(_journal), parse.GetValue(_capture), parse.GetValue(_captureEvery), parse.GetValue(_captureDtype), parse.GetValue(_recordLabels),
        parse.GetValue(_attack), parse.GetValue(_split), parse.GetValue(_defense), parse.GetValue(_alpha), parse.GetValue(_noise), parse.GetValue(_noiseKind),
        parse.GetValue(_splitFed), parse.GetValue(_recordInputs),
        parse.GetValue(_clipNorm), parse.GetValue(_noiseMultiplier), parse.GetValue(_compress), parse.GetValue(_keepRatio), parse.GetValue(_fp16),
        parse.GetValue(_localStepsMax), parse.GetValue(_periodDoubleEvery), parse.GetValue(_captureWeights),
        parse.GetValue(_invertLabels), parse.GetValue(_invertIterations), parse.GetValue(_invertRestarts));
}

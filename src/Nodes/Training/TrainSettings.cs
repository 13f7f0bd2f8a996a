using System.Globalization;
using System.Text;
using ActorTrain.Nodes.Configuration;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Devices;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;

namespace ActorTrain.Nodes.Training;

/// <summary>Values given on the command line; null means "take it from the configuration".</summary>
public sealed record TrainOverrides(
    string? Model = null, string? Dataset = null, int? Classes = null, int? InputSize = null, string? Hidden = null,
    int? BatchSize = null, int? Epochs = null, int? Steps = null, string? Optimizer = null, double? LearningRate = null,
    double? Momentum = null, long? Seed = null, string? Device = null, int? Threads = null, int? Evaluations = null,
    string? DataDirectory = null, string? RunsDirectory = null, int? Vocabulary = null, int? Context = null,
    string? FortunesDirectory = null);

/// <summary>Everything a local training run needs, resolved and validated.</summary>
public sealed record TrainSettings(
    string Model, string Dataset, string DataDirectory, SyntheticClassification Synthetic, string FortunesDirectory,
    FortunesOptions Fortunes, int[] Hidden, LocalTrainingOptions Training, int Threads, string RunsDirectory)
{
    public static readonly IReadOnlyList<string> Datasets = ["fashion-mnist", "synthetic", "fortunes"];

    public static TrainSettings Resolve(ActorTrainConfiguration config, TrainOverrides cli)
    {
        const string T = "actortrain.train.";
        const string S = "actortrain.synthetic.";
        const string F = "actortrain.fortunes.";
        var model = cli.Model ?? config.GetString(T + "model");
        var dataset = cli.Dataset ?? config.GetString(T + "dataset");
        var steps = cli.Steps ?? config.GetInt(T + "steps");
        var settings = new TrainSettings(
            model,
            dataset,
            FashionMnist.ResolveDirectory(cli.DataDirectory, config.GetString("actortrain.data.fashion-mnist")),
            new SyntheticClassification(
                cli.Classes ?? config.GetInt(S + "classes"),
                cli.InputSize ?? config.GetInt(S + "input-size"),
                config.GetInt(S + "train-samples"),
                config.GetInt(S + "test-samples"),
                config.GetDouble(S + "noise"),
                (int)(cli.Seed ?? config.GetInt(T + "seed"))),
            Tensors.Data.Fortunes.ResolveDirectory(cli.FortunesDirectory, config.GetString(F + "directory")),
            new FortunesOptions(
                cli.Vocabulary ?? config.GetInt(F + "vocabulary"),
                cli.Context ?? config.GetInt(F + "context"),
                config.GetDouble(F + "test-fraction"),
                config.GetInt(F + "split-seed")),
            cli.Hidden is null ? config.GetIntList(T + "hidden") : ParseWidths(cli.Hidden),
            new LocalTrainingOptions(
                BatchSize: cli.BatchSize ?? config.GetInt(T + "batch-size"),
                Epochs: cli.Epochs ?? config.GetInt(T + "epochs"),
                Steps: steps == 0 ? null : steps,
                Optimizer: cli.Optimizer ?? config.GetString(T + "optimizer"),
                LearningRate: cli.LearningRate ?? config.GetDouble(T + "learning-rate"),
                Momentum: cli.Momentum ?? config.GetDouble(T + "momentum"),
                Seed: cli.Seed ?? config.GetInt(T + "seed"),
                Device: cli.Device ?? config.GetString(T + "device"),
                EvaluationPoints: cli.Evaluations ?? config.GetInt(T + "evaluations")),
            cli.Threads ?? config.GetInt(T + "threads"),
            cli.RunsDirectory ?? config.GetString("actortrain.runs-directory"));
        settings.Validate();
        return settings;
    }

    private void Validate()
    {
        Require(ModelSpec.Kinds.Contains(Model), $"--model {Model}: choose one of {string.Join(", ", ModelSpec.Kinds)}.");
        Require(Datasets.Contains(Dataset), $"--dataset {Dataset}: choose one of {string.Join(", ", Datasets)}.");
        // Fortunes samples are word ids, not features: only wordmlp reads them as such, and wordmlp reads nothing else.
        Require(Dataset != "fortunes" || Model == "wordmlp", $"--dataset fortunes needs --model wordmlp: its samples are word ids, which {Model} would read as numbers.");
        Require(Dataset == "fortunes" || Model != "wordmlp", $"--model wordmlp needs --dataset fortunes: it reads each sample as word ids, and {Dataset} holds features.");
        Require(Fortunes.Vocabulary is >= 2 and <= FortunesOptions.MaxVocabulary, $"--vocabulary {Fortunes.Vocabulary}: must be 2..{FortunesOptions.MaxVocabulary}.");
        Require(Fortunes.Context is >= 1 and <= FortunesOptions.MaxContext, $"--context {Fortunes.Context}: must be 1..{FortunesOptions.MaxContext}.");
        Require(Fortunes.TestFraction is > 0 and < 1, $"actortrain.fortunes.test-fraction = {Fortunes.TestFraction}: must be strictly between 0 and 1.");
        Require(Optimizers.Names.Contains(Training.Optimizer), $"--optimizer {Training.Optimizer}: choose one of {string.Join(", ", Optimizers.Names)}.");
        Require(Training.BatchSize >= 1, $"--batch-size {Training.BatchSize}: must be at least 1.");
        Require(Training.Epochs >= 1, $"--epochs {Training.Epochs}: must be at least 1.");
        Require(Training.Steps is null or >= 1, $"--steps {Training.Steps}: must be at least 1 (0 in the configuration means: use epochs).");
        Require(Training.LearningRate > 0 && double.IsFinite(Training.LearningRate), $"--lr {Training.LearningRate}: must be a positive number.");
        Require(Training.Momentum is >= 0 and < 1, $"--momentum {Training.Momentum}: must be in [0, 1).");
        Require(Training.EvaluationPoints >= 1, $"--evaluations {Training.EvaluationPoints}: must be at least 1.");
        Require(Threads >= 0, $"--threads {Threads}: must be 0 (every core) or more.");
        Require(Hidden.Length > 0 && Hidden.All(w => w > 0), $"--hidden {string.Join(",", Hidden)}: give one or more positive widths, e.g. 256,128.");
        try
        {
            ComputeDevice.Parse(Training.Device);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"--device: {e.Message}");
        }
    }

    /// <summary>The resolved settings as HOCON, written into the run directory.</summary>
    public string ToHocon()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("# Resolved configuration of this run (reference defaults, --config file and command line merged).");
        text.AppendLine("actortrain {");
        text.AppendLine(c, $"  runs-directory = \"{RunsDirectory}\"");
        text.AppendLine(c, $"  data.fashion-mnist = \"{DataDirectory}\"");
        text.AppendLine(c, $"  fortunes {{ directory = \"{FortunesDirectory}\", vocabulary = {Fortunes.Vocabulary}, context = {Fortunes.Context}, test-fraction = {Fortunes.TestFraction.ToString("R", c)}, split-seed = {Fortunes.SplitSeed} }}");
        text.AppendLine(c, $"  synthetic {{ classes = {Synthetic.Classes}, input-size = {Synthetic.InputSize}, train-samples = {Synthetic.TrainSamples}, test-samples = {Synthetic.TestSamples}, noise = {Synthetic.Noise.ToString(c)} }}");
        text.AppendLine("  train {");
        text.AppendLine(c, $"    model = {Model}");
        text.AppendLine(c, $"    dataset = {Dataset}");
        text.AppendLine(c, $"    hidden = [{string.Join(", ", Hidden)}]");
        text.AppendLine(c, $"    batch-size = {Training.BatchSize}");
        text.AppendLine(c, $"    epochs = {Training.Epochs}");
        text.AppendLine(c, $"    steps = {Training.Steps ?? 0}");
        text.AppendLine(c, $"    optimizer = {Training.Optimizer}");
        text.AppendLine(c, $"    learning-rate = {Training.LearningRate.ToString("R", c)}");
        text.AppendLine(c, $"    momentum = {Training.Momentum.ToString("R", c)}");
        text.AppendLine(c, $"    seed = {Training.Seed}");
        text.AppendLine(c, $"    device = \"{Training.Device}\"");
        text.AppendLine(c, $"    threads = {Threads}");
        text.AppendLine(c, $"    evaluations = {Training.EvaluationPoints}");
        text.AppendLine("  }");
        text.AppendLine("}");
        return text.ToString();
    }

    private static int[] ParseWidths(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var widths = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out widths[i]))
                throw new ConfigurationException($"--hidden {text}: '{parts[i]}' is not a whole number; write widths like 256,128.");
        return widths;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new ConfigurationException(message);
    }
}

using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Nodes.Configuration;
using CapturePolicy = ActorTrain.Actors.ParameterServer.CapturePolicy;
using Config = Akka.Configuration.Config;

namespace ActorTrain.Nodes.Training;

/// <summary>Command-line values for cluster runs; null means "take it from the configuration".</summary>
public sealed record ClusterOverrides(
    string? Mode = null, int? Workers = null, int? LocalSteps = null, int? MinWorkers = null, string? LogLevel = null, string? Journal = null,
    string? Capture = null, int? CaptureEvery = null, string? CaptureDtype = null, bool RecordLabels = false, string? Attack = null,
    string? Split = null, string? Defense = null, double? Alpha = null, double? ActivationNoise = null, string? NoiseKind = null,
    int? SplitFed = null, bool RecordInputs = false,
    double? ClipNorm = null, double? NoiseMultiplier = null, string? Compress = null, double? KeepRatio = null, bool Fp16 = false,
    int? LocalStepsMax = null, int? PeriodDoubleEvery = null, bool CaptureWeights = false,
    string? InvertLabels = null, int? InvertIterations = null, int? InvertRestarts = null);

/// <summary>A cluster run's settings: what to train, how to aggregate, and the parameter server's limits.</summary>
/// <param name="Cluster">The Akka configuration nodes are built from (user file over the references).</param>
public sealed record ClusterSettings(
    TrainSettings Train,
    AggregationMode Mode,
    int Workers,
    int LocalSteps,
    int MinWorkers,
    TimeSpan StragglerTimeout,
    int MaxStaleness,
    long MaxUpdateBytes,
    string? LogLevel,
    Config Cluster,
    string Journal,
    int SnapshotEvery,
    CapturePolicy Capture,
    bool RecordLabels,
    string? Attack,
    int TapCapacity,
    Actors.Protocol.SplitSpec? Split = null,
    bool RecordInputs = false,
    Actors.Tap.InversionTapSettings? TapInversion = null,
    Tensors.Compression.UpdateTransformOptions? UpdateTransforms = null,
    int LocalStepsMax = 0,
    int PeriodDoubleEvery = 1,
    Actors.Tap.GradientInversionTapSettings? TapGradients = null)
{
    public static readonly IReadOnlyList<string> LogLevels = ["DEBUG", "INFO", "WARNING", "ERROR"];

    public static readonly IReadOnlyList<string> Attacks = ["rlg", "invert"];

    /// <summary>The tap for `--attack`, logging to the run directories; null without one.</summary>
    public Actors.Tap.TapSettings? Tap => Attack is null
        ? null
        : new Actors.Tap.TapSettings(TapCapacity, Train.RunsDirectory)
        {
            Attack = Attack, Inversion = TapInversion ?? new Actors.Tap.InversionTapSettings(),
            Gradients = TapGradients ?? new Actors.Tap.GradientInversionTapSettings(),
        };

    public static ClusterSettings Resolve(ActorTrainConfiguration config, TrainOverrides train, ClusterOverrides cluster)
    {
        var trainSettings = TrainSettings.Resolve(config, train);
        var akka = ClusterConfig.Build(new NodeAddress("127.0.0.1", 0, [], []), config.Config);
        AggregationMode mode;
        try
        {
            mode = AggregationModes.Parse(cluster.Mode ?? config.GetString("actortrain.cluster.mode"));
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"--mode: {e.Message}");
        }
        var logLevel = cluster.LogLevel?.ToUpperInvariant();
        if (logLevel is not null && !LogLevels.Contains(logLevel))
            throw new ConfigurationException($"--log-level {cluster.LogLevel}: choose one of {string.Join(", ", LogLevels)}.");
        var settings = new ClusterSettings(
            trainSettings,
            mode,
            cluster.Workers ?? config.GetInt("actortrain.cluster.workers"),
            cluster.LocalSteps ?? config.GetInt("actortrain.cluster.local-steps"),
            cluster.MinWorkers ?? Read(akka, "actortrain.parameter-server.min-workers", c => c.GetInt("actortrain.parameter-server.min-workers")),
            Read(akka, "actortrain.parameter-server.straggler-timeout", c => c.GetTimeSpan("actortrain.parameter-server.straggler-timeout")),
            Read(akka, "actortrain.parameter-server.max-staleness", c => c.GetInt("actortrain.parameter-server.max-staleness")),
            Read(akka, "actortrain.parameter-server.max-update-bytes", c => c.GetLong("actortrain.parameter-server.max-update-bytes")),
            logLevel,
            config.Config,
            cluster.Journal ?? config.GetString("actortrain.cluster.journal"),
            Read(akka, "actortrain.persistence.snapshot-every", c => c.GetInt("actortrain.persistence.snapshot-every")),
            ParseCapture(cluster, config),
            cluster.RecordLabels,
            cluster.Attack?.ToLowerInvariant(),
            config.GetInt("actortrain.tap.capacity"),
            RecordInputs: cluster.RecordInputs,
            TapInversion: ParseInversion(config, trainSettings),
            TapGradients: ParseGradientInversion(cluster, config));
        if (settings.Attack is not null && !Attacks.Contains(settings.Attack))
            throw new ConfigurationException($"--attack {cluster.Attack}: choose one of {string.Join(", ", Attacks)}.");
        settings = settings with
        {
            Split = ParseSplit(cluster, settings, akka), UpdateTransforms = ParseTransforms(cluster, akka),
            LocalStepsMax = cluster.LocalStepsMax ?? config.GetInt("actortrain.cluster.local-steps-max"),
            PeriodDoubleEvery = cluster.PeriodDoubleEvery ?? config.GetInt("actortrain.cluster.period-double-every"),
        };
        if (settings.LocalStepsMax < 0) throw new ConfigurationException($"--local-steps-max {settings.LocalStepsMax}: must be ≥ 0 (0 = a fixed period).");
        if (settings.PeriodDoubleEvery < 1) throw new ConfigurationException($"--period-double-every {settings.PeriodDoubleEvery}: must be at least 1 round.");
        if (settings.LocalStepsMax > 0 && settings.Mode != AggregationMode.LocalSgd)
            throw new ConfigurationException($"--local-steps-max makes local-sgd's averaging period adaptive: give --mode local-sgd (not {settings.Mode.Name()}).");
        if (settings.Split is not null && settings.UpdateTransforms is { IsNone: false })
            throw new ConfigurationException("--clip-norm, --noise-multiplier, --compress and --fp16 transform worker updates of data-parallel training; a split run sends activations (use --activation-noise there). Drop them or --split.");
        if (settings.TapCapacity < 1) throw new ConfigurationException($"actortrain.tap.capacity {settings.TapCapacity}: must be at least 1.");
        if (settings.Workers < 1) throw new ConfigurationException($"--workers {settings.Workers}: must be at least 1.");
        if (settings.LocalSteps < 1) throw new ConfigurationException($"--local-steps {settings.LocalSteps}: must be at least 1.");
        if (settings.MinWorkers < 1) throw new ConfigurationException($"--min-workers {settings.MinWorkers}: must be at least 1.");
        if (settings.SnapshotEvery < 1) throw new ConfigurationException("actortrain.persistence.snapshot-every must be at least 1.");
        try
        {
            JournalConfig.Parse(settings.Journal, Path.Combine(Path.GetTempPath(), "journal-check.db"), create: false);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
        if (settings.StragglerTimeout <= TimeSpan.Zero) throw new ConfigurationException("actortrain.parameter-server.straggler-timeout must be positive.");
        return settings;
    }

    /// <summary>`--attack invert` on a data-parallel run: the tap inverts each worker update, which must be one batch's
    /// gradient of an image model; refused up front, with the fix, where it cannot be.</summary>
    private static void CheckGradientInversion(ClusterOverrides cluster, ClusterSettings settings)
    {
        if (settings.Mode == AggregationMode.LocalSgd)
            throw new ConfigurationException("--attack invert reconstructs a batch from its gradient, but local-sgd workers send weight deltas over several local steps: use --mode sync or async (or --split CUT to invert split learning's activations).");
        if (settings.Train.Dataset != "fashion-mnist")
            throw new ConfigurationException($"--attack invert reconstructs images: use --dataset fashion-mnist (not {settings.Train.Dataset}).");
        if (settings.Train.Model is not ("mlp" or "cnn"))
            throw new ConfigurationException($"--attack invert inverts the updates of image classifiers: use --model mlp or cnn (not {settings.Train.Model}).");
        if (settings.TapGradients?.Labels == Tensors.Attacks.LabelKnowledge.True && !cluster.RecordLabels)
            throw new ConfigurationException("--invert-labels true grants the attacker each batch's recorded labels: add --record-labels (or use --invert-labels rlg | none).");
    }

    /// <summary>actortrain.tap.inversion.updates, overridden by --invert-labels, --invert-iterations, --invert-restarts.</summary>
    private static Actors.Tap.GradientInversionTapSettings ParseGradientInversion(ClusterOverrides cluster, ActorTrainConfiguration config)
    {
        const string G = "actortrain.tap.inversion.updates.";
        var given = cluster.InvertLabels is not null || cluster.InvertIterations is not null || cluster.InvertRestarts is not null;
        if (given && (cluster.Attack?.ToLowerInvariant() != "invert" || cluster.Split is not null))
            throw new ConfigurationException("--invert-labels, --invert-iterations and --invert-restarts tune the gradient inversion of worker updates: give --attack invert (without --split).");
        var labels = Cli.ReplayInversion.ParseLabels(cluster.InvertLabels ?? config.GetString(G + "labels"),
            cluster.InvertLabels is not null ? "--invert-labels" : G + "labels");
        var settings = new Actors.Tap.GradientInversionTapSettings(labels,
            cluster.InvertIterations ?? config.GetInt(G + "iterations"), cluster.InvertRestarts ?? config.GetInt(G + "restarts"));
        if (settings.Iterations < 1) throw new ConfigurationException($"--invert-iterations {settings.Iterations} ({G}iterations): must be at least 1.");
        if (settings.Restarts < 1) throw new ConfigurationException($"--invert-restarts {settings.Restarts} ({G}restarts): must be at least 1.");
        return settings;
    }

    private static Actors.Protocol.SplitSpec? ParseSplit(ClusterOverrides cluster, ClusterSettings settings, Config akka)
    {
        if (cluster.Split is null)
        {
            if (cluster.SplitFed is not null)
                throw new ConfigurationException("--splitfed averages the client segments of split learning: give --split CUT as well.");
            if (settings.Attack == "invert") CheckGradientInversion(cluster, settings);
            if (cluster.RecordInputs && settings.Journal == "none" && settings.Attack != "invert")
                throw new ConfigurationException(
                    "--record-inputs on a data-parallel run writes each batch's inputs to the journal's evaluation stream: give --journal sqlite (or --attack invert to score the tap's reconstructions, or --split CUT for the inversion tap).");
            if (cluster.Defense is not null || cluster.Alpha is not null || cluster.ActivationNoise is not null || cluster.NoiseKind is not null)
                throw new ConfigurationException("--defense, --alpha, --activation-noise and --noise protect split learning: give --split CUT as well.");
            return null;
        }
        var defense = (cluster.Defense ?? "none").ToLowerInvariant();
        if (defense is not ("none" or "nopeek")) throw new ConfigurationException($"--defense {cluster.Defense}: choose nopeek or none.");
        if (defense == "none" && cluster.Alpha is not null) throw new ConfigurationException("--alpha is NoPeek's weight: give --defense nopeek as well.");
        var alpha = defense == "nopeek" ? cluster.Alpha ?? 1.0 : 0;
        if (!(alpha >= 0) || !double.IsFinite(alpha)) throw new ConfigurationException($"--alpha {cluster.Alpha}: must be a finite number ≥ 0.");
        var noise = cluster.ActivationNoise ?? 0;
        if (!(noise >= 0) || !double.IsFinite(noise)) throw new ConfigurationException($"--activation-noise {cluster.ActivationNoise}: must be a finite number ≥ 0.");
        var kind = (cluster.NoiseKind ?? "laplace").ToLowerInvariant();
        if (kind is not ("laplace" or "gaussian")) throw new ConfigurationException($"--noise {cluster.NoiseKind}: choose laplace or gaussian.");
        if (settings.Attack == "invert" && settings.Train.Dataset != "fashion-mnist")
            throw new ConfigurationException($"--attack invert reconstructs images: use --dataset fashion-mnist (not {settings.Train.Dataset}).");
        if (settings.Attack == "rlg")
            throw new ConfigurationException("--attack rlg reads worker updates of data-parallel training; a split run sends activations instead. Drop --attack or --split.");
        if (settings.Mode != AggregationMode.Sync)
            throw new ConfigurationException($"--mode {settings.Mode.Name()}: split learning has its own schedule (each client's batch is one server step); drop --mode.");
        var averageEvery = cluster.SplitFed ?? Read(akka, "actortrain.split.average-every", c => c.GetInt("actortrain.split.average-every"));
        if (averageEvery < 0)
            throw new ConfigurationException(cluster.SplitFed is not null
                ? $"--splitfed {averageEvery}: give the server steps between averagings, H ≥ 1 (0 = off)."
                : $"actortrain.split.average-every = {averageEvery}: must be ≥ 0 (0 = off).");
        var averageTimeout = Read(akka, "actortrain.split.average-timeout", c => c.GetTimeSpan("actortrain.split.average-timeout"));
        if (averageTimeout <= TimeSpan.Zero) throw new ConfigurationException("actortrain.split.average-timeout must be positive.");
        return new Actors.Protocol.SplitSpec(cluster.Split, alpha, noise > 0 ? kind : "none", noise, averageEvery, averageTimeout);
    }

    /// <summary>actortrain.worker.updates, overridden by --clip-norm, --noise-multiplier, --compress, --keep-ratio, --fp16.</summary>
    private static Tensors.Compression.UpdateTransformOptions ParseTransforms(ClusterOverrides cluster, Config akka)
    {
        const string U = "actortrain.worker.updates.";
        var options = new Tensors.Compression.UpdateTransformOptions(
            cluster.ClipNorm ?? Read(akka, U + "clip-norm", c => c.GetDouble(U + "clip-norm")),
            cluster.NoiseMultiplier ?? Read(akka, U + "noise-multiplier", c => c.GetDouble(U + "noise-multiplier")),
            (cluster.Compress ?? Read(akka, U + "compression", c => c.GetString(U + "compression"))).ToLowerInvariant(),
            cluster.KeepRatio ?? Read(akka, U + "keep-ratio", c => c.GetDouble(U + "keep-ratio")),
            cluster.Fp16 || Read(akka, U + "fp16", c => c.GetBoolean(U + "fp16")));
        if (options.Problem() is { } problem)
            throw new ConfigurationException($"Worker update transforms (--clip-norm, --noise-multiplier, --compress, --keep-ratio, --fp16 or {U[..^1]}): {problem}.");
        return options;
    }

    /// <summary>actortrain.tap.inversion: the attacker's auxiliary set and decoder.</summary>
    private static Actors.Tap.InversionTapSettings ParseInversion(ActorTrainConfiguration config, TrainSettings train)
    {
        const string I = "actortrain.tap.inversion.";
        var settings = new Actors.Tap.InversionTapSettings(
            config.GetInt(I + "auxiliary-samples"),
            new Tensors.Attacks.InversionOptions(config.GetIntList(I + "decoder-hidden"), config.GetInt(I + "decoder-epochs")),
            train.DataDirectory,
            config.GetInt(I + "inputs-kept"));
        if (settings.AuxiliarySamples < 1) throw new ConfigurationException($"{I}auxiliary-samples {settings.AuxiliarySamples}: must be at least 1.");
        if (settings.DecoderOptions.Epochs < 1 || settings.DecoderOptions.HiddenWidths.Any(w => w < 1))
            throw new ConfigurationException($"{I}decoder-epochs and decoder-hidden: must be at least 1.");
        if (settings.InputsKept < 1) throw new ConfigurationException($"{I}inputs-kept {settings.InputsKept}: must be at least 1.");
        return settings;
    }

    private static CapturePolicy ParseCapture(ClusterOverrides cluster, ActorTrainConfiguration config)
    {
        try
        {
            return CapturePolicy.Parse(
                cluster.Capture ?? config.GetString("actortrain.cluster.capture.parameters"),
                cluster.CaptureEvery ?? config.GetInt("actortrain.cluster.capture.every"),
                cluster.CaptureDtype ?? config.GetString("actortrain.cluster.capture.dtype"), cluster.CaptureWeights);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
    }

    /// <summary>The journal for a run whose directory is <paramref name="runDirectory"/>.</summary>
    public (Config Config, bool Persistent, string Description) JournalFor(string runDirectory) =>
        JournalConfig.Parse(Journal, Path.Combine(runDirectory, "journal.db"));

    private static T Read<T>(Config config, string key, Func<Config, T> read)
    {
        try
        {
            return read(config);
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"Configuration key '{key}': {e.Message}. See hocon/cluster.conf for its type and default.", e);
        }
    }
}

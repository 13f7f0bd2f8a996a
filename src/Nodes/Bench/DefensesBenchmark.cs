using System.Globalization;
using ActorTrain.Actors.Hosting;
using ActorTrain.Nodes.Cli;
using ActorTrain.Nodes.Configuration;
using ActorTrain.Nodes.Reports;
using ActorTrain.Nodes.Training;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Compression;
using ActorTrain.Tensors.Defenses;

namespace ActorTrain.Nodes.Bench;

/// <summary>One defense setting measured: accuracy, bytes on the wire and what the RLG tap still revealed.</summary>
/// <param name="Part">"training" (a cluster run with the tap) or "synthetic" (single 1000-class projection updates).</param>
/// <param name="TestAccuracy">Final test accuracy (training part only).</param>
/// <param name="BytesPerStep">Update-value bytes the parameter server received per step (synthetic: per update).</param>
/// <param name="Epsilon">(ε, δ = 1e-5) per example from the RDP accountant, for clip + noise in training runs.</param>
/// <param name="Updates">Updates the tap attacked and scored.</param>
public sealed record DefenseRow(
    string Part, string Setting, double? TestAccuracy, double BytesPerStep, double DenseBytesPerStep, double CompressionRatio,
    double? Precision, double? Recall, double? ExactMatch, double? CountAccuracy, double? Epsilon, long Updates);

/// <summary>What `bench defenses` runs.</summary>
/// <param name="Steps">Training steps per setting.</param>
/// <param name="BatchSize">Global batch of the training runs (each of <paramref name="Workers"/> computes its share).</param>
/// <param name="SyntheticUpdates">1000-class updates per setting in the synthetic part.</param>
public sealed record DefensesBenchOptions(int Steps, int BatchSize, int Workers, int SyntheticUpdates, bool SkipTraining = false)
{
    /// <summary>The training part's settings: none, clip + noise (C = 1, three σ), top-k 10% / 1%, GaussianK 1%, sign, fp16, top-k 1% + fp16.</summary>
    public static IReadOnlyList<UpdateTransformOptions> TrainingSettings { get; } =
    [
        UpdateTransformOptions.None,
        new(ClipNorm: 1, NoiseMultiplier: 0.001),
        new(ClipNorm: 1, NoiseMultiplier: 0.003),
        new(ClipNorm: 1, NoiseMultiplier: 0.01),
        new(Compression: "topk", Ratio: 0.1),
        new(Compression: "topk", Ratio: 0.01),
        new(Compression: "gaussiank", Ratio: 0.01),
        new(Compression: "sign"),
        new(Half: true),
        new(Compression: "topk", Ratio: 0.01, Half: true),
    ];

    /// <summary>The synthetic part: the same compressions, and dense noise whose norm is this fraction of the update's.</summary>
    public static IReadOnlyList<double> RelativeNoise { get; } = [0.001, 0.003, 0.01, 0.05, 0.14, 0.5];
}

/// <summary>
/// Suite `defenses`: each worker-side defense measured in one run for what it costs (test accuracy, bytes per step) and
/// what it stops (the online RLG tap's precision, recall, exact match and count accuracy on the same run), on
/// Fashion-MNIST training; then the same transforms on synthetic 1000-class projection updates
/// (<see cref="SyntheticProjectionGradient"/>), where RLG is exact without a defense. The baseline is the undefended
/// setting, measured in the same run.
/// </summary>
public static class DefensesBenchmark
{
    /// <summary>Synthetic part: C = 1000 classes, d = 256 features, N = 50 samples per update.</summary>
    public const int Classes = 1000, Features = 256, Samples = 50;

    public static IReadOnlyList<DefenseRow> Run(ActorTrainConfiguration config, TrainOverrides train, DefensesBenchOptions options, TextWriter output)
    {
        var rows = new List<DefenseRow>();
        output.WriteLine(Header);
        if (!options.SkipTraining)
            foreach (var setting in DefensesBenchOptions.TrainingSettings)
            {
                var row = TrainWith(config, train, options, setting);
                rows.Add(row);
                output.WriteLine(Format(row));
            }
        foreach (var (label, transform) in SyntheticSettings())
        {
            var row = Synthetic(label, transform, options.SyntheticUpdates);
            rows.Add(row);
            output.WriteLine(Format(row));
        }
        return rows;
    }

    private static DefenseRow TrainWith(ActorTrainConfiguration config, TrainOverrides train, DefensesBenchOptions options, UpdateTransformOptions setting)
    {
        var runs = Path.Combine(Path.GetTempPath(), $"actortrain-bench-defenses-{Guid.NewGuid():N}");
        try
        {
            var settings = ClusterSettings.Resolve(config,
                train with { Dataset = train.Dataset ?? "fashion-mnist", Steps = options.Steps, BatchSize = options.BatchSize, Evaluations = 1, RunsDirectory = runs },
                new ClusterOverrides(Mode: "sync", Workers: options.Workers, LogLevel: "ERROR", Attack: "rlg", RecordLabels: true,
                    ClipNorm: setting.ClipNorm, NoiseMultiplier: setting.NoiseMultiplier, Compress: setting.Compression, KeepRatio: setting.Ratio, Fp16: setting.Half));
            var report = ClusterRun.Execute(settings, "defenses", persistent: false, new ProgressView(TextWriter.Null, false), TextWriter.Null, setup =>
                EmbeddedCluster.RunAsync(setup, settings.Workers, settings.Train.Training.Device, settings.Train.DataDirectory, settings.Cluster,
                    settings.LogLevel, CancellationToken.None, ClusterRun.ThreadsPerWorker(settings.Train, settings.Workers),
                    settings.Train.FortunesDirectory, settings.Tap, settings.UpdateTransforms));
            var updates = report.Updates!;
            var tap = report.Tap;
            return new DefenseRow("training", setting.ToString(), report.TestAccuracy, updates.BytesPerStep, updates.DenseBytesPerStep,
                updates.CompressionRatio, tap?.Precision, tap?.Recall, tap?.ExactMatch, tap?.CountAccuracy, updates.Privacy?.Epsilon, tap?.Scored ?? 0);
        }
        finally
        {
            if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
        }
    }

    /// <summary>The synthetic part's settings: a label and the transform for an update of a given norm.</summary>
    private static IEnumerable<(string Label, Func<double, UpdateTransformOptions> Transform)> SyntheticSettings()
    {
        yield return ("none", _ => UpdateTransformOptions.None);
        var length = Classes * Features + Classes;
        foreach (var r in DefensesBenchOptions.RelativeNoise)
            // Clip at the update's own norm (no clipping) and pick σ so that the noise norm σ·C·√n is r times it.
            yield return (string.Create(CultureInfo.InvariantCulture, $"noise {r:P1} of norm"), norm => new(ClipNorm: norm * (1 + 1e-6), NoiseMultiplier: r / Math.Sqrt(length)));
        foreach (var setting in DefensesBenchOptions.TrainingSettings.Where(s => s.Compression != "none" || s.Half))
            yield return (setting.ToString(), _ => setting);
    }

    private static DefenseRow Synthetic(string label, Func<double, UpdateTransformOptions> transform, int updates)
    {
        var score = new RevelationScore();
        double bytes = 0;
        var dense = 4.0 * (Classes * Features + Classes);
        for (var seed = 1; seed <= updates; seed++)
        {
            var sample = new SyntheticProjectionGradient(Classes, Features, Samples, Seed: seed).Generate();
            float[] update = [.. sample.Update, .. sample.BiasGradient];
            var options = transform(Norm(update));
            var pipeline = new UpdatePipeline(options, [Classes * Features, Classes], seed);
            var (values, encoded) = pipeline.Apply(update);
            bytes += encoded?.ByteCount ?? dense;
            var result = RlgAttack.RevealLabels(values.AsSpan(0, Classes * Features), Classes, Features, MatrixOrientation.ClassesByFeatures,
                sample.Samples, values.AsSpan(Classes * Features));
            score.Add(result.Labels, result.Counts, sample.Labels.Select(l => (long)l).ToArray());
        }
        return new DefenseRow("synthetic", label, null, bytes / updates, dense, dense / (bytes / updates),
            score.Precision, score.Recall, score.ExactMatch, Finite(score.CountAccuracy), null, score.Updates);
    }

    private static double Norm(float[] values) => Math.Sqrt(values.Sum(v => (double)v * v));

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    public const string Header = "part       setting                          accuracy  bytes/step  ×smaller  precision  recall  exact  counts  epsilon";

    public static string Format(DefenseRow r)
    {
        static string F(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "—";
        return FormattableString.Invariant(
            $"{r.Part,-10} {r.Setting,-32} {F(r.TestAccuracy, "F4"),8} {r.BytesPerStep,11:N0} {r.CompressionRatio,9:F1} {F(r.Precision, "F3"),10} {F(r.Recall, "F3"),7} {F(r.ExactMatch, "F2"),6} {F(r.CountAccuracy, "F2"),7}  {F(r.Epsilon, "G3")}");
    }
}

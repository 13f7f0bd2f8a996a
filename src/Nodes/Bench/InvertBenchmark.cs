using System.Globalization;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Nodes.Bench;

/// <summary>One inversion: a model at one stage, one batch, one label regime, scored against the batch's true images.</summary>
/// <param name="Stage"><c>init</c> (the seeded initial weights) or <c>trained</c> (after the suite's training steps).</param>
/// <param name="Regime"><c>none</c>, <c>rlg</c> or <c>true</c> (<see cref="LabelKnowledge"/>).</param>
/// <param name="LabelAccuracy">Multiset overlap of the labels the dummies carried with the true labels, / N.</param>
/// <param name="Seconds">Wall-clock time of the inversion (for rlg including the RLG attack).</param>
/// <param name="Labels">The labels the dummies carried (ascending, or the joint regime's arg-max per dummy).</param>
/// <param name="TrueLabels">The batch's true labels, ascending.</param>
/// <param name="Batch">Which of the seeded batches of this size (0-based).</param>
public sealed record InvertRow(string Model, string Stage, int BatchSize, int Batch, string Regime, double Mse, double Psnr, double Ssim,
    double LabelAccuracy, double GradientDistance, int Iterations, double Seconds, long[] Labels, long[] TrueLabels);

/// <summary>What `bench invert` runs.</summary>
/// <param name="TrainSteps">SGD steps (batch 32, η 0.05, momentum 0.9) between the init and trained stages.</param>
/// <param name="Iterations">Most inversion steps per restart (<see cref="GradientInversionOptions.Iterations"/>).</param>
/// <param name="BatchesPerSize">Seeded test batches per batch size (distinct samples); the grid shows the first.</param>
public sealed record InvertBenchOptions(
    string[] Models, int[] BatchSizes, int TrainSteps = 50, int Iterations = 300, int Restarts = 1, long Seed = 1, int BatchesPerSize = 1)
{
    public static readonly string[] DefaultModels = ["mlp", "cnn"];
    public static readonly int[] DefaultBatchSizes = [1, 2, 4, 8];
    public static readonly string[] Regimes = ["none", "rlg", "true"];
}

/// <summary>
/// Suite `invert`: gradient inversion (<see cref="GradientInversion"/>) on real Fashion-MNIST for each model, at
/// initialisation and after some training, for each batch size, under the three label regimes on the very same
/// gradient — the RLG paper's claim (Dang et al. 2021, §5) that known labels make reconstruction easier, with the
/// true labels as the upper bound and jointly optimised soft labels (DLG) as the baseline. Batches are drawn from the
/// test set with a seeded sampler; images are scored in [0, 1] after pairing each reconstruction with its true image.
/// </summary>
public static class InvertBenchmark
{
    public sealed record Outcome(IReadOnlyList<InvertRow> Rows, IReadOnlyList<Grid> Grids);

    /// <summary>For one model and stage: the true images of every batch size in a row, then each regime's paired reconstructions.</summary>
    public sealed record Grid(string Model, string Stage, float[] Truth, IReadOnlyList<(string Regime, float[] Pixels)> Regimes);

    public static Outcome Run(DatasetSplits data, InvertBenchOptions options, TextWriter output)
    {
        var unknown = options.Models.FirstOrDefault(m => m is not ("mlp" or "cnn"));
        if (unknown is not null) throw new ArgumentException($"bench invert: model '{unknown}' is not an image model; choose mlp, cnn or both.");
        if (options.BatchSizes.Length == 0 || options.BatchSizes.Any(b => b is < 1 or > 64))
            throw new ArgumentException($"bench invert: batch sizes must lie in 1..64, got [{string.Join(", ", options.BatchSizes)}].");
        if (options.BatchesPerSize < 1) throw new ArgumentException($"bench invert: --batches {options.BatchesPerSize}: must be at least 1.");
        if (options.TrainSteps < 0) throw new ArgumentException($"bench invert: training steps must be ≥ 0, got {options.TrainSteps}.");
        var inversion = new GradientInversionOptions
        {
            Iterations = options.Iterations, Restarts = options.Restarts, InputBounds = FashionMnist.NormalisedPixelRange, Seed = options.Seed,
        };
        output.WriteLine(FormattableString.Invariant(
            $"Fashion-MNIST test batches; {options.Iterations} inversion steps × {options.Restarts} restart(s), cosine distance, TV 1e-4; 'trained' = {options.TrainSteps} SGD steps"));
        output.WriteLine("model  stage    batch  #  labels     MSE    PSNR    SSIM  label acc  distance  steps  seconds");
        var rows = new List<InvertRow>();
        var grids = new List<Grid>();
        var batches = Batches(data.Test, options);
        foreach (var kind in options.Models)
        {
            using var model = new ModelSpec(kind, data.Train.SampleShape, data.Train.ClassCount, ModelSpec.DefaultHiddenWidths).Build(options.Seed);
            foreach (var stage in new[] { "init", "trained" })
            {
                if (stage == "trained") Train(model, data.Train, options);
                var truth = new List<float>();
                var regimes = InvertBenchOptions.Regimes.ToDictionary(r => r, _ => new List<float>());
                foreach (var (index, inputs, labels) in batches)
                {
                    using var gradient = GradientStep.Compute(model, inputs, labels);
                    var trueLabels = labels.data<long>().ToArray();
                    using var images = FashionMnist.ToUnitRange(inputs);
                    if (index == 0) truth.AddRange(images.data<float>().ToArray());
                    foreach (var regime in InvertBenchOptions.Regimes)
                    {
                        var (row, pixels) = Invert(model, gradient, images, trueLabels, regime, inversion);
                        rows.Add(row with { Model = kind, Stage = stage, Batch = index });
                        if (index == 0) regimes[regime].AddRange(pixels);
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{kind,-5}  {stage,-7}  {row.BatchSize,5}  {index,1}  {regime,-6}  {row.Mse,6:F4}  {row.Psnr,6:F2}  {row.Ssim,6:F3}  {row.LabelAccuracy,9:F2}  {row.GradientDistance,8:G3}  {row.Iterations,5}  {row.Seconds,7:F2}"));
                    }
                }
                grids.Add(new Grid(kind, stage, truth.ToArray(), regimes.Select(r => (r.Key, r.Value.ToArray())).ToArray()));
            }
        }
        foreach (var (_, inputs, labels) in batches)
        {
            inputs.Dispose();
            labels.Dispose();
        }
        return new Outcome(rows, grids);
    }

    /// <summary>Mean PSNR, SSIM and label accuracy per regime over every model, stage and batch size.</summary>
    public static IReadOnlyList<(string Regime, double Psnr, double Ssim, double LabelAccuracy, double Seconds)> Means(IReadOnlyList<InvertRow> rows) =>
        InvertBenchOptions.Regimes.Select(r => rows.Where(x => x.Regime == r).ToArray())
            .Where(g => g.Length > 0)
            .Select(g => (g[0].Regime, g.Average(x => x.Psnr), g.Average(x => x.Ssim), g.Average(x => x.LabelAccuracy), g.Average(x => x.Seconds)))
            .ToArray();

    private static (InvertRow Row, float[] Pixels) Invert(LayeredModel model, BatchGradients gradient, Tensor images, long[] trueLabels,
        string regime, GradientInversionOptions options)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var n = trueLabels.Length;
        var labels = regime switch
        {
            "true" => trueLabels,
            "rlg" => GradientInversion.RevealLabels(model, gradient.Gradients, n),
            _ => null,
        };
        using var result = GradientInversion.Invert(model, gradient.Gradients, n, images.shape[1..], labels, options);
        using var reconstructions = FashionMnist.ToUnitRange(result.Inputs);
        var score = GradientInversionScoring.Score(reconstructions, images, result.Labels, trueLabels);
        using var paired = GradientInversionScoring.Paired(reconstructions, images);
        var row = new InvertRow("", "", n, 0, regime, score.Image.Mse, score.Image.Psnr, score.Image.Ssim, score.LabelAccuracy,
            result.Distance, result.Iterations, clock.Elapsed.TotalSeconds, result.Labels, trueLabels.Order().ToArray());
        return (row, paired.contiguous().data<float>().ToArray());
    }

    /// <summary><see cref="InvertBenchOptions.BatchesPerSize"/> seeded test batches per batch size, drawn without overlap.</summary>
    private static (int Index, Tensor Inputs, Tensor Labels)[] Batches(LabeledDataset test, InvertBenchOptions options)
    {
        var order = new BatchSampler(Enumerable.Range(0, test.Count).ToArray(), options.BatchSizes.Sum() * options.BatchesPerSize, (ulong)options.Seed)
            .Epoch(0).First();
        var start = 0;
        return options.BatchSizes.SelectMany(size => Enumerable.Range(0, options.BatchesPerSize).Select(index =>
        {
            using var rows = tensor(order[start..(start += size)].Select(i => (long)i).ToArray());
            return (index, test.Inputs.index_select(0, rows), test.Labels.index_select(0, rows));
        })).ToArray();
    }

    private static void Train(LayeredModel model, LabeledDataset train, InvertBenchOptions options)
    {
        var optimizer = new SgdOptimizer(0.05);
        var parameters = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        var sampler = new BatchSampler(Enumerable.Range(0, train.Count).ToArray(), 32, (ulong)options.Seed);
        foreach (var batch in sampler.Forever().Take(options.TrainSteps))
        {
            using var scope = NewDisposeScope();
            var rows = tensor(batch.Select(i => (long)i).ToArray());
            using var gradient = GradientStep.Compute(model, train.Inputs.index_select(0, rows), train.Labels.index_select(0, rows));
            optimizer.Step(parameters, gradient.Gradients);
        }
    }
}

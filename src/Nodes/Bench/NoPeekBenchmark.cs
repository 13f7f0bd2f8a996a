using System.Diagnostics;
using System.Globalization;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Defenses;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Split;
using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Nodes.Bench;

/// <summary>One NoPeek setting of the trade-off: what the defended run kept (accuracy) and what it gave away.</summary>
/// <param name="Noise">Laplace scale added to Z (0: none).</param>
/// <param name="Dcor">dCor(X, Z) on test batches of 128 (V-statistic, Euclidean distances), Z as sent (with noise).</param>
/// <param name="DcorUnbiased">The bias-corrected dCor² (Székely and Rizzo 2014) on the same batches.</param>
/// <param name="InversionSsim">SSIM of the attacker's reconstructions of held-out test images.</param>
/// <param name="StepMilliseconds">Mean client + server step time during training.</param>
public sealed record NoPeekRow(
    double Alpha, double Noise, double TestAccuracy, double Dcor, double DcorSquared, double DcorUnbiased,
    double InversionMse, double InversionPsnr, double InversionSsim, double StepMilliseconds);

/// <summary>NoPeek's step against the plain split step at one batch size, timed in alternating blocks.</summary>
public sealed record NoPeekCost(int BatchSize, double PlainMilliseconds, double NoPeekMilliseconds, double Ratio);

/// <summary>What `bench nopeek` trains and how the attacker is set up.</summary>
/// <param name="AuxiliarySamples">The attacker's (activation, image) pairs: the last this-many training images, which the
/// client does not train on; the attack is scored on test images.</param>
public sealed record NoPeekBenchOptions(
    double[] Alphas, double[] Noises, int Steps = 600, int BatchSize = 64, string Cut = "act1", int AuxiliarySamples = 5000,
    int HeldOut = 1000, int DecoderEpochs = 10, long Seed = 1, int CostSteps = 40, int CostRounds = 3);

/// <summary>
/// Suite `nopeek`: split learning on Fashion-MNIST (MLP [256, 128], cut after the first hidden layer) for each α of
/// NoPeek and each noise scale: test accuracy, dCor(X, Z) in three forms, an inversion attacker's MSE / PSNR / SSIM,
/// step time; and NoPeek's cost against the plain split step at batch 64 and 128. The client, server and dCor code
/// are the ones `run --split` uses (SplitClient, SplitServer, NoPeekGradient), driven in one thread.
/// </summary>
public static class NoPeekBenchmark
{
    public sealed record Outcome(IReadOnlyList<NoPeekRow> Rows, IReadOnlyList<NoPeekCost> Cost, InversionScore MeanImageBaseline,
        IReadOnlyList<(NoPeekRow Row, float[] Reconstructions)> Samples, float[] Originals);

    public const int ShownImages = 8;

    public static Outcome Run(DatasetSplits data, NoPeekBenchOptions options, TextWriter output)
    {
        var train = data.Train.Count - options.AuxiliarySamples;
        if (train < options.BatchSize) throw new ArgumentException($"bench nopeek: {data.Train.Count} training samples leave too few after {options.AuxiliarySamples} for the attacker.");
        using var auxInputs = data.Train.Inputs.narrow(0, train, options.AuxiliarySamples);
        using var heldOut = data.Test.Inputs.narrow(0, 0, options.HeldOut);
        using var auxImages = FashionMnist.ToUnitRange(auxInputs);
        using var heldOutImages = FashionMnist.ToUnitRange(heldOut);
        var baseline = InversionAttack.MeanImageBaseline(auxImages, heldOutImages);
        output.WriteLine(FormattableString.Invariant(
            $"attacker: {options.AuxiliarySamples} training images with their activations; scored on {options.HeldOut} test images (mean-image baseline SSIM {baseline.Ssim:F3}, MSE {baseline.Mse:F4})"));
        output.WriteLine("   alpha  noise  accuracy    dCor   dCor²  dCor²(unbiased)  inv.MSE  inv.PSNR  inv.SSIM  step ms");
        var rows = new List<NoPeekRow>();
        var samples = new List<(NoPeekRow, float[])>();
        foreach (var noise in options.Noises)
            foreach (var alpha in options.Alphas)
            {
                var (row, reconstructions) = Measure(data, options, train, alpha, noise, auxInputs, auxImages, heldOut, heldOutImages);
                rows.Add(row);
                samples.Add((row, reconstructions));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{row.Alpha,8:G3} {row.Noise,6:G3} {row.TestAccuracy,9:F4} {row.Dcor,7:F3} {row.DcorSquared,7:F3} {row.DcorUnbiased,16:F3} {row.InversionMse,8:F4} {row.InversionPsnr,9:F2} {row.InversionSsim,9:F3} {row.StepMilliseconds,8:F2}"));
            }
        var cost = MeasureCost(data, options, output);
        var originals = heldOutImages.narrow(0, 0, ShownImages).contiguous().data<float>().ToArray();
        return new Outcome(rows, cost, baseline, samples, originals);
    }

    /// <summary>NoPeek's step against the plain split step at batch 64 and 128, the part of the suite `--cost-only` runs.</summary>
    public static IReadOnlyList<NoPeekCost> MeasureCost(DatasetSplits data, NoPeekBenchOptions options, TextWriter output)
    {
        var train = data.Train.Count - options.AuxiliarySamples;
        return new[] { 64, 128 }.Select(n => Cost(data, options, train, n, output)).ToArray();
    }

    private static (NoPeekRow Row, float[] Reconstructions) Measure(DatasetSplits data, NoPeekBenchOptions options, int train, double alpha, double noise,
        Tensor auxInputs, Tensor auxImages, Tensor heldOut, Tensor heldOutImages)
    {
        var sample = data.Train.SampleShape;
        using var client = new SplitClient(Model(sample, options.Seed), options.Cut, data.Train, CPU, new SgdOptimizer(0.05, 0.9), (ulong)options.Seed);
        using var server = new SplitServer(Model(sample, options.Seed), options.Cut, sample, new SgdOptimizer(0.05, 0.9));
        client.Assign(Enumerable.Range(0, train).ToArray(), options.BatchSize);
        var random = new Random((int)options.Seed);
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < options.Steps; step++) Step(client, server, alpha, noise, random);
        var stepMilliseconds = clock.Elapsed.TotalMilliseconds / options.Steps;

        // Deployment path: the server classifies what clients send, noise included.
        var testActivations = Noised(client.Encode(data.Test.Inputs), noise, random);
        var accuracy = server.Accuracy(testActivations, data.Test.Labels.data<long>().ToArray());
        var dcor = TestDcor(data.Test.Inputs, testActivations, server.ActivationWidth);

        var auxActivations = Noised(client.Encode(auxInputs), noise, random);
        var heldOutActivations = Noised(client.Encode(heldOut), noise, random);
        using var auxZ = tensor(auxActivations, [auxInputs.shape[0], server.ActivationWidth]);
        using var heldOutZ = tensor(heldOutActivations, [heldOut.shape[0], server.ActivationWidth]);
        using var decoder = InversionAttack.Train(auxZ, auxImages, new InversionOptions([1024], options.DecoderEpochs, Seed: options.Seed));
        var result = InversionAttack.Evaluate(decoder, heldOutZ, heldOutImages);
        var reconstructions = result.Reconstructions.narrow(0, 0, ShownImages).contiguous().data<float>().ToArray();
        result.Reconstructions.Dispose();
        return (new NoPeekRow(alpha, noise, accuracy, dcor.Dcor, dcor.DcorSquared, dcor.DcorUnbiased,
            result.Score.Mse, result.Score.Psnr, result.Score.Ssim, stepMilliseconds), reconstructions);
    }

    private static void Step(SplitClient client, SplitServer server, double alpha, double noise, Random random)
    {
        var batch = client.Forward();
        var sent = Noised(batch.Activations, noise, random);
        var answer = server.Step(sent, batch.Labels);
        var gradient = answer.ActivationGradient;
        if (alpha > 0)
        {
            var (defense, _) = NoPeekGradient.Compute(batch.Inputs, batch.InputWidth, batch.Activations, batch.ActivationWidth, alpha);
            for (var i = 0; i < gradient.Length; i++) gradient[i] += defense[i];
        }
        client.Backward(gradient);
    }

    /// <summary>The mean of each statistic over batches of 128 test samples.</summary>
    private static DistanceCorrelationResult TestDcor(Tensor inputs, float[] activations, int width)
    {
        const int n = 128;
        var batches = Math.Min(10, (int)inputs.shape[0] / n);
        double d = 0, d2 = 0, u = 0;
        for (var b = 0; b < batches; b++)
        {
            using var x = inputs.narrow(0, b * n, n);
            using var z = tensor(activations.AsSpan(b * n * width, n * width).ToArray(), [n, width]);
            var r = DistanceCorrelation.Measure(x, z);
            (d, d2, u) = (d + r.Dcor, d2 + r.DcorSquared, u + r.DcorUnbiased);
        }
        return new DistanceCorrelationResult(d / batches, d2 / batches, u / batches, n);
    }

    private static NoPeekCost Cost(DatasetSplits data, NoPeekBenchOptions options, int train, int batchSize, TextWriter output)
    {
        var sample = data.Train.SampleShape;
        using var plainClient = new SplitClient(Model(sample, options.Seed), options.Cut, data.Train, CPU, new SgdOptimizer(0.05, 0.9), (ulong)options.Seed);
        using var plainServer = new SplitServer(Model(sample, options.Seed), options.Cut, sample, new SgdOptimizer(0.05, 0.9));
        using var defendedClient = new SplitClient(Model(sample, options.Seed), options.Cut, data.Train, CPU, new SgdOptimizer(0.05, 0.9), (ulong)options.Seed);
        using var defendedServer = new SplitServer(Model(sample, options.Seed), options.Cut, sample, new SgdOptimizer(0.05, 0.9));
        var shard = Enumerable.Range(0, train).ToArray();
        plainClient.Assign(shard, batchSize);
        defendedClient.Assign(shard, batchSize);
        var random = new Random(1);
        for (var i = 0; i < 5; i++)
        {
            Step(plainClient, plainServer, 0, 0, random); // warm-up
            Step(defendedClient, defendedServer, 1, 0, random);
        }
        var plain = new List<double>();
        var defended = new List<double>();
        for (var round = 0; round < options.CostRounds; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < options.CostSteps; i++) Step(plainClient, plainServer, 0, 0, random);
            plain.Add(clock.Elapsed.TotalMilliseconds / options.CostSteps);
            clock.Restart();
            for (var i = 0; i < options.CostSteps; i++) Step(defendedClient, defendedServer, 1, 0, random);
            defended.Add(clock.Elapsed.TotalMilliseconds / options.CostSteps);
        }
        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var cost = new NoPeekCost(batchSize, Median(plain), Median(defended), Median(defended) / Median(plain));
        output.WriteLine(FormattableString.Invariant(
            $"cost at batch {batchSize}: plain split step {cost.PlainMilliseconds:F2} ms, with NoPeek {cost.NoPeekMilliseconds:F2} ms, ratio {cost.Ratio:F3}"));
        return cost;
    }

    private static float[] Noised(float[] activations, double scale, Random random) =>
        ActivationNoise.Apply(activations, scale > 0 ? "laplace" : "none", scale, random);

    private static LayeredModel Model(long[] sample, long seed) => new ModelSpec("mlp", sample, 10, [256, 128]).Build(seed);
}

using System.Diagnostics;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Split;
using ActorTrain.Tensors.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Attacks;

/// <summary>
/// The inversion tap's pipeline on real Fashion-MNIST activations: a split client trained 300 steps at act1 (MLP
/// 256, 128), its weights handed to the attacker, whose auxiliary set is the last 2,000 training images; the attacked
/// batches are 8 batches of 32 training images from 20,000 on (disjoint from the auxiliary set), as the client sends them.
/// </summary>
public sealed class ClientSegmentInversionTests
{
    private readonly ITestOutputHelper _output;

    public ClientSegmentInversionTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Train_OnATrainedClientsWeights_ReconstructsItsBatchesBetterThanTheMeanImage()
    {
        using var data = FashionMnist.Load(FashionMnist.ResolveDirectory(null, null));
        var spec = new ModelSpec("mlp", data.Train.SampleShape, 10, [256, 128]);
        using var client = new SplitClient(spec.Build(11), "act1", data.Train, CPU, new SgdOptimizer(0.05, 0.9), 11);
        using var server = new SplitServer(spec.Build(11), "act1", data.Train.SampleShape, new SgdOptimizer(0.05, 0.9));
        client.Assign(Enumerable.Range(0, 20_000).ToArray(), 64);
        for (var step = 0; step < 300; step++)
        {
            var batch = client.Forward();
            client.Backward(server.Step(batch.Activations, batch.Labels).ActivationGradient);
        }
        var n = data.Train.Count;
        using var attacker = new ClientSegmentInversion(spec.Build(99), "act1", data.Train.Inputs[(n - 2000)..].clone(),
            FashionMnist.ToUnitRange(data.Train.Inputs[(n - 2000)..]));

        var clock = Stopwatch.StartNew();
        using var decoder = attacker.Train(client.Weights(), new InversionOptions([1024], Epochs: 5, Seed: 3));
        var trainSeconds = clock.Elapsed.TotalSeconds;
        var tally = new InversionTally();
        for (var b = 0; b < 8; b++)
        {
            using var inputs = data.Train.Inputs[(20_000 + 32 * b)..(20_032 + 32 * b)];
            var sent = client.Encode(inputs);
            using var z = tensor(sent, [32, sent.Length / 32]); // what the client sends (no noise in this run)
            using var reconstructions = decoder.Reconstruct(z);
            using var images = FashionMnist.ToUnitRange(inputs);
            var (score, baseline) = attacker.Score(reconstructions, images);
            tally.Add(score, baseline, 32);
        }

        _output.WriteLine($"decoder trained in {trainSeconds:F1} s; attack {tally.Attack}; mean image {tally.Baseline}");
        // Measured: SSIM 0.580 against the mean image's 0.136 (margin 0.445; MSE 0.018 vs 0.083); assert a third of that margin.
        Assert.True(tally.Attack.Ssim > tally.Baseline.Ssim + 0.15, $"attack {tally.Attack} vs mean image {tally.Baseline}");
        Assert.True(tally.Attack.Mse < tally.Baseline.Mse / 2, $"attack {tally.Attack} vs mean image {tally.Baseline}");
        Assert.Equal(256, tally.Samples);
    }

    [Fact]
    public void InversionTally_PoolsBySamples_AgainstTheTextbookFormulas()
    {
        var tally = new InversionTally();
        tally.Add(new InversionScore(0.01, 20, 0.5), new InversionScore(0.1, 10, 0.1), 1);
        tally.Add(new InversionScore(0.04, 14, 0.8), new InversionScore(0.1, 10, 0.2), 3);

        // Pooled MSE (0.01 + 3·0.04) / 4 = 0.0325; PSNR 10·log10(1/0.0325); SSIM (0.5 + 3·0.8) / 4 = 0.725.
        Assert.Equal(0.0325, tally.Attack.Mse, 1e-12);
        Assert.Equal(14.8811, tally.Attack.Psnr, 1e-4);
        Assert.Equal(0.725, tally.Attack.Ssim, 1e-12);
        Assert.Equal(0.175, tally.Baseline.Ssim, 1e-12);
        Assert.Equal((2, 4), (tally.Batches, tally.Samples));
        Assert.True(double.IsNaN(new InversionTally().Attack.Ssim));
    }
}

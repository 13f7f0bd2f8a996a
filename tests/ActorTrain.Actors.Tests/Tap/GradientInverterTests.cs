using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Tap;
using ActorTrain.Actors.UpdateStream;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using Akka.TestKit.Xunit2;
using static TorchSharp.torch;

namespace ActorTrain.Actors.Tests.Tap;

/// <summary>
/// The tap's online gradient inversion on updates a small Fashion-MNIST-shaped MLP computes from a generated image (no
/// dataset needed): the worker's weights differ from the model's seeded initial ones, so only an inverter that loads the
/// weights sent with the update can match its gradient.
/// </summary>
public sealed class GradientInverterTests : TestKit, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly string _runs = Directory.CreateTempSubdirectory("actortrain-invert-").FullName;
    private readonly RunSpec _spec = TestSpecs.Spec() with { Dataset = "fashion-mnist", Hidden = [64], RecordLabels = true, RecordInputs = true };

    public GradientInverterTests() : base(TestSpecs.Cluster())
    {
    }

    void IDisposable.Dispose() => Directory.Delete(_runs, recursive: true);

    /// <summary>A bright ellipse with a darker band on black, normalised as Fashion-MNIST's pixels are.</summary>
    private static float[] Image()
    {
        var pixels = new float[28 * 28];
        for (var y = 0; y < 28; y++)
            for (var x = 0; x < 28; x++)
            {
                var (dx, dy) = ((x - 13.5) / 8, (y - 13.5) / 11);
                var unit = dx * dx + dy * dy <= 1 ? (y is > 10 and < 15 ? 0.4 : 0.9) : 0.0;
                pixels[y * 28 + x] = (float)((unit - 0.2860) / 0.3530);
            }
        return pixels;
    }

    /// <summary>What a worker sends for one image of <paramref name="label"/>: its mean gradient, with the weights it used.</summary>
    private WorkerUpdate Update(float[] image, long label)
    {
        using var worker = new ModelSpec(_spec.Model, [1, 28, 28], FashionMnist.ClassCount, _spec.Hidden).Build(seed: 99); // not the run's seed
        var layout = ParameterLayout.Of(worker);
        var weights = layout.Flatten(worker.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
        using var inputs = tensor(image, [1, 1, 28, 28]);
        using var labels = tensor(new[] { label });
        using var gradients = GradientStep.Compute(worker, inputs, labels);
        return new WorkerUpdate(_spec.RunId, 4, "w0", 1, gradients.Loss, UpdateKind.Gradient, TensorSet.FromLayout(layout, layout.Flatten(gradients.Gradients)),
            [label], Inputs: image, Weights: weights);
    }

    private TapReport Report(Akka.Actor.IActorRef inverter)
    {
        inverter.Tell(GetTapReport.Instance, TestActor);
        return ExpectMsg<TapReport>(Wait);
    }

    [Fact]
    public void BatchOfOne_TrueLabels_ReconstructsTheImage_LogsAndScoresIt()
    {
        var settings = new TapSettings(RunsDirectory: _runs) { Attack = "invert", Gradients = new GradientInversionTapSettings(LabelKnowledge.True, Iterations: 300) };
        var inverter = Sys.ActorOf(GradientInverter.Props(_spec, settings, publish: false));

        inverter.Tell(Update(Image(), label: 3), TestActor);
        ExpectMsg<ConsumerReady>(Wait);

        var report = Report(inverter);
        var inversion = report.Gradients!;
        Assert.Equal((1L, 0L, 1L, 1L), (report.UpdatesAttacked, report.Failed, inversion.Scored, inversion.LabelsScored));
        Assert.Equal(1.0, inversion.LabelAccuracy);
        // Seeded (inversion seed 1, worker seed 99): measured 27.1 and 32.4 dB (SSIM 0.96, 0.99; torch's global generator is
        // shared with tests running beside it). 20 dB is a recognisable image; a blank
        // one scores 6.3 dB against this one.
        Assert.True(inversion.Psnr >= 20, $"PSNR {inversion.Psnr:F2} dB, SSIM {inversion.Ssim:F3}");
        Assert.Equal(10 * Math.Log10(1 / inversion.Mse), inversion.Psnr, 1e-6);
        var line = JsonLinesLog<UpdateInverted>.ReadAll(Path.Combine(_runs, _spec.RunId, TapSettings.InversionLogFileName)).Single();
        Assert.Equal((4L, "w0", 1), (line.Version, line.WorkerId, line.BatchSize));
        Assert.Equal(new long[] { 3 }, line.Labels);
        Assert.Equal(inversion.Psnr, line.Psnr!.Value, 9);
    }

    [Fact]
    public void UpdatesWithoutWeightsOrUnreadable_AreCountedAndSkipped_AndTheInverterGoesOn()
    {
        var settings = new TapSettings { Attack = "invert", Gradients = new GradientInversionTapSettings(LabelKnowledge.Rlg, Iterations: 5) };
        var inverter = Sys.ActorOf(GradientInverter.Props(_spec, settings, publish: false));
        var update = Update(Image(), label: 7);

        inverter.Tell(update with { Weights = null }, TestActor);
        ExpectMsg<ConsumerReady>(Wait);
        inverter.Tell(update with { Weights = update.Weights![..^1] }, TestActor); // one value short of the model
        ExpectMsg<ConsumerReady>(Wait);
        inverter.Tell(update with { Inputs = null }, TestActor);
        ExpectMsg<ConsumerReady>(Wait);

        var report = Report(inverter);
        Assert.Equal((1L, 2L, 1L), (report.UpdatesAttacked, report.Failed, report.Gradients!.WithoutWeights));
        Assert.Equal(0, report.Gradients.Scored); // the inverted update carried no inputs to score against
        Assert.Equal(1.0, report.Gradients.LabelAccuracy); // RLG is exact on a batch of one
    }

    [Fact]
    public void LocalSgdRun_IsRefused_EveryUpdateCountedAsFailed()
    {
        var inverter = Sys.ActorOf(GradientInverter.Props(_spec with { Mode = "local-sgd" }, new TapSettings { Attack = "invert" }, publish: false));

        inverter.Tell(Update(Image(), label: 1), TestActor);
        ExpectMsg<ConsumerReady>(Wait);

        var report = Report(inverter);
        Assert.Equal((0L, 1L), (report.UpdatesAttacked, report.Failed));
    }
}

using System.Text.Json;
using ActorTrain.Actors.Tap;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// `run --split act1 --attack invert`: the inversion tap beside an embedded split cluster on Fashion-MNIST (Debian
/// package dataset-fashion-mnist), scored against the inputs the clients record for it (--record-inputs).
/// </summary>
public sealed class InversionTapCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private CliRun Run(int steps, int evaluations, params string[] extra) => RunAs("inverted", steps, evaluations, extra);

    private CliRun RunAs(string runId, int steps, int evaluations, params string[] extra)
    {
        // A smaller attacker than the default (1,000 auxiliary images, 3 epochs) keeps the test short on 2 cores.
        var config = _temp.File("tap.conf");
        File.WriteAllText(config, "actortrain.tap.inversion { auxiliary-samples = 1000, decoder-epochs = 3 }");
        return CliRun.Of(["--config", config, "run", "--split", "act1", "--attack", "invert", "--steps", $"{steps}", "--evaluations", $"{evaluations}",
            "--batch-size", "64", "--run-id", runId, "--runs-dir", _temp.File("runs"), "--json", _temp.File($"{runId}.json"), .. extra]);
    }

    private JsonElement Inversion(string runId = "inverted") =>
        JsonDocument.Parse(File.ReadAllText(_temp.File($"{runId}.json"))).RootElement.GetProperty("inversion");

    [Fact]
    public void Run_AttackInvertWithRecordedInputs_BeatsTheMeanImage_AndNoPeekLowersItsSsim()
    {
        var run = Run(200, 10, "--record-inputs");

        Assert.True(run.ExitCode == 0, run.Error);
        var inversion = Inversion();
        long Count(string name) => inversion.GetProperty(name).GetInt64();
        double Score(string name) => inversion.GetProperty(name).GetDouble();
        Assert.InRange(Count("batches_seen"), 1, 200); // one batch per split step, from the moment the tap subscribed
        Assert.Equal(Count("batches_seen"), Count("batches_attacked") + Count("unattacked") + Count("dropped"));
        Assert.True(Count("batches_attacked") >= 10, inversion.ToString());
        Assert.InRange(Count("weights_seen"), 1, 11); // at most one snapshot per evaluation point, and the final one
        Assert.InRange(Count("decoder_trainings"), 1, Count("weights_seen"));
        Assert.Equal(1000, Count("auxiliary_samples"));
        Assert.InRange(Count("scored"), 1, Count("batches_attacked"));
        // Measured (200 steps, 2 clients, 4 runs): SSIM 0.37–0.42 against the mean image's 0.13; assert a third of the smaller margin.
        Assert.True(Score("ssim") > Score("baseline_ssim") + 0.08, inversion.ToString());
        Assert.Equal(10 * Math.Log10(1 / Score("mse")), Score("psnr"), 1e-9);
        var log = JsonLinesLog<Actors.Protocol.BatchInverted>.ReadAll(_temp.File($"runs/inverted/{TapSettings.InversionLogFileName}"));
        Assert.Equal(Count("batches_attacked"), log.Count);
        Assert.Equal(Count("scored"), log.Count(b => b.Score is not null));
        Assert.All(log, b => Assert.Equal(32, b.Samples));
        Assert.Contains("inversion tap:", run.Output);

        var defended = RunAs("nopeek", 200, 10, "--record-inputs", "--defense", "nopeek", "--alpha", "5");

        Assert.True(defended.ExitCode == 0, defended.Error);
        var nopeek = Inversion("nopeek");
        // Measured: α = 5 takes SSIM from 0.39–0.42 to 0.26–0.27 (−0.13); assert a third of that.
        Assert.True(nopeek.GetProperty("ssim").GetDouble() < Score("ssim") - 0.04, $"α = 0: {inversion}; α = 5: {nopeek}");
    }

    [Fact]
    public void Run_AttackInvertWithoutRecordedInputs_AttacksButLeavesScoresOut()
    {
        var run = Run(60, 3);

        Assert.True(run.ExitCode == 0, run.Error);
        var inversion = Inversion();
        Assert.True(inversion.GetProperty("batches_attacked").GetInt64() >= 1, inversion.ToString());
        Assert.Equal(0, inversion.GetProperty("scored").GetInt64());
        Assert.False(inversion.TryGetProperty("ssim", out _));
        Assert.False(inversion.TryGetProperty("baseline_ssim", out _));
        Assert.All(JsonLinesLog<Actors.Protocol.BatchInverted>.ReadAll(_temp.File($"runs/inverted/{TapSettings.InversionLogFileName}")), b => Assert.Null(b.Score));
        Assert.Contains("no recorded inputs to score against (--record-inputs)", run.Output);
    }

    [Theory]
    [InlineData(new[] { "run", "--record-inputs" }, "give --journal sqlite (or --attack invert to score the tap's reconstructions, or --split CUT for the inversion tap)")]
    [InlineData(new[] { "run", "--split", "act1", "--attack", "invert", "--dataset", "synthetic" }, "use --dataset fashion-mnist")]
    public void Run_BadInversionOptions_ExitTwoNamingTheProblem(string[] options, string expected)
    {
        var run = CliRun.Of([.. options, "--steps", "1", "--runs-dir", _temp.File("runs")]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error);
        Assert.False(Directory.Exists(_temp.File("runs")));
    }
}

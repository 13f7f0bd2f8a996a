using System.Text.Json;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Tap;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// `run --attack invert` on a data-parallel run: the tap inverts worker updates online, with the weights the parameter
/// server sends beside each, scored against the recorded labels and inputs. Fashion-MNIST (Debian package
/// dataset-fashion-mnist, which .ci/run installs), tiny batches and few inversion steps keep it short.
/// </summary>
public sealed class GradientInversionTapCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private CliRun Run(string runId, params string[] extra) =>
        CliRun.Of(["run", "--dataset", "fashion-mnist", "--workers", "2", "--batch-size", "2", "--evaluations", "1", "--attack", "invert",
            "--run-id", runId, "--runs-dir", _temp.File("runs"), "--json", _temp.File($"{runId}.json"), .. extra]);

    [Fact]
    public void Run_AttackInvertWithRecordedTruth_InvertsUpdatesOnline_ScoresAndLogsThem()
    {
        var run = Run("online", "--steps", "8", "--record-inputs", "--record-labels", "--invert-iterations", "40");

        Assert.True(run.ExitCode == 0, run.Error);
        var inversion = JsonDocument.Parse(File.ReadAllText(_temp.File("online.json"))).RootElement.GetProperty("inversion");
        long Count(string name) => inversion.GetProperty(name).GetInt64();
        Assert.Equal("gradient inversion", inversion.GetProperty("attack").GetString());
        Assert.Equal("rlg", inversion.GetProperty("labels").GetString());
        Assert.Equal(40, inversion.GetProperty("iterations").GetInt32());
        Assert.InRange(Count("updates_seen"), 1, 16); // 8 steps × 2 workers, from the moment the tap subscribed
        Assert.Equal(Count("updates_seen"), Count("updates_inverted") + Count("dropped") + Count("failed"));
        Assert.True(Count("updates_inverted") > 0, inversion.ToString());
        Assert.Equal(0, Count("without_weights"));
        Assert.Equal(0, Count("failed"));
        Assert.Equal(Count("updates_inverted"), Count("scored"));
        Assert.Equal(Count("updates_inverted"), Count("labels_scored"));
        // One sample per worker: RLG reveals its label exactly, so the labels the reconstruction carries are right.
        Assert.Equal(1.0, inversion.GetProperty("label_accuracy").GetDouble());
        var log = JsonLinesLog<UpdateInverted>.ReadAll(_temp.File($"runs/online/{TapSettings.InversionLogFileName}"));
        Assert.Equal(Count("updates_inverted"), log.Count);
        Assert.Equal(log.Average(u => u.Psnr!.Value), inversion.GetProperty("psnr").GetDouble(), 1e-9);
        Assert.Equal(log.Average(u => u.Ssim!.Value), inversion.GetProperty("ssim").GetDouble(), 1e-9);
        Assert.All(log, u => Assert.Equal((1, 40), (u.BatchSize, u.Iterations)));
        Assert.All(log, u => Assert.NotNull(u.Psnr));
        Assert.Contains("inversion tap (gradients, labels rlg, 40 steps × 1)", run.Output);
    }

    [Fact]
    public void Run_AsyncRecordedWithWeights_ReplayFindsTheWeightsOfEveryCapturedUpdate_SupersededVersionsIncluded()
    {
        var journal = $"sqlite:{_temp.File("async.db")}";
        var record = CliRun.Of("run", "--dataset", "fashion-mnist", "--mode", "async", "--workers", "2", "--batch-size", "2", "--steps", "10",
            "--evaluations", "1", "--journal", journal, "--capture", "all", "--capture-weights", "--run-id", "async", "--runs-dir", _temp.File("runs"));
        Assert.True(record.ExitCode == 0, record.Error);
        var json = _temp.File("replay.json");

        var replay = CliRun.Of("replay", "--journal", journal, "--run", "async", "--attack", "invert", "--labels", "none", "--iterations", "1",
            "--max-updates", "100", "--json", json);

        Assert.True(replay.ExitCode == 0, replay.Error);
        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        var versions = root.GetProperty("updates").EnumerateArray().Select(u => u.GetProperty("version").GetInt64()).ToArray();
        Assert.Equal(0, root.GetProperty("without_weights").GetInt64());
        Assert.Equal(root.GetProperty("captured").GetInt64(), versions.Length);
        // Two async workers take turns: from the second update on, each arrives after the other's moved the version on.
        Assert.True(versions.Length >= 10, string.Join(",", versions));
    }

    [Theory]
    [InlineData(new[] { "--mode", "local-sgd" }, "local-sgd workers send weight deltas over several local steps: use --mode sync or async")]
    [InlineData(new[] { "--invert-labels", "true" }, "--invert-labels true grants the attacker each batch's recorded labels: add --record-labels")]
    [InlineData(new[] { "--invert-labels", "some" }, "--invert-labels some: choose none, rlg or true")]
    [InlineData(new[] { "--invert-iterations", "0" }, "--invert-iterations 0 (actortrain.tap.inversion.updates.iterations): must be at least 1")]
    [InlineData(new[] { "--dataset", "synthetic" }, "--attack invert reconstructs images: use --dataset fashion-mnist")]
    [InlineData(new[] { "--model", "wordmlp", "--dataset", "fortunes" }, "use --dataset fashion-mnist")]
    public void Run_AttackInvertThatCannotWork_ExitsTwoNamingTheFix(string[] options, string expected)
    {
        var run = CliRun.Of(["run", "--attack", "invert", .. options, "--steps", "1", "--runs-dir", _temp.File("runs")]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error);
        Assert.False(Directory.Exists(_temp.File("runs")));
    }

    [Fact]
    public void Run_InvertOptionsWithoutAttackInvert_ExitsTwo()
    {
        var run = CliRun.Of("run", "--attack", "rlg", "--invert-iterations", "10", "--steps", "1", "--runs-dir", _temp.File("runs"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("give --attack invert (without --split)", run.Error);
    }
}

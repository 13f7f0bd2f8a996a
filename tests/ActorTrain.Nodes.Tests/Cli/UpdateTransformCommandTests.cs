using System.Text.Json;
using ActorTrain.Actors.ParameterServer;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>`run --compress / --fp16 / --clip-norm / --noise-multiplier`: worker-side transforms, end to end.</summary>
public sealed class UpdateTransformCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private (JsonElement Result, IReadOnlyList<StepLogEntry> Steps, CliRun Run) Train(string id, params string[] transforms) =>
        Train(id, ("10", "64", "60"), transforms);

    private (JsonElement Result, IReadOnlyList<StepLogEntry> Steps, CliRun Run) Train(string id, (string Classes, string InputSize, string Steps) size, params string[] transforms)
    {
        var json = _temp.File($"{id}.json");
        string[] args = ["run", "--dataset", "synthetic", "--classes", size.Classes, "--input-size", size.InputSize, "--batch-size", "32", "--steps", size.Steps,
            "--evaluations", "1", "--lr", "0.1", "--runs-dir", _temp.File("runs"), "--run-id", id, "--json", json, .. transforms];
        var run = CliRun.Of(args);
        Assert.True(run.ExitCode == 0, run.Error);
        return (JsonDocument.Parse(File.ReadAllText(json)).RootElement, StepLogEntry.ReadAll(_temp.File($"runs/{id}/steps.jsonl")), run);
    }

    [Fact]
    public void Run_CompressedUpdates_ShrinkTheBytesReceived_AndStillTrain()
    {
        var plain = Train("plain");
        var topk = Train("topk", "--compress", "topk", "--keep-ratio", "0.01");
        var half = Train("half", "--fp16");

        double PerStep(JsonElement result) => result.GetProperty("updates").GetProperty("bytes_per_step").GetDouble();
        var dense = plain.Result.GetProperty("updates").GetProperty("dense_bytes_per_step").GetDouble();
        Assert.Equal(dense, PerStep(plain.Result));
        Assert.Equal(dense / 2, PerStep(half.Result));
        // top-1%: 8 bytes per kept entry (index + value) and a 4-byte count, for each of the 2 workers' updates.
        var parameters = plain.Result.GetProperty("parameters").GetInt32();
        var kept = (int)Math.Ceiling(0.01 * parameters);
        Assert.Equal(2 * (4 + 8.0 * kept), PerStep(topk.Result));
        Assert.All(topk.Steps, s => Assert.Equal(2 * (4 + 8L * kept), s.Bytes));
        Assert.All(plain.Steps, s => Assert.Equal((long)dense, s.Bytes));
        Assert.Contains("updates (topk 0.01):", topk.Run.Output);

        // Training still works: 10 synthetic classes, chance is 0.1.
        Assert.True(topk.Result.GetProperty("test_accuracy").GetDouble() > 0.5, topk.Result.ToString());
        Assert.True(half.Result.GetProperty("test_accuracy").GetDouble() > 0.5, half.Result.ToString());
    }

    [Fact]
    public void Run_NoisedUpdates_TheTapSeesTheDefendedUpdate_AndThePrivacyIsReported()
    {
        // The plain version of this run reveals labels with precision = recall = 1 (TapCommandTests). Noise of σ·C = 0.05
        // per entry against an update clipped to norm 0.05 buries the projection layer's signal: recall collapses.
        var (result, _, run) = Train("noised", ("1000", "128", "20"), "--attack", "rlg", "--record-labels",
            "--clip-norm", "0.05", "--noise-multiplier", "1");

        var tap = result.GetProperty("tap");
        Assert.True(tap.GetProperty("updates_attacked").GetInt64() >= 5, tap.ToString());
        Assert.True(tap.GetProperty("recall").GetDouble() < 0.5, tap.ToString());
        var privacy = result.GetProperty("updates").GetProperty("privacy");
        Assert.Equal(0.5, privacy.GetProperty("noise_multiplier").GetDouble()); // σ/2: per-example sensitivity 2C
        Assert.Equal(1e-5, privacy.GetProperty("delta").GetDouble());
        Assert.Equal(20, privacy.GetProperty("steps").GetInt64());
        Assert.InRange(privacy.GetProperty("epsilon").GetDouble(), 0.01, 1000);
        Assert.Contains("(ε = ", run.Output);
    }

    [Theory]
    [InlineData("--noise-multiplier", "1", "noise needs a clip norm")]
    [InlineData("--compress", "zip", "unknown compression 'zip'")]
    [InlineData("--keep-ratio", "1.5", "kept ratio must be in (0, 1]")]
    [InlineData("--clip-norm", "-1", "clip norm must be")]
    public void Run_BadTransformOptions_ExitTwoNamingTheProblem(string option, string value, string problem)
    {
        var run = CliRun.Of("run", option, value, "--steps", "1", "--runs-dir", _temp.File("runs"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(problem, run.Error);
        Assert.False(Directory.Exists(_temp.File("runs")));
    }

    [Fact]
    public void Run_TransformsWithSplit_ExitTwo()
    {
        var run = CliRun.Of("run", "--split", "act1", "--compress", "topk", "--steps", "1", "--runs-dir", _temp.File("runs"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("a split run sends activations", run.Error);
    }
}

using System.Text.Json;
using ActorTrain.Actors.Tap;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>`run --attack rlg`: the tap beside an embedded cluster, scored against the recorded labels.</summary>
public sealed class TapCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Run_AttackRlgWithRecordedLabels_RevealsTheBatchesLabelsAndReportsTheTap()
    {
        var json = _temp.File("result.json");

        // 1,000 classes, 16 samples per worker update and d = 128: S < d and S < C, where RLG is exact.
        var run = CliRun.Of("run", "--dataset", "synthetic", "--classes", "1000", "--batch-size", "32", "--steps", "60", "--evaluations", "1",
            "--attack", "rlg", "--record-labels", "--run-id", "tapped", "--runs-dir", _temp.File("runs"), "--json", json);

        Assert.True(run.ExitCode == 0, run.Error);
        var tap = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("tap");
        long Count(string name) => tap.GetProperty(name).GetInt64();
        Assert.InRange(Count("updates_seen"), 1, 120); // 60 steps × 2 workers, from the moment the tap subscribed
        Assert.Equal(Count("updates_seen"), Count("updates_attacked") + Count("dropped") + Count("failed"));
        Assert.Equal(0, Count("failed"));
        Assert.Equal(Count("updates_attacked"), Count("scored"));
        Assert.True(Count("updates_attacked") >= 10, $"{Count("updates_attacked")} attacked");
        Assert.True(tap.GetProperty("precision").GetDouble() >= 0.99, tap.ToString());
        Assert.True(tap.GetProperty("recall").GetDouble() >= 0.99, tap.ToString());
        Assert.True(tap.GetProperty("exact_match").GetDouble() >= 0.9, tap.ToString());
        Assert.True(tap.TryGetProperty("count_accuracy", out _));
        var log = RevealedLog.ReadAll(_temp.File($"runs/tapped/{TapSettings.LogFileName}"));
        Assert.Equal(Count("updates_attacked"), log.Count);
        Assert.All(log, r => Assert.Equal(16, r.Counts!.Sum()));
        Assert.Contains("tap (rlg):", run.Output);
    }

    [Fact]
    public void Run_WithoutRecordedLabels_AttacksButLeavesScoresOut()
    {
        var json = _temp.File("result.json");

        var run = CliRun.Of("run", "--dataset", "synthetic", "--classes", "200", "--batch-size", "16", "--steps", "10", "--evaluations", "1",
            "--attack", "rlg", "--runs-dir", _temp.File("runs"), "--json", json);

        Assert.True(run.ExitCode == 0, run.Error);
        var tap = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("tap");
        Assert.True(tap.GetProperty("updates_attacked").GetInt64() >= 1);
        Assert.Equal(0, tap.GetProperty("scored").GetInt64());
        Assert.False(tap.TryGetProperty("precision", out _));
        Assert.Contains("--record-labels", run.Output);
    }

    [Fact]
    public void Run_UnknownAttack_ExitsTwoNamingTheChoices()
    {
        var run = CliRun.Of("run", "--attack", "dlg", "--steps", "1", "--runs-dir", _temp.File("runs"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--attack dlg: choose one of rlg", run.Error);
        Assert.False(Directory.Exists(_temp.File("runs")));
    }
}

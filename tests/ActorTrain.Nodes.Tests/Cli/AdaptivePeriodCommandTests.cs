using System.Text.Json;
using ActorTrain.Actors.ParameterServer;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>`run --mode local-sgd --local-steps-max`: the averaging period grows as scheduled, and training works.</summary>
public sealed class AdaptivePeriodCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Run_AdaptivePeriod_EachRoundAveragesTheScheduledLocalSteps()
    {
        var json = _temp.File("result.json");

        var run = CliRun.Of("run", "--dataset", "synthetic", "--classes", "10", "--input-size", "32", "--batch-size", "8", "--steps", "7",
            "--evaluations", "1", "--mode", "local-sgd", "--local-steps", "1", "--local-steps-max", "6", "--period-double-every", "2",
            "--runs-dir", _temp.File("runs"), "--run-id", "adaptive", "--json", json);

        Assert.True(run.ExitCode == 0, run.Error);
        // Rounds 0–1: 1 local step, 2–3: 2, 4–5: 4, 6: 8 capped at 6; each of 2 workers takes 4 samples a step.
        var samples = StepLogEntry.ReadAll(_temp.File("runs/adaptive/steps.jsonl")).Select(s => s.Samples);
        Assert.Equal([8, 8, 16, 16, 32, 32, 48], samples);
        Assert.True(JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("test_accuracy").GetDouble() > 0.3);
    }

    [Fact]
    public void Run_AdaptivePeriodOutsideLocalSgd_ExitsTwo()
    {
        var run = CliRun.Of("run", "--local-steps-max", "8", "--steps", "1", "--runs-dir", _temp.File("runs"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("give --mode local-sgd", run.Error);
    }
}

using System.Text.Json;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>`node --role tap` in a process of its own, beside a parameter-server process and a worker process.</summary>
[Collection(ProcessCollection.Name)]
public sealed class TapProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly ProcessGroup _processes = new();

    public void Dispose() => _processes.Dispose();

    private ActorTrainProcess Start(string name, params string[] args) => _processes.Start(name, args);

    [Fact]
    public async Task TapNode_FollowsTheRunToItsEnd_AndScoresEveryUpdate()
    {
        var port = ActorTrainProcess.FreePort();
        var ps = Start("ps", "node", "--role", "ps", "--port", port.ToString(), "--min-workers", "2", "--dataset", "synthetic",
            "--classes", "1000", "--batch-size", "32", "--steps", "40", "--evaluations", "1", "--record-labels",
            "--runs-dir", _processes.File("ps-runs"), "--run-id", "tapped");
        var tap = Start("tap", "node", "--role", "tap", "--seed", $"127.0.0.1:{port}", "--runs-dir", _processes.File("tap-runs"),
            "--json", _processes.File("tap.json"));
        // Workers start once the tap follows the run, so it sees every update.
        var deadline = DateTime.UtcNow + Timeout;
        while (!tap.Output.Contains("Tap attached to run tapped") && DateTime.UtcNow < deadline)
        {
            Assert.False(tap.HasExited, tap.Output);
            await Task.Delay(100);
        }
        Start("workers", "node", "--role", "worker", "--workers", "2", "--seed", $"127.0.0.1:{port}");

        Assert.True(await ps.WaitForExitAsync(Timeout) == 0, ps.Output);
        Assert.True(await tap.WaitForExitAsync(Timeout) == 0, tap.Output);
        var report = JsonDocument.Parse(File.ReadAllText(_processes.File("tap.json"))).RootElement;
        Assert.Equal("tapped", report.GetProperty("run_id").GetString());
        var summary = report.GetProperty("tap");
        Assert.Equal(80, summary.GetProperty("updates_seen").GetInt64()); // 40 steps × 2 workers
        Assert.Equal(80, summary.GetProperty("updates_attacked").GetInt64() + summary.GetProperty("dropped").GetInt64());
        Assert.True(summary.GetProperty("precision").GetDouble() >= 0.99, summary.ToString());
        Assert.True(summary.GetProperty("recall").GetDouble() >= 0.99, summary.ToString());
        Assert.True(File.Exists(_processes.File("tap-runs/tapped/revealed.jsonl")));
    }
}

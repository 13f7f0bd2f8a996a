using System.Text.Json;
using ActorTrain.Actors.ParameterServer;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// Multi-process clusters of the real executable on 127.0.0.1: a parameter-server node and worker nodes train
/// Fashion-MNIST (Debian package dataset-fashion-mnist, installed by .ci/run).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClusterProcessTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly ProcessGroup _processes = new();

    public void Dispose() => _processes.Dispose();

    private ActorTrainProcess Start(string name, params string[] args) => _processes.Start(name, args);

    private string StepLog => _processes.File("runs/cluster-test/steps.jsonl");

    private ActorTrainProcess StartParameterServer(int port, int steps, params string[] extra) =>
        Start("ps", ["node", "--role", "ps", "--port", port.ToString(), "--min-workers", "2", "--model", "mlp", "--steps", steps.ToString(),
            "--evaluations", "2", "--runs-dir", _processes.File("runs"), "--run-id", "cluster-test", "--json", _processes.File("result.json"), .. extra]);

    private ActorTrainProcess StartWorker(string name, int port, params string[] extra) =>
        Start(name, ["node", "--role", "worker", "--seed", $"127.0.0.1:{port}", "--workers", "1", .. extra]);

    private async Task<IReadOnlyList<StepLogEntry>> AwaitSteps(Func<IReadOnlyList<StepLogEntry>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + RunTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(StepLog))
            {
                var entries = StepLogEntry.ReadAll(StepLog);
                if (condition(entries)) return entries;
            }
            if (_processes.All.FirstOrDefault(p => p.Name == "ps") is { HasExited: true } ps)
                throw new InvalidOperationException($"The parameter server exited ({ps.ExitCode}) before {what}:\n{ps.Output}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"No {what} within {RunTimeout}. Parameter server output:\n{_processes.All[0].Output}");
    }

    private async Task AssertFinishedWithAccuracy(ActorTrainProcess ps, double target)
    {
        Assert.True(await ps.WaitForExitAsync(RunTimeout) == 0, ps.Output);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(_processes.File("result.json")));
        var accuracy = result.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy >= target, $"test accuracy {accuracy} < {target}");
        Assert.Equal("cluster", result.RootElement.GetProperty("mode").GetString());
        foreach (var process in _processes.All.Where(p => p != ps))
            await process.WaitForExitAsync(TimeSpan.FromSeconds(60)); // every node leaves when the run ends (killed ones are gone)
    }

    private static void AssertNoGapNoDuplicate(IReadOnlyList<StepLogEntry> entries) =>
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Step));

    [Fact]
    public async Task ParameterServerAndTwoWorkerProcesses_TrainFashionMnist()
    {
        var port = ActorTrainProcess.FreePort();
        // 600 steps: at 400 the accuracy sat at the 0.80 bar (0.7979 once; the shards follow the workers' random ports).
        var ps = StartParameterServer(port, steps: 600);
        StartWorker("worker-a", port);
        // No --workers: one worker per GPU the node sees, else one on the CPU.
        var defaults = Start("worker-b", "node", "--role", "worker", "--seed", $"127.0.0.1:{port}");

        await AssertFinishedWithAccuracy(ps, 0.80);
        Assert.Matches(@"workers: 1 \((cpu|cuda:0)\)", defaults.Output);

        var entries = StepLogEntry.ReadAll(StepLog);
        AssertNoGapNoDuplicate(entries);
        Assert.Equal(600, entries.Count);
        Assert.All(entries, e => Assert.Equal(2, e.Workers.Length)); // both workers in every step
        Assert.All(_processes.All, p => Assert.True(p.HasExited, $"{p.Name} is still running"));
    }

    [Fact]
    public async Task WorkerNodeWithCompression_SendsTopKPayloadsAcrossProcesses_AndTrainingWorks()
    {
        var port = ActorTrainProcess.FreePort();
        var ps = StartParameterServer(port, steps: 150);
        StartWorker("worker-a", port, "--compress", "topk", "--keep-ratio", "0.01");
        StartWorker("worker-b", port);

        await AssertFinishedWithAccuracy(ps, 0.65);

        // Every step: one top-1% payload (4-byte count + 8 bytes per kept entry) and one float32 update, across processes.
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(_processes.File("result.json")));
        var parameters = result.RootElement.GetProperty("parameters").GetInt64();
        var expected = 4 + 8 * (long)Math.Ceiling(0.01 * parameters) + 4 * parameters;
        var entries = StepLogEntry.ReadAll(StepLog);
        Assert.Equal(150, entries.Count);
        Assert.All(entries, e => Assert.Equal(expected, e.Bytes));
    }

    [Fact]
    public async Task KilledWorker_IsDroppedAndTrainingCompletes_ThenANewWorkerIsUsed()
    {
        var port = ActorTrainProcess.FreePort();
        var config = _processes.File("fast-failover.conf");
        await File.WriteAllTextAsync(config, "actortrain.parameter-server.straggler-timeout = 3s");
        // Enough steps that the newcomer (a process that starts, joins and loads the data: ~5 s) arrives before the
        // end: with the data plane one worker alone runs ~90 steps/s here, and 1,500 steps ended before it was ready.
        const int steps = 6000;
        var ps = StartParameterServer(port, steps: steps, "--config", config);
        var victim = StartWorker("worker-a", port);
        StartWorker("worker-b", port);

        var before = await AwaitSteps(e => e.Count >= 50, "50 steps with two workers");
        Assert.Equal(2, before[^1].Workers.Length);
        victim.Kill(); // SIGKILL

        // Training goes on with the survivor alone...
        var alone = await AwaitSteps(e => e.Count > before.Count + 20 && e[^1].Workers.Length == 1, "steps by the surviving worker");
        var survivor = alone[^1].Workers.Single();

        // ...and a worker that joins later is used in later steps.
        StartWorker("worker-c", port);
        var rejoined = await AwaitSteps(e => e[^1].Workers.Length == 2 && e[^1].Workers.Contains(survivor), "a step with the new worker");
        var newcomer = rejoined[^1].Workers.Single(w => w != survivor);
        Assert.DoesNotContain(newcomer, before.SelectMany(e => e.Workers));

        await AssertFinishedWithAccuracy(ps, 0.80);
        var entries = StepLogEntry.ReadAll(StepLog);
        AssertNoGapNoDuplicate(entries);
        Assert.Equal(steps, entries.Count);
    }

    [Fact]
    public async Task WorkerWithoutTheData_ExitsWithTheReason_AndTheRunGoesOnWithoutIt()
    {
        var port = ActorTrainProcess.FreePort();
        var ps = Start("ps", "node", "--role", "ps", "--port", port.ToString(), "--min-workers", "1", "--steps", "30",
            "--runs-dir", _processes.File("runs"), "--run-id", "cluster-test", "--json", _processes.File("result.json"));
        var broken = StartWorker("broken", port, "--data", _processes.File("no-such-folder"));

        Assert.Equal(2, await broken.WaitForExitAsync(RunTimeout));
        Assert.Contains("apt-get install dataset-fashion-mnist", broken.Output);

        StartWorker("healthy", port);
        Assert.True(await ps.WaitForExitAsync(RunTimeout) == 0, ps.Output);
        Assert.Equal(30, StepLogEntry.ReadAll(StepLog).Count);
    }

    [Fact]
    public async Task Node_SeedNobodyListensOn_GivesUpWithAClearError()
    {
        var worker = StartWorker("lonely", ActorTrainProcess.FreePort(), "--join-timeout", "3");
        Assert.Equal(1, await worker.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("Could not join the cluster", worker.Output);
    }
}

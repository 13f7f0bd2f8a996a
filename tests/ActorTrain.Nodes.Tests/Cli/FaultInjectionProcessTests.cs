using System.Diagnostics;
using System.Text.Json;
using ActorTrain.Actors.ParameterServer;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// Faults injected into a running multi-process cluster on 127.0.0.1 (an MLP on Fashion-MNIST, one TorchSharp thread
/// per process so that four processes share two cores without starving the failure detector):
/// workers SIGKILLed again and again, a worker SIGSTOPped and SIGCONTinued after the cluster downed it, the tap
/// SIGKILLed. Each run reaches its accuracy target with a committed step log without gap or duplicate, and no
/// process is left running. (A SIGKILLed parameter server: ParameterServerFailoverTests.)
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FaultInjectionProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const double AccuracyTarget = 0.75;
    private const int LongRunSteps = 1500; // runs that must outlast a node's downing and removal
    private readonly ProcessGroup _processes = new();
    private int _port = ActorTrainProcess.FreePort();
    private string _heartbeatPause = "3s";

    public void Dispose()
    {
        foreach (var process in _processes.All.Where(p => !p.HasExited))
            Signal(process, "CONT"); // a stopped process ignores SIGKILL until it runs again
        _processes.Dispose();
    }

    private ActorTrainProcess Start(string name, params string[] args) => _processes.Start(name, args);

    /// <param name="batch">Global batch: a larger one makes steps slower, so the run outlasts its faults.</param>
    /// <param name="heartbeatPause">The failure detector's acceptable pause, on every node of the test.</param>
    private ActorTrainProcess StartServer(int steps, int batch = 64, int minWorkers = 2, string heartbeatPause = "3s", NetworkCutProxy? network = null)
    {
        _heartbeatPause = heartbeatPause;
        var (port, config) = Address("ps", network);
        if (network is not null) _port = network.PublicPort("ps");
        return Start("ps", ["node", "--role", "ps", "--port", port.ToString(), "--min-workers", minWorkers.ToString(), "--model", "mlp",
            "--threads", "1", "--batch-size", batch.ToString(), "--steps", steps.ToString(), "--evaluations", "1", "--config", config,
            "--runs-dir", _processes.File("runs"), "--run-id", "faults", "--json", _processes.File("result.json")]);
    }

    private ActorTrainProcess StartWorker(string name, NetworkCutProxy? network = null)
    {
        var (port, config) = Address(name, network);
        return Start(name, "node", "--role", "worker", "--seed", $"127.0.0.1:{_port}", "--port", port.ToString(), "--workers", "1",
            "--threads", "1", "--config", config);
    }

    /// <summary>
    /// The port a node binds and its configuration file. Behind the relay it advertises another port
    /// (akka.remote.dot-netty.tcp.public-port), on which the relay listens.
    /// </summary>
    private (int Port, string Config) Address(string node, NetworkCutProxy? network)
    {
        var config = _processes.File($"{node}.conf");
        var (publicPort, bindPort) = network?.Front(node) ?? (0, 0);
        File.WriteAllText(config, $"""
            actortrain.parameter-server.straggler-timeout = 3s
            akka.cluster.failure-detector.acceptable-heartbeat-pause = {_heartbeatPause}
            {(network is null ? "" : $"akka.remote.dot-netty.tcp.public-port = {publicPort}")}
            """);
        return (network is null ? (node == "ps" ? _port : 0) : bindPort, config);
    }

    private static void Signal(ActorTrainProcess process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString()]);
        kill.WaitForExit();
    }

    private IReadOnlyList<StepLogEntry> Steps()
    {
        var path = _processes.File("runs/faults/steps.jsonl");
        return File.Exists(path) ? StepLogEntry.ReadAll(path) : [];
    }

    private async Task<IReadOnlyList<StepLogEntry>> AwaitSteps(Func<IReadOnlyList<StepLogEntry>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var steps = Steps();
            if (condition(steps)) return steps;
            var ps = _processes.All[0];
            if (ps.HasExited)
            {
                var code = await ps.WaitForExitAsync(TimeSpan.FromSeconds(10)); // flushes its output
                throw new InvalidOperationException($"The parameter server exited ({code}) before {what}:\n{ps.Output}");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"No {what} within {Timeout}. Parameter server output:\n{_processes.All[0].Output}");
    }

    private static async Task AwaitOutput(ActorTrainProcess process, string text)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!process.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{process.Name} never said \"{text}\":\n{process.Output}");
            Assert.False(process.HasExited, process.Output);
            await Task.Delay(50);
        }
    }

    /// <summary>The run finished at its target with steps 1..N each once, and every process is gone.</summary>
    private async Task<IReadOnlyList<StepLogEntry>> AssertCompleted(ActorTrainProcess ps, int steps)
    {
        Assert.True(await ps.WaitForExitAsync(Timeout) == 0, ps.Output);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(_processes.File("result.json")));
        var accuracy = result.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy >= AccuracyTarget, $"test accuracy {accuracy} < {AccuracyTarget}");
        var log = Steps();
        Assert.Equal(Enumerable.Range(1, steps).Select(i => (long)i), log.Select(e => e.Step));
        foreach (var process in _processes.All) await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.All(_processes.All, p => Assert.True(p.HasExited, $"{p.Name} is still running"));
        Assert.All(_processes.All, p => Assert.DoesNotContain("Unhandled exception", p.Output));
        return log;
    }

    [Fact]
    public async Task WorkersKilledAgainAndAgainMidRun_TrainingCompletes()
    {
        // Three workers, no replacements (a new node needs seconds to start, longer than the rest of a short run):
        // SIGKILL two of them one after another, each once the previous one is out of the steps. Four processes
        // on two cores miss heartbeats under this load: with the default 3 s pause the survivors once saw the
        // parameter server (the oldest) unreachable and alone, and keep-oldest's down-if-alone downed it
        // (hocon/cluster.conf). The test allows 6 s, so it tests the kills, not the machine's core count.
        var ps = StartServer(steps: 400, batch: 512, minWorkers: 3, heartbeatPause: "6s");
        var workers = Enumerable.Range(1, 3).Select(i => StartWorker($"worker-{i}")).ToList();
        var before = await AwaitSteps(e => e.Count >= 20 && e[^1].Workers.Length == 3, "a step with three workers");
        for (var round = 1; round <= 2; round++)
        {
            workers[round - 1].Kill();
            var live = 3 - round;
            before = await AwaitSteps(e => e.Count > before.Count + 20 && e[^1].Workers.Length == live,
                $"round {round}: 20 steps by the {live} survivor(s)");
        }

        var log = await AssertCompleted(ps, 400);
        Assert.Single(log[^1].Workers);
        Assert.True(log.Count > before.Count);
    }

    [Fact]
    public async Task WorkerStoppedUntilDownedThenContinued_ExitsAndTrainingCompletes()
    {
        // Long enough to outlast the downing: unreachable after ~3 s, downed 5 s later (stable-after), then removed. With the
        // data plane the lone worker runs ~50 steps/s here, and 600 steps once ended first.
        var ps = StartServer(steps: LongRunSteps, batch: 512);
        StartWorker("worker-1");
        var stopped = StartWorker("worker-2");
        var before = await AwaitSteps(e => e.Count >= 20 && e[^1].Workers.Length == 2, "a step with two workers");

        Signal(stopped, "STOP");
        var alone = await AwaitSteps(e => e.Count > before.Count + 20 && e[^1].Workers.Length == 1, "steps without the stopped worker");
        // Unreachable, then downed by the split-brain resolver and removed. The resolver runs on the cluster's leader,
        // which is whichever node has the lowest address (here a random port), so the parameter server may never log
        // "SBR is downing" itself; it always logs the removal that follows.
        await AwaitOutput(ps, "dropped (its node left the cluster)");
        Signal(stopped, "CONT");

        // Back, it learns it was removed (quarantined) or that the run ended, and exits on its own.
        await stopped.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var log = await AssertCompleted(ps, LongRunSteps);
        var survivor = alone[^1].Workers.Single();
        Assert.All(log.Skip(alone.Count), e => Assert.Contains(survivor, e.Workers));
    }

    [Fact]
    public async Task WorkerCutOffFromTheNetworkThenHealed_ExitsAndTrainingCompletes()
    {
        using var network = new NetworkCutProxy();
        var ps = StartServer(steps: LongRunSteps, batch: 512, network: network);
        StartWorker("worker-1", network);
        var cut = StartWorker("worker-2", network);
        var before = await AwaitSteps(e => e.Count >= 20 && e[^1].Workers.Length == 2, "a step with two workers");

        network.Cut("worker-2"); // every connection to or from it stalls; the process itself keeps running
        var alone = await AwaitSteps(e => e.Count > before.Count + 20 && e[^1].Workers.Length == 1, "steps without the cut-off worker");
        await AwaitOutput(ps, "dropped (its node left the cluster)"); // unreachable, downed by the resolver, removed
        network.Heal("worker-2");

        // Alone on its side of the cut, the worker downed itself (keep-oldest: the parameter server is the oldest);
        // healed, it finds itself removed or quarantined and exits on its own. Its name never returns to the steps.
        await cut.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var log = await AssertCompleted(ps, LongRunSteps);
        var survivor = alone[^1].Workers.Single();
        Assert.All(log.Skip(alone.Count), e => Assert.Equal([survivor], e.Workers));
    }

    [Fact]
    public async Task TapKilled_TrainingIsUnaffected()
    {
        var ps = StartServer(steps: 400);
        var tap = Start("tap", "node", "--role", "tap", "--seed", $"127.0.0.1:{_port}", "--runs-dir", _processes.File("tap-runs"));
        StartWorker("worker-1");
        StartWorker("worker-2");
        await AwaitOutput(tap, "Tap attached to run faults");
        var before = await AwaitSteps(e => e.Count >= 60, "60 steps with the tap attached");

        tap.Kill(); // SIGKILL
        // Long enough for the failure detector (3 s) and the split-brain resolver (5 s) to act on the dead tap.
        await AwaitSteps(e => e.Count >= before.Count + 200, "200 steps after the tap died");

        var log = await AssertCompleted(ps, 400);
        Assert.All(log, e => Assert.Equal(2, e.Workers.Length)); // no step lost a worker to the tap's death
    }
}

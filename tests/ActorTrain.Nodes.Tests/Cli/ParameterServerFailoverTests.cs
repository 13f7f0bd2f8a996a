using System.Text.Json;
using ActorTrain.Actors.ParameterServer;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// The parameter-server process is SIGKILLed mid-run; a standby parameter-server node takes over the singleton,
/// recovers from the shared SQLite journal, the workers find it by themselves, and the run completes with no step
/// applied twice.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ParameterServerFailoverTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly ProcessGroup _processes = new();
    private readonly string _runId = $"failover-{Guid.NewGuid():N}"; // a fresh journal stream, also in a shared database

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _processes.Dispose();
    }

    private ActorTrainProcess Start(string name, params string[] args) => _processes.Start(name, args);

    private string _journal = "";

    private string[] ServerArgs(int port, string seed, string runs) =>
    [
        "node", "--role", "ps", "--port", port.ToString(), "--seed", seed, "--min-workers", "2", "--model", "mlp", "--steps", "400",
        "--evaluations", "2", "--run-id", _runId, "--runs-dir", _processes.File(runs), "--journal", _journal,
        "--json", _processes.File($"{runs}.json"),
    ];

    private IReadOnlyList<StepLogEntry> Steps(string runs)
    {
        var path = _processes.File($"{runs}/{_runId}/steps.jsonl");
        return File.Exists(path) ? StepLogEntry.ReadAll(path) : [];
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task KilledParameterServer_StandbyRecoversFromTheJournal_AndTheRunCompletes(string kind)
    {
        _journal = kind == "sqlite"
            ? $"sqlite:{_processes.File("journal.db")}"
            : "postgres:" + (Environment.GetEnvironmentVariable("ACTORTRAIN_TEST_POSTGRES")
                             ?? "Host=127.0.0.1;Port=5432;Username=actortrain;Password=actortrain;Database=actortrain");
        var (portA, portB) = (ActorTrainProcess.FreePort(), ActorTrainProcess.FreePort());
        var seed = $"127.0.0.1:{portA}";
        var first = Start("ps-a", ServerArgs(portA, seed, "runs-a"));
        var standby = Start("ps-b", ServerArgs(portB, seed, "runs-b"));
        Start("worker-1", "node", "--role", "worker", "--seed", seed, "--seed", $"127.0.0.1:{portB}", "--workers", "1");
        Start("worker-2", "node", "--role", "worker", "--seed", seed, "--seed", $"127.0.0.1:{portB}", "--workers", "1");

        var deadline = DateTime.UtcNow + Timeout;
        while (Steps("runs-a").Count < 100)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no progress:\n{first.Output}");
            Assert.False(first.HasExited, first.Output);
            await Task.Delay(100);
        }
        first.Kill(); // SIGKILL, mid-run
        var beforeKill = Steps("runs-a");

        Assert.True(await standby.WaitForExitAsync(Timeout) == 0, standby.Output);
        var afterKill = Steps("runs-b");
        Assert.Contains("recovered at version", standby.Output);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(_processes.File("runs-b.json")));
        Assert.Equal(400, result.RootElement.GetProperty("steps").GetInt32());
        Assert.True(result.RootElement.GetProperty("test_accuracy").GetDouble() >= 0.78);

        // Each server's log is gapless; together they never repeat a step. The standby resumes after the last step
        // the first one journaled, which the first one may have had no time to log (at most one step at the kill).
        var first_ = beforeKill.Select(e => e.Step).ToArray();
        var second = afterKill.Select(e => e.Step).ToArray();
        Assert.Equal(Enumerable.Range(1, first_.Length).Select(i => (long)i), first_);
        Assert.Equal(Enumerable.Range((int)second[0], second.Length).Select(i => (long)i), second);
        Assert.InRange(second[0] - first_[^1], 1, 2);
        Assert.Equal(400, second[^1]);
        foreach (var process in _processes.All.Where(p => p != first)) await process.WaitForExitAsync(TimeSpan.FromMinutes(1));
    }
}

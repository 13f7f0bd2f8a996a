using System.Diagnostics;
using System.Text.Json;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>deploy/local-cluster.sh as a user runs it: separate node processes, a finished run, nothing left behind.</summary>
[Collection(ProcessCollection.Name)]
public sealed class LocalClusterScriptTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task LocalClusterScript_ThreeWorkerProcesses_FinishTheRun()
    {
        var script = Path.Combine(ActorTrainProcess.RepositoryRoot(), "deploy", "local-cluster.sh");
        var json = _temp.File("result.json");
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList =
            {
                script, "--workers", "3", "--port", ActorTrainProcess.FreePort().ToString(), "--logs", _temp.File("logs"), "--",
                "--dataset", "synthetic", "--classes", "20", "--input-size", "32", "--hidden", "64", "--steps", "60",
                "--runs-dir", _temp.File("runs"), "--run-id", "script", "--json", json,
            },
            Environment = { ["ACTORTRAIN"] = Path.Combine(AppContext.BaseDirectory, "actortrain") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"{await output}\n{await error}\n{ReadLogs()}");
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal(3, result.RootElement.GetProperty("workers").GetInt32());
        Assert.Equal(60, result.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(4, Directory.GetFiles(_temp.File("logs"), "*.log").Length);
    }

    private string ReadLogs() => string.Join("\n", Directory.GetFiles(_temp.File("logs")).Select(f => $"== {f}\n{File.ReadAllText(f)}"));
}

using System.Text.Json;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>Split learning across processes: a split-server node and a client worker node, with NoPeek on.</summary>
[Collection(ProcessCollection.Name)]
public sealed class SplitProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SplitServerAndClientProcesses_TrainFashionMnistWithNoPeek()
    {
        var port = ActorTrainProcess.FreePort();
        using var server = ActorTrainProcess.Start("split-server", _temp.Path, "node", "--role", "split-server", "--port", port.ToString(),
            "--split", "act1", "--defense", "nopeek", "--alpha", "1", "--steps", "600", "--evaluations", "2", "--min-workers", "1",
            "--runs-dir", _temp.File("runs"), "--json", _temp.File("result.json"));
        using var client = ActorTrainProcess.Start("client", _temp.Path, "node", "--role", "worker", "--workers", "1", "--seed", $"127.0.0.1:{port}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromMinutes(4)) == 0, server.Output);
        Assert.True(await client.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, client.Output);
        var accuracy = JsonDocument.Parse(File.ReadAllText(_temp.File("result.json"))).RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy >= 0.80, $"test accuracy {accuracy}\n{server.Output}");
        Assert.Contains("NoPeek α = 1", server.Output);
    }
}

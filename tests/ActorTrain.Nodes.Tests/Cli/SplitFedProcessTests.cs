using System.Text.Json;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>SplitFed across processes: the client segments travel between nodes in chunks, both ways, every round.</summary>
[Collection(ProcessCollection.Name)]
public sealed class SplitFedProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SplitServerAndTwoClientProcesses_AverageTheSegmentsEveryRound()
    {
        var port = ActorTrainProcess.FreePort();
        using var server = ActorTrainProcess.Start("split-server", _temp.Path, "node", "--role", "split-server", "--port", port.ToString(),
            "--split", "act1", "--splitfed", "20", "--steps", "400", "--evaluations", "2", "--min-workers", "2",
            "--runs-dir", _temp.File("runs"), "--json", _temp.File("result.json"));
        using var first = ActorTrainProcess.Start("client-1", _temp.Path, "node", "--role", "worker", "--workers", "1", "--seed", $"127.0.0.1:{port}");
        using var second = ActorTrainProcess.Start("client-2", _temp.Path, "node", "--role", "worker", "--workers", "1", "--seed", $"127.0.0.1:{port}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromMinutes(4)) == 0, server.Output);
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, first.Output);
        Assert.True(await second.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, second.Output);
        var root = JsonDocument.Parse(File.ReadAllText(_temp.File("result.json"))).RootElement;
        Assert.Equal(20, root.GetProperty("splitfed_rounds").GetInt32()); // the segments (~800 KB each) made it both ways every round
        Assert.True(root.GetProperty("test_accuracy").GetDouble() >= 0.75, root.ToString());
        Assert.Contains("averaged 2 client(s)", server.Output);
        Assert.DoesNotContain("left out", server.Output);
    }
}

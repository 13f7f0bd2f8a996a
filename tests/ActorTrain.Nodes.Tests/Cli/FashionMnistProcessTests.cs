using System.Text.Json;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// The single-process baseline as a user runs it: the real `actortrain` executable on the real Fashion-MNIST
/// (Debian package dataset-fashion-mnist, which .ci/run installs).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FashionMnistProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Train_MlpOneEpoch_ReachesAccuracyTarget()
    {
        var json = _temp.File("result.json");
        using var process = ActorTrainProcess.Start("train", _temp.Path,
            "train", "--model", "mlp", "--epochs", "1", "--json", json, "--runs-dir", _temp.File("runs"));

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, process.Output);
        Assert.Contains("[100%]", process.Output); // redirected output: plain progress lines
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var accuracy = result.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy >= 0.82, $"test accuracy {accuracy} < 0.82 after one epoch");
        Assert.Equal(938, result.RootElement.GetProperty("steps").GetInt32()); // ⌈60,000 / 64⌉
    }
}

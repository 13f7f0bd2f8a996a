using System.Diagnostics;
using System.Text.Json;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// The README's main job as a user runs it: the real `actortrain` executable on the real Fashion-MNIST
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
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "actortrain"))
        {
            ArgumentList = { "train", "--model", "mlp", "--epochs", "1", "--json", json, "--runs-dir", _temp.File("runs") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _temp.Path,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await error}");
        var text = await output;
        Assert.Contains("[100%]", text); // redirected output: plain progress lines
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var accuracy = result.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy >= 0.82, $"test accuracy {accuracy} < 0.82 after one epoch");
        Assert.Equal(938, result.RootElement.GetProperty("steps").GetInt32()); // ⌈60,000 / 64⌉
    }
}

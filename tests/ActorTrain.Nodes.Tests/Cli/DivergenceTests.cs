namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// A run whose loss turns NaN (learning rate 10⁶) ends by itself with exit code 1 and says it diverged and what to
/// change, in every aggregation mode and in split learning; before, the workers' steps failed quietly and the run waited forever.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class DivergenceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("--mode sync")]
    [InlineData("--mode async")]
    [InlineData("--mode local-sgd")]
    [InlineData("--split act1")]
    public async Task DivergedRun_FailsWithTheReasonInsteadOfWaitingForever(string setting)
    {
        using var process = ActorTrainProcess.Start("actortrain", _temp.Path,
            ["run", .. setting.Split(' '), "--lr", "1e6", "--steps", "200", "--workers", "2", "--runs-dir", _temp.File("runs")]);
        var code = await process.WaitForExitAsync(TimeSpan.FromMinutes(2));
        var output = process.Output;
        Assert.True(code == 1, $"exit code {code}, not 1 (run failed). Output:\n{output}");
        Assert.Contains("training diverged at version", output);
        Assert.Contains("Lower the learning rate (--lr)", output);
        Assert.DoesNotContain("\n   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }
}

using System.Text.Json;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>`run --split CUT --splitfed H`: two clients whose segments are averaged every H server steps, and what it refuses.</summary>
public sealed class SplitFedCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private CliRun Run(params string[] extra) => CliRun.Of(["run", "--dataset", "synthetic", "--classes", "20", "--input-size", "32",
        "--hidden", "64,32", "--steps", "120", "--evaluations", "2", "--workers", "2", "--runs-dir", _temp.File("runs"), .. extra]);

    [Theory]
    [InlineData]
    [InlineData("--defense", "nopeek", "--alpha", "0.5")] // NoPeek runs on each client; averaging is orthogonal to it
    public void Run_SplitFedEvery10Steps_AveragesAndTrainsTheTask(params string[] defense)
    {
        var json = _temp.File("splitfed.json");

        var run = Run(["--split", "act1", "--splitfed", "10", "--json", json, .. defense]);

        Assert.True(run.ExitCode == 0, run.Error);
        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal(120, root.GetProperty("steps").GetInt32());
        Assert.Equal(2, root.GetProperty("workers").GetInt32());
        Assert.Equal(12, root.GetProperty("splitfed_rounds").GetInt32()); // at steps 10, 20, …, 110, and the last at 120
        Assert.True(root.GetProperty("test_accuracy").GetDouble() > 0.8, root.ToString());
        Assert.Contains("split learning at act1, SplitFed every 10 steps", run.Output);
        Assert.Contains("splitfed: 12 averaging rounds", run.Output);
    }

    [Fact]
    public void Run_SplitWithoutSplitFed_ReportsNoRounds()
    {
        var json = _temp.File("split.json");

        var run = Run("--split", "act1", "--json", json);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.False(JsonDocument.Parse(File.ReadAllText(json)).RootElement.TryGetProperty("splitfed_rounds", out _));
    }

    [Theory]
    [InlineData(new[] { "--splitfed", "10" }, "--splitfed averages the client segments of split learning: give --split CUT as well")]
    [InlineData(new[] { "--split", "act1", "--splitfed", "-3" }, "--splitfed -3: give the server steps between averagings, H ≥ 1 (0 = off)")]
    [InlineData(new[] { "--split", "act1", "--splitfed", "ten" }, "--splitfed")]
    public void Run_BadSplitFedOptions_ExitTwoNamingTheProblem(string[] options, string expected)
    {
        var run = Run(options);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error);
    }
}

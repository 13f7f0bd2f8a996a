using ActorTrain.Nodes.Reports;
using ActorTrain.Tensors.Training;

namespace ActorTrain.Nodes.Tests.Reports;

public sealed class TrainingPlotTests
{
    private static readonly CurvePoint[] Losses = [new(1, 2.3), new(2, 1.9), new(3, 1.4)];
    private static readonly CurvePoint[] Accuracies = [new(3, 0.61)];

    [Fact]
    public void TrySave_WritablePath_WritesAPng()
    {
        using var temp = new TempDirectory();
        var path = temp.File("plot.png");
        Assert.Null(TrainingPlot.TrySave(path, "test", Losses, Accuracies));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(path).Take(4).ToArray());
    }

    [Fact]
    public void TrySave_UnwritablePath_SaysWhyInsteadOfThrowing()
    {
        using var temp = new TempDirectory();
        var problem = TrainingPlot.TrySave(temp.File("missing/dir/plot.png"), "test", Losses, Accuracies);
        Assert.NotNull(problem);
        Assert.Contains("DirectoryNotFoundException", problem);
    }
}

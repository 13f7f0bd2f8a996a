using ActorTrain.Nodes.Bench;
using ActorTrain.Nodes.Reports;
using ActorTrain.Tensors.Data;

namespace ActorTrain.Nodes.Tests.Bench;

/// <summary>The NoPeek suite on a small budget: every row measured, NoPeek lowers dCor, the plots are written.</summary>
public sealed class NoPeekBenchmarkTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Run_SmallBudget_MeasuresEverySettingAndSavesThePlots()
    {
        using var data = FashionMnist.Load(FashionMnist.DefaultDirectory);
        var options = new NoPeekBenchOptions([0, 5], [0, 0.5], Steps: 60, AuxiliarySamples: 600, HeldOut: 200, DecoderEpochs: 2,
            CostSteps: 3, CostRounds: 1);
        var output = new StringWriter();

        var outcome = NoPeekBenchmark.Run(data, options, output);
        var files = NoPeekPlots.Save(_temp.Path, outcome);

        Assert.Equal(4, outcome.Rows.Count);
        Assert.All(outcome.Rows, r => Assert.True(double.IsFinite(r.TestAccuracy + r.Dcor + r.DcorUnbiased + r.InversionSsim), r.ToString()));
        var undefended = outcome.Rows.Single(r => r.Alpha == 0 && r.Noise == 0);
        var nopeek = outcome.Rows.Single(r => r.Alpha == 5 && r.Noise == 0);
        Assert.True(nopeek.Dcor < undefended.Dcor, $"α = 5 gave dCor {nopeek.Dcor}, undefended {undefended.Dcor}");
        Assert.Equal([64, 128], outcome.Cost.Select(c => c.BatchSize));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 5_000, f));
        Assert.Equal(NoPeekBenchmark.ShownImages * 28 * 28, outcome.Originals.Length);
    }
}

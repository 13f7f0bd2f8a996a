using System.Text.Json;
using ActorTrain.Nodes.Bench;

namespace ActorTrain.Nodes.Tests.Bench;

public sealed class RlgBenchmarkTests
{
    [Fact]
    public void Run_SmallGrid_ReportsQualityBothTimesAndTheirRatio()
    {
        var output = new StringWriter();
        RlgCell[] grid = [new(40, 8, 32), new(30, 40, 16)]; // S < d, C; and S ≥ d

        var report = RlgBenchmark.Run(grid, rounds: 2, output);

        var rows = report.Rows.Cast<RlgMeasurement>().ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Equal((1.0, 1.0, 1.0), (rows[0].Precision, rows[0].Recall, rows[0].ExactMatch));
        Assert.Equal("S ≥ d", rows[1].Regime);
        Assert.All(rows, r => Assert.True(r.NaiveAgrees));
        // No headline cell in this grid: the ratio is taken at the last cell that ran the naive LP.
        Assert.Equal(rows[1].NaiveSeconds!.Value / rows[1].FastSeconds, report.Ratio, 1e-12);
        Assert.Equal(rows[1].FastSeconds, report.CandidateSeconds);
        var json = JsonDocument.Parse(report.ToJson()).RootElement;
        Assert.Equal(report.BaselineSeconds!.Value, json.GetProperty("baseline_seconds").GetDouble());
        Assert.Contains("naive/fast", output.ToString());
        Assert.Contains("ratio", report.Summary());
    }

    [Fact]
    public void NaiveBatches_SkipsLargeCellsExceptTheHeadline()
    {
        Assert.Equal(5, RlgBenchmark.NaiveBatches(new RlgCell(100, 50, 256), 5));
        Assert.Equal(0, RlgBenchmark.NaiveBatches(new RlgCell(1000, 50, 256), 5));
        Assert.Equal(1, RlgBenchmark.NaiveBatches(RlgBenchmark.Headline, 5));
        Assert.Equal(28, RlgBenchmark.DefaultGrid.Count);
    }
}

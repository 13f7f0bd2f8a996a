using System.Text.Json;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>`bench defenses` at a tiny size: every setting measured in both parts, the table, the JSON and the plots.</summary>
public sealed class BenchDefensesCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void BenchDefenses_TinySize_MeasuresEverySettingAndWritesTableJsonAndPlots()
    {
        var json = _temp.File("defenses.json");

        var run = CliRun.Of("bench", "defenses", "--dataset", "synthetic", "--classes", "10", "--input-size", "32", "--hidden", "32",
            "--steps", "8", "--rounds", "1", "--json", json);

        Assert.True(run.ExitCode == 0, run.Error);
        var report = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        var rows = report.GetProperty("rows").EnumerateArray().ToArray();
        var training = rows.Where(r => r.GetProperty("part").GetString() == "training").ToArray();
        var synthetic = rows.Where(r => r.GetProperty("part").GetString() == "synthetic").ToArray();
        Assert.Equal(10, training.Length);
        Assert.Equal(13, synthetic.Length);
        JsonElement Row(JsonElement[] part, string setting) => part.Single(r => r.GetProperty("setting").GetString() == setting);
        double Bytes(JsonElement row) => row.GetProperty("bytes_per_step").GetDouble();

        // Bytes: fp16 halves them, top-k 1% (8 bytes per kept entry) is far below; the ratio in the report is none / top-k.
        Assert.Equal(Bytes(Row(training, "none")) / 2, Bytes(Row(training, "fp16")));
        Assert.True(Bytes(Row(training, "topk 0.01")) < Bytes(Row(training, "none")) / 20);
        Assert.Equal(Bytes(Row(training, "none")) / Bytes(Row(training, "topk 0.01")), report.GetProperty("ratio").GetDouble(), 6);
        Assert.All(training, r => Assert.InRange(r.GetProperty("test_accuracy").GetDouble(), 0, 1));
        Assert.True(Row(training, "clip 1 σ 0.01").GetProperty("epsilon").GetDouble() > 0);
        Assert.False(Row(training, "none").TryGetProperty("epsilon", out _));

        // Synthetic 1000-class updates: undefended RLG is exact; heavy dense noise hides labels.
        Assert.Equal(1.0, Row(synthetic, "none").GetProperty("recall").GetDouble());
        Assert.Equal(1.0, Row(synthetic, "none").GetProperty("precision").GetDouble());
        Assert.True(Row(synthetic, "noise 50.0 % of norm").GetProperty("recall").GetDouble() < 0.5);

        Assert.Contains("part       setting", run.Output);
        foreach (var plot in new[] { "defenses-tradeoff.png", "defenses-synthetic.png" })
            Assert.True(new FileInfo(_temp.File(plot)).Length > 5_000, plot);
    }
}

using System.Globalization;
using ActorTrain.Nodes.Bench;
using ScottPlot;

namespace ActorTrain.Nodes.Reports;

/// <summary>`bench defenses` as pictures: leakage against accuracy against bytes, and the synthetic 1000-class leakage.</summary>
public static class DefensesPlots
{
    /// <summary>Writes defenses-tradeoff.png (training runs) and defenses-synthetic.png into <paramref name="directory"/>.</summary>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Save(string directory, IReadOnlyList<DefenseRow> rows)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        var training = rows.Where(r => r.Part == "training" && r.TestAccuracy is not null).ToArray();
        if (training.Length > 0)
        {
            files.Add(Path.Combine(directory, "defenses-tradeoff.png"));
            Tradeoff(files[^1], training);
        }
        var synthetic = rows.Where(r => r.Part == "synthetic").ToArray();
        if (synthetic.Length > 0)
        {
            files.Add(Path.Combine(directory, "defenses-synthetic.png"));
            Synthetic(files[^1], synthetic);
        }
        return files;
    }

    /// <summary>x: the tap's F1 over revealed label sets (leakage; with 10 classes, recall alone rewards revealing every
    /// class), y: test accuracy; marker size grows with the bytes per step, labelled.</summary>
    private static void Tradeoff(string path, IReadOnlyList<DefenseRow> rows)
    {
        var plot = new Plot();
        plot.Title("Worker-side defenses on Fashion-MNIST: leakage vs accuracy vs bytes");
        plot.XLabel("leakage: F1 of the RLG tap's revealed label sets on the same run");
        plot.YLabel("test accuracy");
        var largest = rows.Max(r => r.BytesPerStep);
        foreach (var r in rows)
        {
            var marker = plot.Add.Marker(F1(r), r.TestAccuracy!.Value);
            marker.Size = (float)(6 + 24 * Math.Sqrt(r.BytesPerStep / largest));
            var text = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"{r.Setting} ({r.BytesPerStep / 1024:N0} KiB)"), F1(r), r.TestAccuracy.Value);
            text.LabelFontSize = 11;
        }
        var (low, high) = (rows.Min(F1), rows.Max(F1));
        plot.Axes.SetLimitsX(low - 0.02, high + 0.25 * Math.Max(high - low, 0.1));
        plot.SavePng(path, 1100, 700);
    }

    private static double F1(DefenseRow r) =>
        r is { Precision: { } p, Recall: { } q } && p + q > 0 ? 2 * p * q / (p + q) : 0;

    /// <summary>Precision and recall of RLG on single 1000-class updates, one pair of bars per setting.</summary>
    private static void Synthetic(string path, IReadOnlyList<DefenseRow> rows)
    {
        var plot = new Plot();
        plot.Title($"RLG on synthetic {DefensesBenchmark.Classes}-class updates (N = {DefensesBenchmark.Samples}, d = {DefensesBenchmark.Features}) under each transform");
        plot.YLabel("score");
        var bars = new List<Bar>();
        for (var i = 0; i < rows.Count; i++)
        {
            bars.Add(new Bar { Position = 3 * i, Value = rows[i].Precision ?? 0, FillColor = Colors.SteelBlue });
            bars.Add(new Bar { Position = 3 * i + 1, Value = rows[i].Recall ?? 0, FillColor = Colors.Orange });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(rows.Select((_, i) => 3.0 * i + 0.5).ToArray(), rows.Select(r => r.Setting).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 150;
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "precision", FillColor = Colors.SteelBlue });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "recall", FillColor = Colors.Orange });
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1200, 700);
    }
}

using System.Globalization;
using ActorTrain.Nodes.Bench;
using ScottPlot;
using SkiaSharp;

namespace ActorTrain.Nodes.Reports;

/// <summary>The NoPeek trade-off as pictures: accuracy against leakage, and what the attacker reconstructs per α.</summary>
public static class NoPeekPlots
{
    /// <summary>Writes nopeek-accuracy-dcor.png, nopeek-accuracy-ssim.png and nopeek-reconstructions.png into <paramref name="directory"/>.</summary>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Save(string directory, NoPeekBenchmark.Outcome outcome)
    {
        Directory.CreateDirectory(directory);
        var files = new[]
        {
            Path.Combine(directory, "nopeek-accuracy-dcor.png"),
            Path.Combine(directory, "nopeek-accuracy-ssim.png"),
            Path.Combine(directory, "nopeek-reconstructions.png"),
        };
        Tradeoff(files[0], outcome.Rows, r => r.Dcor, "dCor(X, Z) on test batches (V-statistic)");
        Tradeoff(files[1], outcome.Rows, r => r.InversionSsim, "inversion SSIM (attacker's reconstructions of test images)");
        Reconstructions(files[2], outcome);
        return files;
    }

    private static void Tradeoff(string path, IReadOnlyList<NoPeekRow> rows, Func<NoPeekRow, double> leakage, string label)
    {
        var plot = new Plot();
        plot.Title("NoPeek on Fashion-MNIST: accuracy against leakage");
        plot.XLabel(label);
        plot.YLabel("test accuracy");
        foreach (var group in rows.GroupBy(r => r.Noise))
        {
            var points = group.ToArray();
            var scatter = plot.Add.Scatter(points.Select(leakage).ToArray(), points.Select(r => r.TestAccuracy).ToArray());
            scatter.LegendText = group.Key > 0 ? FormattableString.Invariant($"Laplace noise {group.Key}") : "no noise";
            scatter.MarkerSize = 8;
            foreach (var r in points)
                plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"α={r.Alpha:G3}"), leakage(r), r.TestAccuracy);
        }
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 600);
    }

    /// <summary>Row 1: the held-out originals; then one row per setting (noise off first), reconstructed by the attacker.</summary>
    private static void Reconstructions(string path, NoPeekBenchmark.Outcome outcome)
    {
        const int side = 28, scale = 3, label = 150;
        var columns = NoPeekBenchmark.ShownImages;
        var rows = 1 + outcome.Samples.Count;
        using var bitmap = new SKBitmap(label + columns * side * scale, rows * side * scale);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var font = new SKFont(SKTypeface.Default, 16);
        void DrawRow(int row, float[] pixels, string name)
        {
            canvas.DrawText(name, 6, row * side * scale + side * scale / 2f + 6, font, paint);
            for (var image = 0; image < columns; image++)
                for (var y = 0; y < side; y++)
                    for (var x = 0; x < side; x++)
                    {
                        var value = (byte)Math.Clamp(pixels[image * side * side + y * side + x] * 255, 0, 255);
                        using var pixel = new SKPaint { Color = new SKColor(value, value, value) };
                        canvas.DrawRect(label + (image * side + x) * scale, (row * side + y) * scale, scale, scale, pixel);
                    }
        }
        DrawRow(0, outcome.Originals, "original");
        for (var i = 0; i < outcome.Samples.Count; i++)
        {
            var (row, pixels) = outcome.Samples[i];
            DrawRow(i + 1, pixels, string.Create(CultureInfo.InvariantCulture, $"α={row.Alpha:G3}{(row.Noise > 0 ? $" b={row.Noise:G2}" : "")}"));
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}

using ActorTrain.Nodes.Bench;
using SkiaSharp;

namespace ActorTrain.Nodes.Reports;

/// <summary>`bench invert`'s image grid (also `replay --attack invert --plot`): per model and stage (or update), the true images, then each label regime's reconstructions.</summary>
public static class InvertPlots
{
    private const int Side = 28, Scale = 2, Label = 170, Gap = 10;

    /// <summary>Writes invert-reconstructions.png into <paramref name="directory"/>.</summary>
    /// <returns>The file written.</returns>
    public static string Save(string directory, InvertBenchmark.Outcome outcome)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "invert-reconstructions.png");
        var columns = outcome.Grids.Max(g => g.Truth.Length) / (Side * Side);
        var rowsPerGrid = 1 + outcome.Grids.Max(g => g.Regimes.Count);
        var cell = Side * Scale;
        using var bitmap = new SKBitmap(Label + columns * cell, outcome.Grids.Count * (rowsPerGrid * cell + Gap));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var font = new SKFont(SKTypeface.Default, 14);
            for (var g = 0; g < outcome.Grids.Count; g++)
            {
                var grid = outcome.Grids[g];
                var top = g * (rowsPerGrid * cell + Gap);
                var rows = new List<(string, float[])> { ($"{grid.Model} {grid.Stage}: truth", grid.Truth) };
                rows.AddRange(grid.Regimes.Select(r => ($"labels {r.Regime}", r.Pixels)));
                for (var r = 0; r < rows.Count; r++)
                    canvas.DrawText(rows[r].Item1, 6, top + r * cell + cell / 2f + 5, font, paint);
                canvas.Flush();
                for (var r = 0; r < rows.Count; r++)
                    Draw(bitmap, rows[r].Item2, top + r * cell);
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
        return path;
    }

    /// <summary>Consecutive 28 × 28 images in [0, 1], left to right from the label column, each pixel a Scale × Scale block.</summary>
    private static void Draw(SKBitmap bitmap, float[] pixels, int top)
    {
        for (var i = 0; i < pixels.Length; i++)
        {
            var (image, y, x) = (i / (Side * Side), i / Side % Side, i % Side);
            var value = (byte)Math.Clamp(pixels[i] * 255, 0, 255);
            var color = new SKColor(value, value, value);
            for (var dy = 0; dy < Scale; dy++)
                for (var dx = 0; dx < Scale; dx++)
                    bitmap.SetPixel(Label + (image * Side + x) * Scale + dx, top + y * Scale + dy, color);
        }
    }
}

using ActorTrain.Tensors.Training;
using ScottPlot;

namespace ActorTrain.Nodes.Reports;

/// <summary>Loss (left axis) and test accuracy (right axis) over steps, as a PNG.</summary>
public static class TrainingPlot
{
    /// <summary>
    /// Saves the plot, or says why it could not: a finished run's result must not be lost to its picture (a machine without
    /// SkiaSharp's native library, a full disk).
    /// </summary>
    /// <returns>Null when the PNG was written, else the reason.</returns>
    public static string? TrySave(string path, string title, IReadOnlyList<CurvePoint> losses, IReadOnlyList<CurvePoint> accuracies)
    {
        try
        {
            Save(path, title, losses, accuracies);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or IOException or UnauthorizedAccessException)
        {
            var root = e;
            while (root.InnerException is not null) root = root.InnerException;
            return $"{root.GetType().Name}: {root.Message.Split('\n')[0]}";
        }
    }

    public static void Save(string path, string title, IReadOnlyList<CurvePoint> losses, IReadOnlyList<CurvePoint> accuracies)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("step");

        var loss = plot.Add.ScatterLine(losses.Select(p => (double)p.Step).ToArray(), Smooth(losses.Select(p => p.Value).ToArray()));
        loss.LegendText = "training loss (moving average)";
        loss.LineWidth = 1.5f;
        plot.Axes.Left.Label.Text = "loss";

        var accuracy = plot.Add.Scatter(accuracies.Select(p => (double)p.Step).ToArray(), accuracies.Select(p => p.Value).ToArray());
        accuracy.LegendText = "test accuracy";
        accuracy.Axes.YAxis = plot.Axes.Right;
        accuracy.MarkerSize = 6;
        plot.Axes.Right.Label.Text = "accuracy";
        plot.Axes.SetLimitsY(0, 1, plot.Axes.Right);

        plot.ShowLegend(Alignment.UpperCenter);
        plot.SavePng(path, 900, 500);
    }

    /// <summary>Trailing moving average over ~1% of the run, so a per-batch loss curve is readable.</summary>
    private static double[] Smooth(double[] values)
    {
        var window = Math.Max(1, values.Length / 100);
        var result = new double[values.Length];
        double sum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }
}

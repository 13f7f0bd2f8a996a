using System.Diagnostics;
using System.Globalization;
using ActorTrain.Tensors.Training;
using Spectre.Console;

namespace ActorTrain.Nodes.Cli;

/// <summary>
/// Shows training progress: a live bar on an interactive terminal, plain lines (about every 5% and at every
/// evaluation) when output is redirected, so logs stay readable.
/// </summary>
public sealed class ProgressView(TextWriter output, bool interactive)
{
    public static bool IsInteractive(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public T Run<T>(string title, Func<IProgress<TrainingProgress>, T> work)
    {
        if (!interactive)
        {
            output.WriteLine(title);
            return work(new PlainLines(output));
        }
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(title);
                return work(new LiveBar(task));
            });
    }

    private static string Describe(TrainingProgress p, double? lastAccuracy) =>
        string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.TotalSteps}  epoch {p.Epoch}  loss {p.Loss:F4}  test acc {(lastAccuracy is { } a ? a.ToString("F4", CultureInfo.InvariantCulture) : "-")}  {p.SamplesPerSecond:F0} samples/s");

    private sealed class LiveBar(ProgressTask task) : IProgress<TrainingProgress>
    {
        private double? _accuracy;

        public void Report(TrainingProgress value)
        {
            _accuracy = value.TestAccuracy ?? _accuracy;
            task.MaxValue = value.TotalSteps;
            task.Value = value.Step;
            task.Description = Markup.Escape(Describe(value, _accuracy));
        }
    }

    private sealed class PlainLines(TextWriter output) : IProgress<TrainingProgress>
    {
        private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
        private double? _accuracy;
        private int _lastStep;

        public void Report(TrainingProgress value)
        {
            _accuracy = value.TestAccuracy ?? _accuracy;
            var due = value.TestAccuracy is not null || value.Step - _lastStep >= Math.Max(1, value.TotalSteps / 20)
                      || _sinceLine.Elapsed.TotalSeconds > 30;
            if (!due) return;
            _lastStep = value.Step;
            _sinceLine.Restart();
            output.WriteLine($"[{100L * value.Step / value.TotalSteps,3}%] {Describe(value, _accuracy)}");
        }
    }
}

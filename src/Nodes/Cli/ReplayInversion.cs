using System.Globalization;
using System.Text.Json;
using ActorTrain.Actors.Recording;
using ActorTrain.Actors.Tap;
using ActorTrain.Nodes.Bench;
using ActorTrain.Nodes.Reports;
using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Nodes.Cli;

/// <summary>`actortrain replay --attack invert`: gradient inversion of a run's recorded full updates, one table row each.</summary>
internal static class ReplayInversion
{
    /// <summary>One inverted update as `replay --json` writes it (the pixels go to the --plot picture instead).</summary>
    internal sealed record Row(
        long Version, string WorkerId, int BatchSize, long[] Labels, long[]? TrueLabels, double? LabelAccuracy, double? Mse, double? Psnr, double? Ssim,
        double GradientDistance, int Iterations, double Seconds);

    /// <summary>Means over the inverted updates; a score is null when no update could be scored for it.</summary>
    internal sealed record Means(double? LabelAccuracy, double? Mse, double? Psnr, double? Ssim, double Seconds);

    /// <summary>What `replay --attack invert --json` writes.</summary>
    internal sealed record Summary(
        string RunId, string Journal, string Mode, string Model, string Labels, int Iterations, int Restarts, long? From, long? To, long Events,
        long Captured, long WithoutWeights, IReadOnlyList<SkippedEvent> Corrupt, IReadOnlyList<Row> Updates, Means Means, double Seconds);

    /// <param name="option">Where the value came from, for the error (an option or a configuration key).</param>
    public static LabelKnowledge ParseLabels(string value, string option = "--labels") => value.ToLowerInvariant() switch
    {
        "none" => LabelKnowledge.None,
        "rlg" => LabelKnowledge.Rlg,
        "true" => LabelKnowledge.True,
        _ => throw new ArgumentException($"{option} {value}: choose none, rlg or true."),
    };

    public static int Run(TextWriter output, Akka.Configuration.Config journal, string description, string runId, ReplayRange range,
        InversionReplayOptions options, string? json, string? plot, CancellationToken cancellation)
    {
        var labels = options.Labels.ToString().ToLowerInvariant();
        output.WriteLine(FormattableString.Invariant(
            $"inverting up to {options.MaxUpdates} update(s) of run {runId} (versions {range}) from {description}: labels {labels}, {options.Inversion.Iterations} steps × {options.Inversion.Restarts} restart(s)"));
        output.WriteLine("version  worker            batch  labels        true labels   label acc     MSE    PSNR    SSIM  distance  steps  seconds");
        var report = InversionReplay.RunAsync(journal, runId, range, options, u => output.WriteLine(Line(u)), cancellation).GetAwaiter().GetResult();
        foreach (var skipped in report.Corrupt)
            output.WriteLine($"skipped event {skipped.SequenceNr} of {skipped.PersistenceId}: {skipped.Reason}");
        var rows = report.Updates.Select(u => new Row(u.Version, u.WorkerId, u.BatchSize, u.Labels, u.TrueLabels, u.LabelAccuracy, u.Mse, u.Psnr, u.Ssim,
            u.GradientDistance, u.Iterations, u.Seconds)).ToArray();
        var means = new Means(Mean(rows.Select(r => r.LabelAccuracy)), Mean(rows.Select(r => r.Mse)), Mean(rows.Select(r => r.Psnr)),
            Mean(rows.Select(r => r.Ssim)), rows.Average(r => r.Seconds));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"inverted {rows.Length} update(s) of run {runId} ({report.Spec.Mode}, {report.Spec.Model}); mean label accuracy {Show(means.LabelAccuracy, "F2")}, PSNR {Show(means.Psnr, "F2")} dB, SSIM {Show(means.Ssim, "F3")}, MSE {Show(means.Mse, "F4")}, {means.Seconds:F1} s per update; {report.WithoutWeights} captured update(s) without recorded weights passed over, {report.Corrupt.Count} corrupt event(s) skipped"));
        if (means.Psnr is null) output.WriteLine("no recorded inputs to score the reconstructions against (record with --record-inputs)");
        if (json is not null)
            ReportFiles.Write(json, JsonSerializer.Serialize(new Summary(runId, description, report.Spec.Mode, report.Spec.Model, labels,
                options.Inversion.Iterations, options.Inversion.Restarts, range.From, range.To, report.Events, report.Captured, report.WithoutWeights,
                report.Corrupt, rows, means, report.Seconds), TrainingReport.Json));
        if (plot is not null) output.WriteLine($"wrote {Plot(plot, report, labels)}");
        return 0;
    }

    private static string Line(InvertedUpdate u) => string.Create(CultureInfo.InvariantCulture,
        $"{u.Version,7}  {u.WorkerId,-16}  {u.BatchSize,5}  {string.Join(',', u.Labels),-12}  {(u.TrueLabels is null ? "-" : string.Join(',', u.TrueLabels)),-12}  {Show(u.LabelAccuracy, "F2"),9}  {Show(u.Mse, "F4"),6}  {Show(u.Psnr, "F2"),6}  {Show(u.Ssim, "F3"),6}  {u.GradientDistance,8:G3}  {u.Iterations,5}  {u.Seconds,7:F2}");

    private static string Show(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";

    private static double? Mean(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        return present.Length == 0 ? null : present.Average();
    }

    /// <summary>A PNG per inverted update: the recorded inputs (blank when not recorded) above the reconstructions.</summary>
    private static string Plot(string path, InversionReplayReport report, string labels)
    {
        var grids = report.Updates.Select(u => new InvertBenchmark.Grid(report.Spec.Model, $"v{u.Version} {u.WorkerId}",
            u.Truth ?? new float[u.Reconstruction.Length], [(labels, u.Reconstruction)])).ToArray();
        var written = InvertPlots.Save(Path.GetDirectoryName(Path.GetFullPath(path))!, new InvertBenchmark.Outcome([], grids));
        if (Path.GetFullPath(path) != written) File.Move(written, Path.GetFullPath(path), overwrite: true);
        return path;
    }
}

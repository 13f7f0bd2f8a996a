using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.Recording;
using ActorTrain.Actors.Tap;
using ActorTrain.Nodes.Reports;

namespace ActorTrain.Nodes.Cli;

/// <summary>`actortrain replay`: an offline attack on a run's recorded updates, through the same tap code as online.</summary>
public static class ReplayCommand
{
    /// <summary>What `replay --json` writes.</summary>
    internal sealed record ReplaySummary(
        string RunId, string Journal, long? From, long? To, long Events, long Replayed, long PayloadBytes, double Seconds,
        double MegabytesPerSecond, long WithTruth, IReadOnlyList<SkippedEvent> Corrupt, TapSummary Tap);

    public static Command Create()
    {
        var journal = new Option<string>("--journal") { Description = "sqlite:PATH | postgres:CONNECTION-STRING", Required = true };
        var run = new Option<string>("--run") { Description = "The run id (`actortrain runs --journal ...` lists them).", Required = true };
        var from = new Option<long?>("--from") { Description = "First version (step) to replay." };
        var to = new Option<long?>("--to") { Description = "Last version (step) to replay." };
        var attack = new Option<string>("--attack") { Description = "rlg (label revelation) | invert (gradient inversion of full updates; record with --capture all --capture-weights).", Required = true };
        var labels = new Option<string>("--labels") { Description = "invert: what the attacker knows of the labels: none | rlg (default) | true (recorded with --record-labels).", DefaultValueFactory = _ => "rlg" };
        var maxUpdates = new Option<int>("--max-updates") { Description = "invert: most updates to invert (8).", DefaultValueFactory = _ => 8 };
        var iterations = new Option<int?>("--iterations") { Description = "invert: most optimisation steps per restart (400)." };
        var restarts = new Option<int?>("--restarts") { Description = "invert: restarts, keeping the best gradient match (1)." };
        var plot = new Option<string?>("--plot") { Description = "invert: write a PNG here, recorded inputs above the reconstructions." };
        var log = new Option<string?>("--log") { Description = "Write each update's revealed labels here, one JSON line each (as the online tap's revealed.jsonl)." };
        var json = new Option<string?>("--json") { Description = "Also write the summary here." };
        var command = new Command("replay", "Attack a recorded run offline: stream its updates from the journal into the tap; score against recorded labels when present.")
            { journal, run, from, to, attack, log, json, labels, maxUpdates, iterations, restarts, plot };
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            return Task.FromResult(UserErrors.Guard(parse.InvocationConfiguration.Error, () =>
            {
                var attackName = parse.GetValue(attack)!.ToLowerInvariant();
                if (attackName is not ("rlg" or "invert")) throw new ArgumentException($"--attack {parse.GetValue(attack)}: choose rlg or invert.");
                var range = new ReplayRange(parse.GetValue(from), parse.GetValue(to));
                if (range.From > range.To) throw new ArgumentException($"--from {range.From} is after --to {range.To}.");
                var spec = parse.GetValue(journal)!;
                var runId = parse.GetValue(run)!;
                if (attackName == "invert")
                {
                    var defaults = Tensors.Attacks.GradientInversionOptions.Default;
                    var options = new InversionReplayOptions(ReplayInversion.ParseLabels(parse.GetValue(labels)!), parse.GetValue(maxUpdates),
                        defaults with { Iterations = parse.GetValue(iterations) ?? defaults.Iterations, Restarts = parse.GetValue(restarts) ?? defaults.Restarts });
                    if (options.MaxUpdates < 1) throw new ArgumentException($"--max-updates {options.MaxUpdates}: must be at least 1.");
                    var (invertConfig, invertDescription) = JournalConfig.OpenExisting(spec);
                    return ReplayInversion.Run(output, invertConfig, invertDescription, runId, range, options, parse.GetValue(json), parse.GetValue(plot), cancellation);
                }
                var (config, description) = JournalConfig.OpenExisting(spec);
                output.WriteLine($"replaying run {runId} (versions {range}) from {description}");
                var settings = new TapSettings { LogFile = parse.GetValue(log) };
                var report = UpdateReplay.RunAsync(config, runId, range, settings,
                    p => output.WriteLine(FormattableString.Invariant($"  {p.Replayed} updates replayed ({p.PayloadBytes / 1e6:F1} MB, {p.Seconds:F1} s)")),
                    cancellation).GetAwaiter().GetResult();
                foreach (var skipped in report.Corrupt)
                    output.WriteLine($"skipped event {skipped.SequenceNr} of {skipped.PersistenceId}: {skipped.Reason}");
                var tap = TapSummary.From(attackName, report.Tap);
                var megabytesPerSecond = report.Done.PayloadBytes / 1e6 / Math.Max(report.Done.Seconds, 1e-9);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"replayed {report.Done.Replayed} updates of run {runId} ({report.Spec.Mode}, {report.Spec.Model}), {report.Done.PayloadBytes / 1e6:F1} MB in {report.Done.Seconds:F1} s ({megabytesPerSecond:F1} MB/s with the attack), {report.Corrupt.Count} corrupt event(s) skipped"));
                output.WriteLine(tap.Describe());
                if (parse.GetValue(json) is { } path)
                    ReportFiles.Write(path, JsonSerializer.Serialize(new ReplaySummary(runId, description, range.From, range.To, report.Done.Events,
                        report.Done.Replayed, report.Done.PayloadBytes, report.Done.Seconds, megabytesPerSecond, report.WithTruth, report.Corrupt, tap),
                        TrainingReport.Json));
                return 0;
            }));
        });
        return command;
    }
}

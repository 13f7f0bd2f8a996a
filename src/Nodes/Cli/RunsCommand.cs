using System.CommandLine;
using System.Text.Json;
using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.Recording;
using ActorTrain.Nodes.Reports;

namespace ActorTrain.Nodes.Cli;

/// <summary>`actortrain runs --journal ...`: the runs a journal holds, with what was recorded for each.</summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var journal = new Option<string>("--journal") { Description = "sqlite:PATH | postgres:CONNECTION-STRING", Required = true };
        var json = new Option<string?>("--json") { Description = "Also write the list to this file." };
        var command = new Command("runs", "List the runs recorded in a journal.") { journal, json };
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            return Task.FromResult(UserErrors.Guard(parse.InvocationConfiguration.Error, () =>
            {
                var (config, description) = JournalConfig.OpenExisting(parse.GetValue(journal)!);
                var runs = RecordedRuns.ListAsync(config, cancellation).GetAwaiter().GetResult();
                output.WriteLine($"{runs.Count} run(s) in {description}");
                output.WriteLine($"{"run",-40} {"updates",8} {"MB",9} {"versions",15} {"labels",7} recoverable");
                foreach (var r in runs)
                    output.WriteLine(FormattableString.Invariant(
                        $"{r.RunId,-40} {r.Updates,8} {r.UpdateBytes / 1e6,9:F2} {(r.FirstVersion is null ? "-" : $"{r.FirstVersion}..{r.LastVersion}"),15} {r.Labels,7} {(r.Recoverable ? "yes" : "no")}"));
                if (parse.GetValue(json) is { } path) ReportFiles.Write(path, JsonSerializer.Serialize(runs, TrainingReport.Json));
                return 0;
            }));
        });
        return command;
    }
}

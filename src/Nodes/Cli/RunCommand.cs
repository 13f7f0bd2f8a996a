using System.CommandLine;
using ActorTrain.Actors.Hosting;
using ActorTrain.Nodes.Configuration;
using ActorTrain.Nodes.Reports;
using ActorTrain.Nodes.Training;

namespace ActorTrain.Nodes.Cli;

/// <summary>`actortrain run`: an embedded one-process cluster (parameter server + K workers) — the main job.</summary>
public static class RunCommand
{
    public static Command Create(Option<string?> configOption)
    {
        var train = new TrainOptions();
        var cluster = new ClusterOptions();
        var command = new Command("run", "Train on a real Akka cluster inside this process: a parameter server and K workers.");
        train.AddTo(command);
        cluster.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            return Task.FromResult(UserErrors.Guard(parse.InvocationConfiguration.Error, () =>
            {
                var settings = ClusterSettings.Resolve(ActorTrainConfiguration.Load(parse.GetValue(configOption)), train.Read(parse), cluster.Read(parse));
                var view = new ProgressView(output, ProgressView.IsInteractive(output));
                var runId = parse.GetValue(train.RunId) ?? RunDirectory.NewRunId("cluster");
                var journal = settings.JournalFor(RunDirectory.PathFor(settings.Train.RunsDirectory, runId));
                var report = ClusterRun.Execute(settings, runId, journal.Persistent, view, output, setup =>
                    EmbeddedCluster.RunAsync(setup, settings.Workers, settings.Train.Training.Device, settings.Train.DataDirectory,
                        journal.Config.WithFallback(settings.Cluster), settings.LogLevel, cancellation,
                        ClusterRun.ThreadsPerWorker(settings.Train, settings.Workers), settings.Train.FortunesDirectory, settings.Tap,
                        settings.UpdateTransforms));
                TrainCommand.Finish(report, parse.GetValue(train.Json), output);
                return 0;
            }));
        });
        return command;
    }
}

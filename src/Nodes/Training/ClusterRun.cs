using System.Globalization;
using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Nodes.Cli;
using ActorTrain.Nodes.Reports;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using TorchSharp;

namespace ActorTrain.Nodes.Training;

/// <summary>
/// Cluster training as the parameter server's node sees it: prepares the run (data, spec, run directory), lets a
/// host run it (`run`: an embedded cluster; `node --role ps`: a cluster member), and writes the report.
/// </summary>
public static class ClusterRun
{
    public delegate Task<RunOutcome> Host(ParameterServerSetup setup);

    /// <param name="persistent">Whether the host's actor system journals the parameter server (see <see cref="ClusterSettings.JournalFor"/>).</param>
    public static TrainingReport Execute(ClusterSettings settings, string runId, bool persistent, ProgressView view, TextWriter output, Host host)
    {
        var train = settings.Train;
        var data = TrainRun.LoadData(train);
        var modelSpec = new ModelSpec(train.Model, data.Train.SampleShape, data.Train.ClassCount, train.Hidden);
        if (settings.Split is { } split)
        {
            if (persistent) throw new ArgumentException("--journal records parameter-server steps; a split run has none yet. Drop --journal or --split.");
            using var probe = modelSpec.Build(train.Training.Seed);
            if (!probe.CutPoints.Contains(split.Cut))
                throw new ArgumentException($"--split {split.Cut}: the {train.Model} model's cut points are {string.Join(", ", probe.CutPoints)}.");
        }
        else if (persistent)
        {
            using var probe = modelSpec.Build(train.Training.Seed);
            settings.Capture.Select(ParameterLayout.Of(probe), probe.ProjectionLayer); // a misspelt --capture fails here, not in the server
        }
        var run = RunDirectory.Create(train.RunsDirectory, runId);
        File.WriteAllText(run.File("config.conf"), train.ToHocon());
        var spec = new RunSpec(run.RunId, settings.Mode.Name(), train.Model, train.Hidden, train.Dataset, train.Synthetic, CorpusChecked(train),
            train.Training.BatchSize, train.Training.Seed, train.Training.Optimizer, train.Training.LearningRate,
            train.Training.Momentum, settings.LocalSteps, settings.RecordLabels, settings.Split,
            settings.RecordInputs, settings.LocalStepsMax, settings.PeriodDoubleEvery);
        output.WriteLine(settings.Split is { } s
            ? $"run {run.RunId}: {train.Model} on {data.Train.Name}, split learning at {s.Cut}{Defenses(s)}, global batch {train.Training.BatchSize}"
            : $"run {run.RunId}: {train.Model} on {data.Train.Name}, {settings.Mode.Name()} mode, global batch {train.Training.BatchSize}");

        var outcome = view.Run($"cluster training {train.Model} ({settings.Mode.Name()})", progress =>
        {
            var setup = new ParameterServerSetup(
                spec,
                () => new ParameterStore(
                    modelSpec.Build(train.Training.Seed),
                    Optimizers.Create(train.Training.Optimizer, train.Training.LearningRate, train.Training.Momentum)),
                data.Test, data.Train.Count, train.Training.Epochs, train.Training.Steps, train.Training.EvaluationPoints,
                settings.MinWorkers, settings.StragglerTimeout, settings.MaxStaleness, settings.MaxUpdateBytes,
                run.File("steps.jsonl"), _ => { }, progress, train.Threads, persistent, settings.SnapshotEvery, settings.Capture);
            return host(setup).GetAwaiter().GetResult();
        });

        var report = new TrainingReport(
            run.RunId, "cluster", train.Model, train.Dataset, data.Train.ClassCount, outcome.FinalWeights.Length, (int)outcome.Steps,
            train.Training.BatchSize, train.Training.Optimizer, train.Training.LearningRate, train.Training.Seed, train.Training.Device,
            outcome.TestAccuracy, outcome.FinalLoss, outcome.SamplesPerSecond, outcome.TrainingSeconds, run.Path,
            outcome.TestAccuracies.Select(p => new AccuracyPoint(p.Step, p.Value)).ToArray(),
            outcome.MaxWorkers, settings.Mode.Name(), outcome.RejectedUpdates, outcome.RejectedByReason,
            outcome.Tap is { Inversion: null, Gradients: null } tap ? TapSummary.From(settings.Attack ?? "rlg", tap) : null, outcome.SplitFedRounds,
            outcome.Tap is { } inverted ? (IInversionSummary?)InversionSummary.From(inverted) ?? GradientInversionSummary.From(inverted) : null, outcome.Defense,
            settings.Split is null ? UpdatesSummary(settings, outcome, data.Train.Count) : null);
        if (report.Updates is { } updates) output.WriteLine(updates.Describe());
        if (report.Tap is { } summary) output.WriteLine(summary.Describe());
        if (report.Inversion is { } inversion) output.WriteLine(inversion.Describe());
        if (report.SplitfedRounds is { } rounds) output.WriteLine($"splitfed: {rounds} averaging rounds of the client segments");
        if (report.Defense is { } d)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"defense: α {d.Alpha}, noise {d.Noise} {d.NoiseScale}: dCor(X, Z) mean {d.MeanDcor:F3}, last tenth {d.FinalDcor:F3} over {d.BatchesMeasured} batches measured"));
        File.WriteAllText(run.File("result.json"), report.ToJson());
        if (TrainingPlot.TrySave(run.File("plot.png"), $"{train.Model} on {train.Dataset}, {settings.Mode.Name()} ({run.RunId})", outcome.Losses, outcome.TestAccuracies) is { } problem)
            output.WriteLine($"warning: plot.png not written ({problem}); the result is complete.");
        return report;
    }

    /// <summary>Bytes received and, with noise, the privacy per example; a worker's sampling rate is its batch over its
    /// shard (⌈B/K⌉ of N/K samples; local-sgd: H batches a round), and it sent one update per step (async: one in K).</summary>
    private static UpdateWireSummary UpdatesSummary(ClusterSettings settings, RunOutcome outcome, int trainSamples)
    {
        var workers = Math.Max(1, outcome.MaxWorkers);
        var batch = (settings.Train.Training.BatchSize + workers - 1) / workers;
        var perRound = settings.Mode == Actors.ParameterServer.AggregationMode.LocalSgd ? (long)batch * settings.LocalSteps : batch;
        var updates = settings.Mode == Actors.ParameterServer.AggregationMode.Async ? (outcome.Steps + workers - 1) / workers : outcome.Steps;
        return UpdateWireSummary.From(settings.UpdateTransforms ?? Tensors.Compression.UpdateTransformOptions.None, outcome.Steps,
            outcome.UpdateBytes, outcome.DenseUpdateBytes, perRound, trainSamples / workers, updates);
    }

    /// <summary>The fortunes options with this node's corpus digest: a worker whose fortune files differ refuses the run.</summary>
    private static FortunesOptions CorpusChecked(TrainSettings train) =>
        train.Dataset == "fortunes" ? train.Fortunes with { Digest = FortunesCorpus.Read(train.FortunesDirectory).Digest } : train.Fortunes;

    private static string Defenses(Actors.Protocol.SplitSpec split) =>
        (split.AverageEvery > 0 ? $", SplitFed every {split.AverageEvery} steps" : "")
        + (split.Alpha > 0 ? FormattableString.Invariant($", NoPeek α = {split.Alpha}") : "")
        + (split.Noise != "none" ? FormattableString.Invariant($", {split.Noise} noise {split.NoiseScale}") : "");

    /// <summary>CPU workers in one process split its cores (--threads, when given, is per worker).</summary>
    public static int ThreadsPerWorker(TrainSettings train, int localWorkers) =>
        train.Threads > 0 ? train.Threads : Math.Max(1, Environment.ProcessorCount / Math.Max(1, localWorkers));
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Nodes.Tests.Cli;
using ScottPlot;
using Xunit.Abstractions;

namespace ActorTrain.Nodes.Tests.Soak;

/// <summary>
/// Load: a parameter server and eight worker processes on this machine, async mode, thousands of steps, the resident
/// memory of every process sampled throughout. Asserts no committed step is lost or repeated, the run reaches its
/// accuracy, and no process grows by more than <see cref="GrowthBoundMiB"/> MiB between the end of warm-up (a quarter
/// of the run) and the end: a leaked tensor per step would grow a worker by hundreds of MiB over these steps.
/// Writes soak-memory.csv and soak-memory.png (RSS over committed steps per process) to out/soak.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output) : IDisposable
{
    private const int Workers = 8;
    private const double GrowthBoundMiB = 64;
    private const double AccuracyTarget = 0.80;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(9);
    private readonly ProcessGroup _processes = new();

    public void Dispose() => _processes.Dispose();

    [SoakFact]
    public async Task EightWorkersAsync_ThousandsOfSteps_NoLostStepAndNoMemoryGrowth()
    {
        var steps = int.Parse(Environment.GetEnvironmentVariable("ACTORTRAIN_SOAK_STEPS") ?? "4000", CultureInfo.InvariantCulture);
        var port = ActorTrainProcess.FreePort();
        // Async with eight workers: an update is typically seven versions old when it arrives, so the staleness bound
        // (default 4) is raised, and momentum and learning rate lowered, or stale heavy-ball steps diverge.
        var config = _processes.File("soak.conf");
        File.WriteAllText(config, $"actortrain.parameter-server.max-staleness = {2 * Workers}");
        var ps = Start("ps", "node", "--role", "ps", "--port", port.ToString(), "--mode", "async", "--min-workers", Workers.ToString(),
            "--model", "mlp", "--threads", "1", "--batch-size", (64 * Workers).ToString(), "--lr", "0.02", "--momentum", "0.5",
            "--config", config, "--steps", steps.ToString(), "--evaluations", "4",
            "--runs-dir", _processes.File("runs"), "--run-id", "soak", "--json", _processes.File("result.json"));
        for (var i = 1; i <= Workers; i++)
            Start($"worker-{i}", "node", "--role", "worker", "--seed", $"127.0.0.1:{port}", "--workers", "1", "--threads", "1");

        var samples = await SampleUntilExit(ps);
        Assert.True(ps.ExitCode == 0, ps.Output);
        foreach (var process in _processes.All) await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var log = StepLogEntry.ReadAll(_processes.File("runs/soak/steps.jsonl"));
        Assert.Equal(Enumerable.Range(1, steps).Select(i => (long)i), log.Select(e => e.Step));
        Assert.Equal(Workers, log.SelectMany(e => e.Workers).Distinct().Count());
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(_processes.File("result.json")));
        var accuracy = result.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy >= AccuracyTarget, $"test accuracy {accuracy} < {AccuracyTarget}");

        var growth = Report(samples, steps);
        Assert.All(growth, g => Assert.True(g.MiB <= GrowthBoundMiB, $"{g.Process} grew {g.MiB:F1} MiB after warm-up (bound {GrowthBoundMiB} MiB)"));
    }

    private ActorTrainProcess Start(string name, params string[] args) => _processes.Start(name, args);

    private async Task<List<MemorySample>> SampleUntilExit(ActorTrainProcess ps)
    {
        var samples = new List<MemorySample>();
        var clock = Stopwatch.StartNew();
        var stepsFile = _processes.File("runs/soak/steps.jsonl");
        while (!ps.HasExited)
        {
            Assert.True(clock.Elapsed < Limit, $"the soak run did not finish within {Limit}:\n{ps.Output}");
            var committed = File.Exists(stepsFile) ? CountLines(stepsFile) : 0;
            foreach (var process in _processes.All)
                if (!process.HasExited && MemorySampler.ResidentBytes(process.Id) is { } rss)
                    samples.Add(new MemorySample(process.Name, clock.Elapsed.TotalSeconds, committed, rss));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        await ps.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return samples;
    }

    private static long CountLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        long lines = 0;
        while (reader.ReadLine() is not null) lines++;
        return lines;
    }

    /// <summary>Per process: median RSS once a quarter of the steps are done vs over the last fifth; table, CSV and plot.</summary>
    private List<(string Process, double MiB)> Report(List<MemorySample> samples, int steps)
    {
        var directory = Path.Combine(ActorTrainProcess.RepositoryRoot(), "out", "soak");
        Directory.CreateDirectory(directory);
        MemorySampler.WriteCsv(Path.Combine(directory, "soak-memory.csv"), samples);
        var plot = new Plot();
        plot.Title($"Soak: {Workers} async workers, {steps} steps — resident memory per process");
        plot.XLabel("committed steps");
        plot.YLabel("RSS (MiB)");
        var growth = new List<(string, double)>();
        output.WriteLine($"{"process",-10} {"warm MiB",9} {"end MiB",9} {"growth",8}");
        foreach (var group in samples.GroupBy(s => s.Process))
        {
            var line = plot.Add.ScatterLine(group.Select(s => (double)s.Steps).ToArray(), group.Select(s => s.ResidentBytes / 1048576.0).ToArray());
            line.LegendText = group.Key;
            var warm = Median(group.Where(s => s.Steps >= steps / 4 && s.Steps <= steps * 2 / 5));
            var end = Median(group.Where(s => s.Steps >= steps * 4 / 5));
            growth.Add((group.Key, end - warm));
            output.WriteLine($"{group.Key,-10} {warm,9:F1} {end,9:F1} {end - warm,8:F1}");
        }
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(Path.Combine(directory, "soak-memory.png"), 1000, 560);
        output.WriteLine($"samples and plot: {directory}");
        return growth;
    }

    private static double Median(IEnumerable<MemorySample> samples)
    {
        var values = samples.Select(s => s.ResidentBytes / 1048576.0).Order().ToArray();
        Assert.True(values.Length > 0, "too few memory samples in a window: the run was faster than the 2 s sampling; raise ACTORTRAIN_SOAK_STEPS");
        return values[values.Length / 2];
    }
}

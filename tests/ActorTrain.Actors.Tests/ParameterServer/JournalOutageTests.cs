using System.Collections.Concurrent;
using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Tensors.Training;
using Akka.Configuration;
using Xunit.Abstractions;

namespace ActorTrain.Actors.Tests.ParameterServer;

/// <summary>
/// The journal database goes away in the middle of a run and comes back: the parameter server stops, says why,
/// is restarted with backoff until it can recover, and the run finishes with every step committed exactly once.
/// </summary>
public sealed class JournalOutageTests(ITestOutputHelper output) : IDisposable
{
    private const int Steps = 120;
    private const int CloseAfter = 40;
    private readonly string _directory = Directory.CreateTempSubdirectory("actortrain-outage-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Run_DatabaseClosedMidRunAndReopened_ResumesFromTheLastCommittedStep_WithNoStepLostOrRepeated()
    {
        await using var database = await OutageDatabase.CreateAsync(ParameterServerRecoveryTests.PostgresConnection);
        var logKey = Guid.NewGuid().ToString("N");
        var config = ConfigurationFactory.ParseString($"""
                {LogCapture.Config(logKey)}
                actortrain.worker.register-interval = 200ms
                actortrain.persistence.restart-backoff.min = 200ms
                actortrain.persistence.restart-backoff.max = 1s
                """)
            .WithFallback(JournalConfig.Parse($"postgres:{database.ConnectionString}", "unused").Config);
        var stepLog = Path.Combine(_directory, "steps.jsonl");
        var appliedAt = new ConcurrentDictionary<int, DateTime>();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Closed from the server's own thread right after step 40 is applied: the journal write of step 41 fails.
        var progress = new Synchronous(p =>
        {
            appliedAt.TryAdd(p.Step, DateTime.UtcNow);
            if (p.Step != CloseAfter || closed.Task.IsCompleted) return;
            database.Close();
            closed.SetResult();
        });
        var spec = TestSpecs.Spec(globalBatch: 16) with { RunId = $"outage-{Guid.NewGuid():N}" };
        var setup = TestSpecs.Setup(spec, steps: Steps, stepLog: stepLog) with { Persistent = true, SnapshotEvery = 25, Progress = progress };

        var run = EmbeddedCluster.RunAsync(setup, workers: 2, "cpu", "unused", config, "WARNING");
        // Generous limits: on a loaded 2-core machine (other test processes, builds) 40 journaled steps took over 30 s.
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(120));
        var log = LogCapture.Lines(logKey);
        // Down for a while: the failed write, then at least two failed recoveries while the database stays closed.
        await AwaitAsync(() => log.Count(l => l.Contains("cannot recover: the journal")) >= 2, TimeSpan.FromSeconds(60));
        await database.OpenAsync();
        var reopened = DateTime.UtcNow;
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(120));

        var steps = StepLogEntry.ReadAll(stepLog).Select(e => e.Step).ToArray();
        Assert.Equal(Steps, outcome.Steps);
        Assert.Equal(Enumerable.Range(1, Steps).Select(i => (long)i), steps); // contiguous: none lost, none applied twice
        var where = $"postgres:127.0.0.1:5432/{database.Name}";
        Assert.Contains(log, l => l.Contains($"the journal ({where}) is unreachable or failing: could not journal step {CloseAfter + 1}"));
        Assert.Contains(log, l => l.Contains($"recovered at version {CloseAfter}"));
        var resumed = appliedAt[CloseAfter + 1] - reopened;
        output.WriteLine($"step {CloseAfter + 1} applied {resumed.TotalSeconds:F2} s after the database accepted connections again");
        Assert.InRange(resumed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    private static async Task AwaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {timeout}");
            await Task.Delay(50);
        }
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Synchronous(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.ParameterServer;

/// <summary>
/// A parameter server journaling to SQLite is stopped with its whole actor system; a new one on the same journal
/// resumes at the last committed step with the same weights and optimizer state (snapshot + replayed steps).
/// </summary>
public sealed class ParameterServerRecoveryTests : TestKit, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("actortrain-journal-").FullName;
    private readonly RunSpec _spec = TestSpecs.Spec(globalBatch: 8, lr: 0.1, momentum: 0.9) with { RunId = $"recovery-{Guid.NewGuid():N}" };

    /// <summary>The PostgreSQL that deploy/install-prerequisites.sh sets up (.ci/run runs it); override with ACTORTRAIN_TEST_POSTGRES.</summary>
    public static string PostgresConnection =>
        Environment.GetEnvironmentVariable("ACTORTRAIN_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=actortrain;Password=actortrain;Database=actortrain";

    public ParameterServerRecoveryTests() : base(TestSpecs.Cluster())
    {
    }

    void IDisposable.Dispose()
    {
        Shutdown();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<ActorSystem> Node(Config journal)
    {
        var system = ActorSystem.Create("actortrain", journal.WithFallback(TestSpecs.Cluster()));
        await EmbeddedCluster.JoinSelf(system, CancellationToken.None);
        return system;
    }

    /// <summary>Drives a server with a scripted worker: <paramref name="steps"/> updates; the first and the last order.</summary>
    private (StepOrder First, StepOrder Last) Drive(ActorSystem system, bool persistent, int steps, Func<long, float[]> gradient)
    {
        var setup = TestSpecs.Setup(_spec, steps: 1000) with { Persistent = persistent, SnapshotEvery = 5 };
        var server = system.ActorOf(ParameterServerActor.Props(setup));
        var worker = CreateTestProbe(system);
        worker.Send(server, new RegisterWorker("w0", "cpu"));
        worker.ExpectMsg<Welcome>(Wait);
        worker.Send(server, new WorkerReady(_spec.RunId, "w0"));
        var first = worker.ExpectMsg<StepOrder>(Wait);
        var order = first;
        for (var i = 0; i < steps; i++)
        {
            worker.Send(server, new WorkerUpdate(_spec.RunId, order.Version, "w0", 8, 0.5, UpdateKind.Gradient,
                order.Weights with { Values = gradient(order.Version) }));
            order = worker.ExpectMsg<StepOrder>(Wait);
        }
        return (first, order);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task NewServerOnTheSameJournal_ResumesAtTheLastStep_WithIdenticalState(string kind)
    {
        using var model = TestSpecs.BuildModel(_spec);
        var length = ParameterLayout.Of(model).TotalLength;
        float[] Gradient(long version) => Enumerable.Range(0, length).Select(i => (float)Math.Sin(i * 0.01 + version) * 0.05f).ToArray();
        var journal = JournalConfig.Parse(kind == "sqlite" ? "sqlite" : $"postgres:{PostgresConnection}", Path.Combine(_directory, "journal.db")).Config;

        // 7 steps: a snapshot at 5, steps 6 and 7 only in the journal.
        var firstNode = await Node(journal);
        var (_, beforeCrash) = Drive(firstNode, persistent: true, steps: 7, Gradient);
        await firstNode.Terminate();

        // The successor's first order is version 7 with the same weights; one more step continues exactly as an
        // uninterrupted run does, so the momentum buffers survived too.
        var secondNode = await Node(journal);
        var (resumed, continued) = Drive(secondNode, persistent: true, steps: 1, Gradient);
        await secondNode.Terminate();
        var (_, reference) = Drive(Sys, persistent: false, steps: 8, Gradient);

        Assert.Equal(7, beforeCrash.Version);
        Assert.Equal(7, resumed.Version);
        Assert.Equal(beforeCrash.Weights.Values, resumed.Weights.Values);
        Assert.Equal(8, continued.Version);
        Assert.Equal(reference.Weights.Values, continued.Weights.Values);
    }
}

using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using Akka.Actor;
using Akka.Configuration;
using Akka.Pattern;
using Akka.TestKit.Xunit2;
using Microsoft.Data.Sqlite;

namespace ActorTrain.Actors.Tests.ParameterServer;

/// <summary>
/// One journaled step is garbled on disk; a parameter server started on that journal refuses to start, names the
/// event's sequence number, and is not restarted into the same refusal by its backoff supervisor.
/// </summary>
public sealed class CorruptJournalTests : TestKit, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("actortrain-corrupt-").FullName;
    private readonly RunSpec _spec = TestSpecs.Spec(globalBatch: 8) with { RunId = $"corrupt-{Guid.NewGuid():N}" };

    public CorruptJournalTests() : base(TestSpecs.Cluster())
    {
    }

    void IDisposable.Dispose()
    {
        Shutdown();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string JournalPath => Path.Combine(_directory, "journal.db");

    private async Task<ActorSystem> Node()
    {
        var config = ConfigurationFactory.ParseString("actortrain.persistence.restart-backoff.min = 100ms\nactortrain.persistence.restart-backoff.max = 200ms")
            .WithFallback(JournalConfig.Sqlite(JournalPath)).WithFallback(TestSpecs.Cluster());
        var system = ActorSystem.Create("actortrain", config);
        await EmbeddedCluster.JoinSelf(system, CancellationToken.None);
        return system;
    }

    [Fact]
    public async Task Recovery_OverAStepWhosePayloadIsGarbled_RefusesToStart_NamingTheSequenceNumber_AndIsNotRetried()
    {
        // Six journaled steps (no snapshot yet, so every event is still there).
        var first = await Node();
        var server = first.ActorOf(ParameterServerActor.Props(TestSpecs.Setup(_spec, steps: 1000) with { Persistent = true }));
        var worker = CreateTestProbe(first);
        worker.Send(server, new RegisterWorker("w0", "cpu"));
        worker.ExpectMsg<Welcome>(Wait);
        worker.Send(server, new WorkerReady(_spec.RunId, "w0"));
        var order = worker.ExpectMsg<StepOrder>(Wait);
        for (var i = 0; i < 6; i++)
        {
            worker.Send(server, new WorkerUpdate(_spec.RunId, order.Version, "w0", 8, 0.5, UpdateKind.Gradient, order.Weights with { Values = new float[order.Weights.Values.Length] }));
            order = worker.ExpectMsg<StepOrder>(Wait);
        }
        await first.Terminate();

        // Flip one byte near the end of step 4's row: inside the aggregate, which its CRC-32C covers.
        var persistenceId = $"parameter-server-{_spec.RunId}";
        await using (var connection = new SqliteConnection($"Data Source={JournalPath}"))
        {
            await connection.OpenAsync();
            var read = connection.CreateCommand();
            read.CommandText = "SELECT message FROM journal WHERE persistence_id = $id AND sequence_number = 4";
            read.Parameters.AddWithValue("$id", persistenceId);
            var message = (byte[])(await read.ExecuteScalarAsync())!;
            message[^5] ^= 0x40;
            var write = connection.CreateCommand();
            write.CommandText = "UPDATE journal SET message = $m WHERE persistence_id = $id AND sequence_number = 4";
            write.Parameters.AddWithValue("$m", message);
            write.Parameters.AddWithValue("$id", persistenceId);
            Assert.Equal(1, await write.ExecuteNonQueryAsync());
        }

        var second = await Node();
        var failures = 0;
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        ClusterRoles.StartParameterServer(second, TestSpecs.Setup(_spec, steps: 1000) with
        {
            Persistent = true,
            OnFailed = e =>
            {
                Interlocked.Increment(ref failures);
                failed.TrySetResult(e);
            },
        });
        var refusal = Assert.IsType<CorruptJournalException>(await failed.Task.WaitAsync(Wait));
        Assert.Equal(4, refusal.SequenceNr);
        Assert.Equal(persistenceId, refusal.PersistenceId);
        Assert.Contains("sequence number 4", refusal.Message);
        Assert.Contains("checksum", refusal.Message);
        Assert.Contains(persistenceId, refusal.Message);

        // It stays up refusing, so the supervisor never restarts it (its backoff here is 100 ms): a registering
        // worker gets no welcome, and the restart count stays 0.
        var probe = CreateTestProbe(second);
        var proxy = ClusterRoles.ParameterServerProxy(second);
        proxy.Tell(new RegisterWorker("w0", "cpu"), probe.Ref);
        probe.ExpectNoMsg(TimeSpan.FromSeconds(1));
        var supervisor = await second.ActorSelection("/user/parameter-server/server").ResolveOne(Wait);
        var restarts = await supervisor.Ask<BackoffSupervisor.RestartCount>(BackoffSupervisor.GetRestartCount.Instance, Wait);
        Assert.Equal(0, restarts.Count);
        Assert.Equal(1, failures);
        await second.Terminate();
    }
}

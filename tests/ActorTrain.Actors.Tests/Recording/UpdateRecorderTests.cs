using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Recording;
using ActorTrain.Tensors.Training;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.Recording;

/// <summary>
/// A journaled run records what the capture policy asks for — only those parameters, in the dtype asked — and,
/// with label recording on, the batches' true labels in a stream of their own; both read back through
/// Akka.Persistence.Query as replay will.
/// </summary>
public sealed class UpdateRecorderTests : TestKit, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly string Directory_ = Directory.CreateTempSubdirectory("actortrain-capture-").FullName;
    private readonly RunSpec _spec = TestSpecs.Spec() with { RunId = $"capture-{Guid.NewGuid():N}", RecordLabels = true };

    public UpdateRecorderTests() : base(JournalConfig.Sqlite(Path.Combine(Directory_, "journal.db")).WithFallback(TestSpecs.Cluster()))
    {
        EmbeddedCluster.JoinSelf(Sys, CancellationToken.None).Wait(Wait);
    }

    void IDisposable.Dispose()
    {
        Shutdown();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Directory_, recursive: true);
    }

    [Fact]
    public async Task JournaledRun_RecordsOnlyTheProjectionLayer_InFloat16_AndTheLabelsApart()
    {
        var setup = TestSpecs.Setup(_spec, steps: 100) with { Persistent = true, Capture = new CapturePolicy("projection", Every: 2, Half: true) };
        var server = Sys.ActorOf(ParameterServerActor.Props(setup));
        var worker = CreateTestProbe();
        worker.Send(server, new RegisterWorker("w0", "cpu"));
        worker.ExpectMsg<Welcome>(Wait);
        worker.Send(server, new WorkerReady(_spec.RunId, "w0"));
        var order = worker.ExpectMsg<StepOrder>(Wait);
        var sent = new List<float[]>();
        for (var v = 0; v < 4; v++)
        {
            var values = Enumerable.Range(0, order.Weights.Values.Length).Select(i => (float)Math.Cos(i + v) * 0.01f).ToArray();
            sent.Add(values);
            worker.Send(server, new WorkerUpdate(_spec.RunId, v, "w0", 16, 0.3, UpdateKind.Gradient, order.Weights with { Values = values },
                Enumerable.Range(0, 16).Select(i => (long)((i + v) % 10)).ToArray()));
            order = worker.ExpectMsg<StepOrder>(Wait);
        }

        List<object> updates = [];
        List<object> labels = [];
        await AwaitAssertAsync(async () =>
        {
            updates = await Events(RecordingStreams.Updates(_spec.RunId));
            labels = await Events(RecordingStreams.Labels(_spec.RunId));
            Assert.Equal(3, updates.Count); // what the run trains, then versions 0 and 2: every second one
            Assert.Equal(4, labels.Count);
        }, Wait);

        Assert.Equal(_spec, ((RecordingStarted)updates[0]).Spec with { Hidden = _spec.Hidden });
        Assert.Equal(_spec.Hidden, ((RecordingStarted)updates[0]).Spec.Hidden);
        updates.RemoveAt(0);

        using var model = TestSpecs.BuildModel(_spec);
        var layout = ParameterLayout.Of(model);
        var projection = new[] { layout["projection.weight"], layout["projection.bias"] };
        foreach (var captured in updates.Cast<UpdateCaptured>())
        {
            Assert.Equal(["projection.weight", "projection.bias"], captured.Names);
            Assert.True(captured.Half);
            var expected = projection.SelectMany(s => sent[(int)captured.Version].Skip(s.Offset).Take(s.Length)).ToArray();
            var actual = captured.Values();
            Assert.Equal(expected.Length, actual.Length);
            // float16 keeps 11 significant bits: relative error ≤ 2^-11 for these magnitudes (all ≥ 6e-5, the fp16 normal range).
            for (var i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= Math.Abs(expected[i]) / 2048 + 1e-7, $"value {i}: {actual[i]} vs {expected[i]}");
        }
        Assert.Equal([0L, 2L], updates.Cast<UpdateCaptured>().Select(u => u.Version));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)((i + 3) % 10)), labels.Cast<LabelsRecorded>().Single(l => l.Version == 3).Labels);
    }

    [Fact]
    public async Task CaptureWeights_RecordsEachCapturedVersionsWeightsOnceBeforeItsUpdate_AndInputsOnlyInTheEvaluationStream()
    {
        var spec = _spec with { RecordInputs = true };
        var setup = TestSpecs.Setup(spec, steps: 100) with { Persistent = true, Capture = new CapturePolicy("all", Every: 2, Weights: true) };
        var server = Sys.ActorOf(ParameterServerActor.Props(setup));
        var worker = CreateTestProbe();
        var tap = CreateTestProbe();
        tap.Send(server, new SubscribeUpdates(spec.RunId));
        tap.ExpectMsg<UpdatesSubscribed>(Wait);
        worker.Send(server, new RegisterWorker("w0", "cpu"));
        worker.ExpectMsg<Welcome>(Wait);
        worker.Send(server, new WorkerReady(spec.RunId, "w0"));
        var order = worker.ExpectMsg<StepOrder>(Wait);
        var weights = new List<float[]>();
        for (var v = 0; v < 4; v++)
        {
            weights.Add((float[])order.Weights.Values.Clone());
            var values = Enumerable.Range(0, order.Weights.Values.Length).Select(i => (float)Math.Sin(i + v) * 0.01f).ToArray();
            worker.Send(server, new WorkerUpdate(spec.RunId, v, "w0", 2, 0.3, UpdateKind.Gradient, order.Weights with { Values = values },
                Inputs: [v, v + 0.5f]));
            Assert.Null(tap.FishForMessage<WorkerUpdate>(_ => true, Wait).Inputs); // the attack-facing copy carries no inputs
            order = worker.ExpectMsg<StepOrder>(Wait);
        }

        List<object> updates = [];
        List<object> evaluation = [];
        await AwaitAssertAsync(async () =>
        {
            updates = await Events(RecordingStreams.Updates(spec.RunId));
            evaluation = await Events(RecordingStreams.Labels(spec.RunId));
            Assert.Equal(5, updates.Count); // the spec, then weights and update of versions 0 and 2
            Assert.Equal(4, evaluation.Count);
        }, Wait);

        Assert.Equal([typeof(RecordingStarted), typeof(WeightsCaptured), typeof(UpdateCaptured), typeof(WeightsCaptured), typeof(UpdateCaptured)],
            updates.Select(e => e.GetType()));
        using var model = TestSpecs.BuildModel(spec);
        foreach (var recorded in updates.OfType<WeightsCaptured>())
        {
            Assert.Equal(ParameterLayout.Of(model).Slots.Select(s => s.Name), recorded.Names);
            Assert.Equal(weights[(int)recorded.Version], recorded.Values()); // float32: exact
        }
        Assert.Equal([0L, 2L], updates.OfType<WeightsCaptured>().Select(w => w.Version));
        Assert.Equal([0L, 2L], updates.OfType<UpdateCaptured>().Select(u => u.Version));
        Assert.Equal([3f, 3.5f], evaluation.Cast<InputsRecorded>().Single(i => i.Version == 3).Values);
    }

    [Fact]
    public void Select_UnknownParameter_ListsTheModelsParameters()
    {
        using var model = TestSpecs.BuildModel(_spec);
        var error = Assert.Throws<ArgumentException>(() => new CapturePolicy("decoder.weight").Select(ParameterLayout.Of(model), "projection"));
        Assert.Contains("projection.weight", error.Message);
    }

    /// <summary>The events journaled so far under one persistence id, in order.</summary>
    private async Task<List<object>> Events(string persistenceId) =>
        (await PersistenceQuery.Get(Sys).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)
            .CurrentEventsByPersistenceId(persistenceId, 0, long.MaxValue).RunWith(Sink.Seq<EventEnvelope>(), Sys.Materializer()))
        .Select(e => e.Event).ToList();
}

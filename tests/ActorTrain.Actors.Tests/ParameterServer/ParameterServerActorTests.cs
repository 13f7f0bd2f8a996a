using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.ParameterServer;

/// <summary>
/// A test probe plays a worker against a real parameter server (every message serialized, as if remote) and sends
/// it bad updates: each is rejected with its reason, counted, and training goes on.
/// </summary>
public sealed class ParameterServerActorTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly RunSpec _spec = TestSpecs.Spec(globalBatch: 8);
    private readonly ParameterLayout _layout;
    private RunOutcome? _outcome;

    public ParameterServerActorTests() : base(TestSpecs.Cluster(serializeEverything: true))
    {
        EmbeddedCluster.JoinSelf(Sys, CancellationToken.None).Wait(Wait);
        using var model = TestSpecs.BuildModel(_spec);
        _layout = ParameterLayout.Of(model);
    }

    private (IActorRef Server, TestProbe Worker, StepOrder First) StartWithOneWorker(long steps = 3, long maxUpdateBytes = long.MaxValue)
    {
        var setup = TestSpecs.Setup(_spec, steps, maxUpdateBytes: maxUpdateBytes) with { OnFinished = o => _outcome = o };
        var server = Sys.ActorOf(ParameterServerActor.Props(setup));
        var worker = CreateTestProbe();
        worker.Send(server, new RegisterWorker("w0", "cpu"));
        worker.ExpectMsg<Welcome>(Wait);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // registered is not ready: no work yet
        worker.Send(server, new WorkerReady("test-run", "w0"));
        var order = worker.ExpectMsg<StepOrder>(Wait);
        return (server, worker, order);
    }

    private WorkerUpdate Update(long version, float[]? values = null, TensorSet? tensors = null, string run = "test-run") =>
        new(run, version, "w0", 8, 0.7, UpdateKind.Gradient, tensors ?? TensorSet.FromLayout(_layout, values ?? new float[_layout.TotalLength]));

    private void ExpectRejected(TestProbe worker, IActorRef server, WorkerUpdate update, string reason)
    {
        worker.Send(server, update);
        var rejected = worker.ExpectMsg<UpdateRejected>(Wait);
        Assert.Contains(reason, rejected.Reason);
    }

    [Fact]
    public void BadUpdates_AreRejectedWithTheirReason_AndTrainingContinues()
    {
        var (server, worker, first) = StartWithOneWorker();
        Assert.Equal(0, first.Version);
        Assert.Equal(_layout.TotalLength, first.Weights.Values.Length);

        var nan = new float[_layout.TotalLength];
        nan[123] = float.NaN;
        ExpectRejected(worker, server, Update(0, nan), "non-finite values");
        // A non-finite update is a failed step: with no other worker in it, the step is released again at once (not
        // after the straggler timeout), and the run goes on unless failures keep coming (DivergenceWatch).
        Assert.Equal(0, worker.ExpectMsg<StepOrder>(Wait).Version);

        var names = _layout.Slots.Select(s => s.Name).ToArray();
        var shapes = _layout.Slots.Select(s => s.Shape).ToArray();
        var wrongShape = shapes.Select(s => s.ToArray()).ToArray();
        wrongShape[0] = [wrongShape[0][1], wrongShape[0][0]];
        ExpectRejected(worker, server, Update(0, tensors: new TensorSet(names, wrongShape, new float[_layout.TotalLength])), "has shape");

        var unknown = names.ToArray();
        unknown[1] = "decoder.bias";
        ExpectRejected(worker, server, Update(0, tensors: new TensorSet(unknown, shapes, new float[_layout.TotalLength])), "unknown parameter 'decoder.bias'");

        ExpectRejected(worker, server, Update(0, run: "other-run"), "unknown run 'other-run'");
        ExpectRejected(worker, server, Update(5), "future version 5");

        // A valid update for version 0 completes the step: version 1 is released.
        worker.Send(server, Update(0));
        Assert.Equal(1, worker.ExpectMsg<StepOrder>(Wait).Version);

        ExpectRejected(worker, server, Update(0), "stale version 0 (current 1)");

        worker.Send(server, Update(1));
        Assert.Equal(2, worker.ExpectMsg<StepOrder>(Wait).Version);
        worker.Send(server, Update(2));
        worker.ExpectMsg<RunFinished>(Wait);
        AwaitCondition(() => _outcome is not null, Wait);
        Assert.Equal(3, _outcome!.Steps);
        Assert.Equal(6, _outcome.RejectedUpdates);
        Assert.Equal(1, _outcome.RejectedByReason["stale version"]);
        Assert.Equal(1, _outcome.RejectedByReason["non-finite values"]);
    }

    [Fact]
    public void CompressedUpdate_IsDecodedBeforeItIsApplied_AndCountedAtItsCompressedSize()
    {
        var (server, worker, first) = StartWithOneWorker(steps: 2);
        var gradient = Enumerable.Range(0, _layout.TotalLength).Select(i => i % 97 == 0 ? 1f + i % 5 : 0f).ToArray();
        var packed = Tensors.Compression.UpdateCodec.Encode(gradient, Tensors.Compression.UpdateEncoding.Sparse);
        var compressed = Update(0, tensors: TensorSet.FromLayout(_layout, [])) with { Compressed = packed };

        var corrupt = compressed with { Compressed = packed with { Payload = packed.Payload[..^3] } };
        ExpectRejected(worker, server, corrupt, "undecodable Sparse payload");
        worker.Send(server, compressed);
        var next = worker.ExpectMsg<StepOrder>(Wait);

        // The test spec trains with plain SGD (lr 0.1, no momentum): w1 = w0 − lr·g, exactly what the dense update gives.
        for (var i = 0; i < gradient.Length; i++) Assert.Equal(first.Weights.Values[i] - 0.1f * gradient[i], next.Weights.Values[i], 1e-6f);
        worker.Send(server, Update(1));
        worker.ExpectMsg<RunFinished>(Wait);
        AwaitCondition(() => _outcome is not null, Wait);
        Assert.Equal(packed.ByteCount + 4L * _layout.TotalLength, _outcome!.UpdateBytes);
        Assert.Equal(2 * 4L * _layout.TotalLength, _outcome.DenseUpdateBytes);
    }

    [Fact]
    public void OversizedUpdate_IsRejectedBeforeItsContentIsExamined()
    {
        var (server, worker, _) = StartWithOneWorker(maxUpdateBytes: 4L * TestSpecs.BuildModel(_spec).parameters().Sum(p => p.numel()));
        var bytes = 4L * (_layout.TotalLength + 1);
        EventFilter.Warning(contains: $"Rejected update from worker w0 for version 0: oversized: {bytes} bytes exceeds the limit of {bytes - 4}").ExpectOne(() =>
            ExpectRejected(worker, server, Update(0, tensors: new TensorSet(["x"], [[_layout.TotalLength + 1]], new float[_layout.TotalLength + 1])), "oversized"));
        worker.Send(server, Update(0));
        Assert.Equal(1, worker.ExpectMsg<StepOrder>(Wait).Version);
    }

    [Fact]
    public void MessagesOfAnotherRun_AreRefusedWithALoggedReason_AndTrainingContinues()
    {
        var (server, worker, _) = StartWithOneWorker();
        EventFilter.Warning(contains: "Rejected update from worker w0 for version 0: unknown run 'other-run'").ExpectOne(() =>
            ExpectRejected(worker, server, Update(0, run: "other-run"), "unknown run 'other-run'"));
        EventFilter.Warning(contains: "it is ready for run 'other-run', but this parameter server trains run 'test-run'").ExpectOne(() =>
            worker.Send(server, new WorkerReady("other-run", "w0")));
        var subscriber = CreateTestProbe();
        EventFilter.Warning(contains: "subscribed to the updates of run 'other-run', but this parameter server trains run 'test-run'").ExpectOne(() =>
            subscriber.Send(server, new SubscribeUpdates("other-run")));
        subscriber.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // not subscribed: no UpdatesSubscribed

        worker.Send(server, Update(0));
        Assert.Equal(1, worker.ExpectMsg<StepOrder>(Wait).Version);
        worker.Send(server, Update(1));
        Assert.Equal(2, worker.ExpectMsg<StepOrder>(Wait).Version);
    }

    [Fact]
    public void UpdateFromUnregisteredActor_IsRejected()
    {
        var (server, _, _) = StartWithOneWorker();
        var stranger = CreateTestProbe();
        ExpectRejected(stranger, server, Update(0), "unknown worker 'w0'");
    }

    [Fact]
    public void SilentWorker_IsDroppedFromTheStep_AfterTheStragglerTimeout()
    {
        var setup = TestSpecs.Setup(_spec, steps: 2, straggler: TimeSpan.FromMilliseconds(500)) with { MinWorkers = 2 };
        var server = Sys.ActorOf(ParameterServerActor.Props(setup));
        var (active, silent) = (CreateTestProbe(), CreateTestProbe());
        active.Send(server, new RegisterWorker("a", "cpu"));
        silent.Send(server, new RegisterWorker("b", "cpu"));
        active.ExpectMsg<Welcome>(Wait);
        silent.ExpectMsg<Welcome>(Wait);
        active.Send(server, new WorkerReady("test-run", "a"));
        silent.Send(server, new WorkerReady("test-run", "b"));
        Assert.Equal(["a", "b"], active.ExpectMsg<StepOrder>(Wait).ShardMembers);

        active.Send(server, Update(0) with { WorkerId = "a" });

        // Without b the step commits after the timeout, and b is no longer in the shard list.
        var next = active.ExpectMsg<StepOrder>(Wait);
        Assert.Equal(1, next.Version);
        Assert.Equal(["a"], next.ShardMembers);
        Assert.Equal(8, next.WorkerBatchSize); // the whole global batch now
    }

    [Fact]
    public void Async_UpdateStalerThanTheBound_IsRejectedAndTheWorkerGetsFreshWeights()
    {
        var setup = TestSpecs.Setup(TestSpecs.Spec("async", globalBatch: 8), steps: 100) with { MinWorkers = 2 }; // bound 2
        var server = Sys.ActorOf(ParameterServerActor.Props(setup));
        var (fast, slow) = (CreateTestProbe(), CreateTestProbe());
        foreach (var (probe, id) in new[] { (fast, "fast"), (slow, "slow") })
        {
            probe.Send(server, new RegisterWorker(id, "cpu"));
            probe.ExpectMsg<Welcome>(Wait);
        }
        fast.Send(server, new WorkerReady("test-run", "fast"));
        slow.Send(server, new WorkerReady("test-run", "slow"));
        Assert.Equal(0, fast.ExpectMsg<StepOrder>(Wait).Version);
        Assert.Equal(0, slow.ExpectMsg<StepOrder>(Wait).Version);

        // The fast worker moves the weights to version 3 while the slow one still computes on version 0.
        for (var v = 0; v < 3; v++)
        {
            fast.Send(server, Update(v) with { WorkerId = "fast" });
            Assert.Equal(v + 1, fast.ExpectMsg<StepOrder>(Wait).Version);
        }
        slow.Send(server, Update(0) with { WorkerId = "slow" });
        Assert.Contains("stale by 3 versions (bound 2)", slow.ExpectMsg<UpdateRejected>(Wait).Reason);
        Assert.Equal(3, slow.ExpectMsg<StepOrder>(Wait).Version); // refreshed, not dropped

        slow.Send(server, Update(2) with { WorkerId = "slow" }); // lag 1: within the bound
        Assert.Equal(4, slow.ExpectMsg<StepOrder>(Wait).Version);
    }
}

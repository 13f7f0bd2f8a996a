using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Recording;
using ActorTrain.Actors.Tap;
using ActorTrain.Actors.UpdateStream;
using ActorTrain.Tensors.Attacks;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.Tap;

/// <summary>The tap's attack actor on updates built from known labels (ΔW = Σ g_i h_iᵀ, <see cref="SyntheticProjectionGradient"/>).</summary>
public sealed class LabelRevealerTests : TestKit, IDisposable
{
    private const int Classes = 100;
    private const int Features = 64;
    private readonly string _runs = Directory.CreateTempSubdirectory("actortrain-tap-").FullName;

    public LabelRevealerTests() : base(TestSpecs.Cluster())
    {
    }

    void IDisposable.Dispose() => Directory.Delete(_runs, recursive: true);

    private static (WorkerUpdate Update, ProjectionGradientSample Sample) Update(long version, int seed, bool truth = true)
    {
        var sample = new SyntheticProjectionGradient(Classes, Features, BatchSize: 10, Seed: seed).Generate();
        var tensors = new TensorSet(["projection.weight", "projection.bias"], [[Classes, Features], [Classes]], [.. sample.Update, .. sample.BiasGradient]);
        var labels = truth ? sample.Labels.Select(l => (long)l).ToArray() : null;
        return (new WorkerUpdate("test-run", version, "w0", sample.Samples, 1.0, UpdateKind.Gradient, tensors, labels), sample);
    }

    [Fact]
    public void WorkerUpdates_RevealedExactly_LoggedAndScored()
    {
        var revealer = Sys.ActorOf(LabelRevealer.Props(TestSpecs.Spec(), new TapSettings(RunsDirectory: _runs), publish: false));
        var samples = new List<ProjectionGradientSample>();

        for (var v = 0; v < 3; v++)
        {
            var (update, sample) = Update(v, seed: 10 + v);
            samples.Add(sample);
            revealer.Tell(update, TestActor);
            ExpectMsg<ConsumerReady>(TimeSpan.FromSeconds(30));
        }
        revealer.Tell(GetTapReport.Instance, TestActor);
        var report = ExpectMsg<TapReport>();

        Assert.Equal((3L, 0L, 3L), (report.UpdatesAttacked, report.Failed, report.Scored));
        Assert.Equal((1.0, 1.0, 1.0), (report.Precision, report.Recall, report.ExactMatch));
        var log = RevealedLog.ReadAll(Path.Combine(_runs, "test-run", TapSettings.LogFileName));
        Assert.Equal(samples.Select(s => s.LabelSet), log.Select(r => r.Labels));
        Assert.Equal(samples.Select(s => s.Samples), log.Select(r => r.Counts!.Sum())); // counts add up to S
        Assert.All(log, r => Assert.True(r.Score!.ExactMatch));
    }

    [Fact]
    public void UpdateWithoutTruth_IsAttackedButNotScored()
    {
        var revealer = Sys.ActorOf(LabelRevealer.Props(TestSpecs.Spec(), new TapSettings(), publish: false));

        revealer.Tell(Update(0, seed: 3, truth: false).Update, TestActor);
        ExpectMsg<ConsumerReady>(TimeSpan.FromSeconds(30));
        revealer.Tell(GetTapReport.Instance, TestActor);
        var report = ExpectMsg<TapReport>();

        Assert.Equal((1L, 0L), (report.UpdatesAttacked, report.Scored));
        Assert.True(double.IsNaN(report.Precision));
    }

    [Fact]
    public void UnreadableUpdates_AreCountedAsFailed_AndTheTapGoesOn()
    {
        var revealer = Sys.ActorOf(LabelRevealer.Props(TestSpecs.Spec(), new TapSettings(), publish: false));
        var (good, _) = Update(2, seed: 5);
        var poisoned = good.Tensors.Values.ToArray();
        poisoned[7] = float.NaN;
        var noProjection = good with { Tensors = new TensorSet(["hidden1.weight"], [[4]], [1, 2, 3, 4]) };

        revealer.Tell(good with { Version = 0, Tensors = good.Tensors with { Values = poisoned } }, TestActor);
        ExpectMsg<ConsumerReady>(TimeSpan.FromSeconds(30));
        revealer.Tell(noProjection with { Version = 1 }, TestActor);
        ExpectMsg<ConsumerReady>(TimeSpan.FromSeconds(30));
        revealer.Tell(good, TestActor);
        ExpectMsg<ConsumerReady>(TimeSpan.FromSeconds(30));
        revealer.Tell(GetTapReport.Instance, TestActor);
        var report = ExpectMsg<TapReport>();

        Assert.Equal((1L, 2L), (report.UpdatesAttacked, report.Failed));
        Assert.Equal(1.0, report.Recall);
    }

    [Fact]
    public void ReplayedUpdate_IsAttackedLikeALiveOne()
    {
        var revealer = Sys.ActorOf(LabelRevealer.Props(TestSpecs.Spec(), new TapSettings(), publish: false));
        var (update, sample) = Update(4, seed: 8);
        var payload = System.Runtime.InteropServices.MemoryMarshal.AsBytes(update.Tensors.Values.AsSpan()).ToArray();
        var captured = new UpdateCaptured("test-run", 4, "w0", update.BatchSize, 1, update.Tensors.Names, update.Tensors.Shapes, false, payload);

        revealer.Tell(new ReplayedUpdate(captured, update.Labels), TestActor);
        ExpectMsg<ConsumerReady>(TimeSpan.FromSeconds(30));
        revealer.Tell(GetTapReport.Instance, TestActor);

        Assert.Equal((1L, 1.0, 1.0), ExpectMsg<TapReport>() is var r ? (r.Scored, r.Precision, r.Recall) : default);
        Assert.NotEmpty(sample.LabelSet);
    }
}

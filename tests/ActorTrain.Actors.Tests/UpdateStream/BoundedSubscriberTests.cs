using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.UpdateStream;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorTrain.Actors.Tests.UpdateStream;

public sealed class BoundedSubscriberTests() : Akka.TestKit.Xunit2.TestKit(TestSpecs.Cluster()), IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _topic = UpdateTopics.For($"test-{Guid.NewGuid():N}");

    public Task InitializeAsync() => EmbeddedCluster.JoinSelf(Sys, CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Publish_ManyMessagesToBlockedConsumer_DropsOldestAndDeliversNewestInOrder()
    {
        const int published = 1000, capacity = 16;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // The consumer blocks a thread of its own (pinned dispatcher) while it holds a message.
            var consumer = Props.Create(() => new RecordingConsumer(TestActor, release.Task)).WithDispatcher(ComputeDispatcher.Id);
            var subscriber = await StartSubscriber(consumer, capacity);

            Publish(0, published);

            // Every message reaches the subscriber while the consumer still holds the first one.
            Assert.Equal(0, ExpectMsg<StepApplied>(Timeout).Step);
            var stats = await AwaitStats(subscriber, s => s.Received == published);
            Assert.False(release.Task.IsCompleted);
            Assert.Equal(new SubscriberStats(Received: published, Delivered: 1, Dropped: published - 1 - capacity, Queued: capacity), stats);
            Assert.Equal(stats.Received - stats.Delivered - stats.Queued, stats.Dropped);

            release.SetResult();

            // Message 0 went to the idle consumer; of 1..999 only the newest `capacity` were kept.
            var rest = ReceiveN(capacity, Timeout).Cast<StepApplied>().Select(m => m.Step);
            Assert.Equal(Enumerable.Range(published - capacity, capacity).Select(i => (long)i), rest);
            stats = await AwaitStats(subscriber, s => s.Queued == 0);
            Assert.Equal(new SubscriberStats(published, 1 + capacity, published - 1 - capacity, 0), stats);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Publish_FastConsumer_DeliversEveryMessageInOrderWithoutDrops()
    {
        const int published = 1000;
        var subscriber = await StartSubscriber(Props.Create(() => new RecordingConsumer(TestActor, Task.CompletedTask)), capacity: published);

        Publish(0, published);

        var steps = ReceiveN(published, Timeout).Cast<StepApplied>().Select(m => m.Step);
        Assert.Equal(Enumerable.Range(0, published).Select(i => (long)i), steps);
        var stats = await AwaitStats(subscriber, s => s.Delivered == published);
        Assert.Equal(new SubscriberStats(published, published, Dropped: 0, Queued: 0), stats);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Props_CapacityBelowOne_ThrowsNamingCapacity(int capacity)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BoundedSubscriber.Props(_topic, Props.Empty, capacity));

        Assert.Equal("capacity", error.ParamName);
        Assert.Contains($"at least 1 message (got {capacity})", error.Message);
    }

    [Fact]
    public async Task Consumer_Throws_SubscriberStops()
    {
        var subscriber = await StartSubscriber(Props.Create(() => new FailingConsumer()), capacity: 4);
        Watch(subscriber);

        Publish(0, 1);

        ExpectTerminated(subscriber, Timeout);
    }

    [Fact]
    public async Task WithWeights_AsksForOneUpdateWhenTheConsumerIsFree_AndCountsWithheldUpdatesAsDropped()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var server = CreateTestProbe();
            var consumer = Props.Create(() => new RecordingConsumer(TestActor, release.Task)).WithDispatcher(ComputeDispatcher.Id);
            var subscriber = Sys.ActorOf(BoundedSubscriber.ForRun("test-run", server.Ref, consumer, capacity: 4, updatesOnly: true, withWeights: true));
            Assert.True(server.ExpectMsg<SubscribeUpdates>(Timeout).WithWeights);
            server.Reply(new UpdatesSubscribed("test-run"));

            // Subscribed and idle: one update wanted (a repeated SubscribeUpdates from the retry timer may come first).
            Assert.Equal(new UpdateDemand("test-run", 1), server.FishForMessage<UpdateDemand>(_ => true, Timeout));
            var update = new WorkerUpdate("test-run", 3, "w0", 1, 0.5, UpdateKind.Gradient, new TensorSet(["p"], [[2]], [1, 2]), Weights: [3, 4]);
            server.Send(subscriber, update);
            Assert.Same(update, ExpectMsg<WorkerUpdate>(Timeout));
            foreach (var version in new long[] { 4, 5, 6 }) server.Send(subscriber, new UpdateWithheld("test-run", version, "w0"));

            // While the consumer holds the update nothing more is asked for; the notices count as seen and dropped.
            var stats = await AwaitStats(subscriber, s => s.Received == 4);
            Assert.Equal(new SubscriberStats(Received: 4, Delivered: 1, Dropped: 3, Queued: 0), stats);
            server.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
            release.SetResult();
            Assert.Equal(new UpdateDemand("test-run", 1), server.ExpectMsg<UpdateDemand>(Timeout));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    /// <summary>Starts a subscriber and waits until it receives the topic (its first stats answer says so).</summary>
    private async Task<IActorRef> StartSubscriber(Props consumer, int capacity)
    {
        var subscriber = Sys.ActorOf(BoundedSubscriber.Props(_topic, consumer, capacity));
        var stats = await subscriber.Ask<SubscriberStats>(GetSubscriberStats.Instance, Timeout);
        Assert.Equal(new SubscriberStats(0, 0, 0, 0), stats);
        return subscriber;
    }

    private void Publish(int from, int count)
    {
        var mediator = DistributedPubSub.Get(Sys).Mediator;
        for (var step = from; step < from + count; step++)
            mediator.Tell(new Publish(_topic, new StepApplied("test-run", step, [], Samples: 0, MeanLoss: 0)));
    }

    private async Task<SubscriberStats> AwaitStats(IActorRef subscriber, Func<SubscriberStats, bool> condition)
    {
        SubscriberStats? stats = null;
        await AwaitConditionAsync(async () =>
        {
            stats = await subscriber.Ask<SubscriberStats>(GetSubscriberStats.Instance, Timeout);
            return condition(stats);
        }, Timeout);
        return stats!;
    }
}
